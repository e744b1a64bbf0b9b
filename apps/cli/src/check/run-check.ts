import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CheckEngine,
  Policy,
  PolicyError,
  createChecks,
  hasErrors,
  isAtLeast,
  parseAlgorithmList,
  resolveSignatureDir,
  type ChecksumAlgorithm,
  type FileReport,
  type SourceItem,
} from '@tdr/checks';
import { isS3Url } from '@tdr/storage';
import { ExitCode, UsageError, stoppedExitCode } from '../errors.js';
import { ReportOutput } from '../output.js';
import type { ProgressDisplay } from '../progress.js';
import { ProgressLog } from '../progress-log.js';
import { createReportFormat, summaryLine, type RunInfo, type RunSummary } from '../report/index.js';
import { planAntivirus } from './antivirus.js';
import { loadExpectations, missingFileReports } from './expectations.js';
import { ResultDelivery } from './delivery.js';
import { CliRouting, routingSummaryLine } from './routing.js';
import { RunSources, S3Access } from './sources.js';
import { type CheckCommandOptions, checkNamesOf } from './options.js';

/** What `check` needs from its surroundings, so tests can run it in-process. */
export interface CheckEnvironment {
  readonly version: string;
  /** Cancels the run (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Whether to draw a progress bar (standard error is a terminal). */
  readonly interactive: boolean;
  /** Whether the table may use colours. */
  readonly color: boolean;
  /** Where notes and the summary go (standard error). */
  readonly note: (line: string) => void;
}

/**
 * `tdr-checks check <paths…>`: checks every file, writes the report, and
 * returns the exit code. Throws UsageError for what the user must fix.
 */
export async function runCheck(paths: readonly string[], options: CheckCommandOptions, env: CheckEnvironment): Promise<number> {
  const settings = await settle(paths, options);
  // Local roots: where --expected paths and routing's relative paths are counted from.
  const roots = paths.filter((path) => !isS3Url(path)).map((path) => resolve(path));
  const expectations = options.expected === undefined ? undefined : await loadExpectations(options.expected, roots);
  const algorithms = [...new Set([...settings.algorithms, ...((expectations?.manifest.algorithms ?? []) as ChecksumAlgorithm[])])];
  const signaturesDir = resolveSignatureDir(options.signatures === undefined ? {} : { dir: options.signatures });
  let checkNames = settings.checkNames;
  const antivirus = checkNames.includes('antivirus')
    ? await planAntivirus({ ...(options.clamd === undefined ? {} : { clamd: options.clamd }), required: settings.required.has('antivirus'), signal: env.signal })
    : undefined;
  // Checks that normally run but cannot here: every file's report says so, and the policy weighs it.
  const notRun: Record<string, string> = {};
  const notRunWhy: Record<string, string> = {};
  if (antivirus && !antivirus.run) {
    checkNames = checkNames.filter((name) => name !== 'antivirus');
    notRun['antivirus'] = antivirus.short;
    notRunWhy['antivirus'] = antivirus.why;
    if (!options.quiet) env.note(`tdr-checks: antivirus did not run: ${antivirus.why}`);
  }
  const checks = createChecks(checkNames, {
    checksum: { algorithms },
    format: { signaturesDir: signaturesDir.path, signaturesDirSource: signaturesDir.description, windowBytes: settings.windowBytes },
    flags: { windowBytes: settings.windowBytes },
    ...(antivirus?.run ? { antivirus: { clamd: antivirus.clamd, maxFileSize: settings.clamdMaxFileSize } } : {}),
  });
  const ignore = (): void => undefined;
  const engine = new CheckEngine({
    checks,
    // Checks warn about what makes their results incomplete (no signatures, a cache that cannot be written).
    logger: {
      debug: ignore,
      info: ignore,
      warn: options.quiet ? ignore : (message: string) => env.note(`tdr-checks: ${message}`),
      error: (message: string) => env.note(`tdr-checks: ${message}`),
    },
    concurrency: settings.concurrency,
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    signal: env.signal,
  });
  const s3 = new S3Access();
  const source = new RunSources(paths, s3, {
    ...(expectations ? { expected: (path: string) => expectations.index.lookup(path) } : {}),
    // A report written into the folder being checked would be checked while it is written.
    exclude: options.output === undefined ? [] : [options.output],
    keepS3Refs: options.cleanDest !== undefined || options.quarantineDest !== undefined,
  });
  // Before any file is checked: a destination that cannot be written stops the run now.
  const routing = await CliRouting.open(options, source, roots, s3, env.note);
  const delivery = await ResultDelivery.open(options, process.env, env.signal);
  // The listing starts now, while the checks start their workers: both take tens of milliseconds.
  const listing = startNow(source.listBatches(env.signal));

  try {
    await engine.init();
  } catch (error) {
    await listing.return();
    throw error;
  }
  let output: ReportOutput | undefined;
  let progress: ProgressDisplay | ProgressLog | undefined;
  try {
    output = options.output === undefined ? ReportOutput.stdout() : await openOutput(options.output);
    const format = createReportFormat(options.format, { color: env.color && options.output === undefined, onlyProblems: options.quiet === true });
    const info: RunInfo = {
      tool: { name: 'tdr-checks', version: env.version },
      startedAt: new Date().toISOString(),
      policy: settings.policy.description,
      checks: checks.map((check) => ({ name: check.name, version: check.version, tool: check.describe() })),
      ...(Object.keys(notRunWhy).length > 0 ? { notRun: notRunWhy } : {}),
      algorithms: checkNames.includes('checksum') ? algorithms : [],
    };

    let batches: AsyncIterable<readonly SourceItem[]> | (readonly SourceItem[])[] = listing;
    if (!env.interactive && !options.quiet && settings.progressEveryMs > 0) {
      progress = new ProgressLog(engine.progress, settings.progressEveryMs, env.note);
    }
    if (env.interactive && !options.quiet) {
      // A bar needs totals: list everything first (fast next to reading it).
      const listed: SourceItem[] = [];
      for await (const batch of listing) listed.push(...batch);
      batches = [listed];
      const bytes = listed.reduce((sum, item) => sum + ('file' in item ? item.file.size : 0), 0);
      const { ProgressDisplay } = await import('../progress.js'); // cli-progress only on a terminal
      progress = new ProgressDisplay(engine.progress, listed.length, bytes);
    }

    const started = performance.now();
    const tally = { files: 0, bytes: 0, pass: 0, warn: 0, fail: 0, errors: 0 };
    let worstIsFailure = false;
    const withNotRun = Object.keys(notRun).length > 0;
    /** Judges and tallies the reports, and writes their lines in one go. */
    const emit = async (reports: readonly FileReport[]): Promise<void> => {
      let text = '';
      for (const listed of reports) {
        const report: FileReport = withNotRun && !listed.missing ? { ...listed, notRun } : listed;
        const judgement = settings.policy.judge(report);
        tally.files++;
        tally.bytes += report.size ?? 0;
        tally[judgement.verdict]++;
        if (hasErrors(report)) tally.errors++;
        if (isAtLeast(judgement.verdict, options.failOn)) worstIsFailure = true;
        text += format.entry({ report, judgement });
      }
      await output?.write(text);
      await delivery?.deliver(reports);
      if (routing && output) {
        // Recorded before routed: a crash leaves files reported and not yet copied, never the reverse.
        await output.flush();
        tally.errors += await routing.route(reports, env.signal);
      }
    };

    await output.write(format.start(info));
    // The files already reported stand when the listing stops early (Ctrl-C,
    // or its worker failing): the report is still finished and valid.
    let listingFailure: Error | undefined;
    try {
      for await (const reports of engine.runBatches(batches)) await emit(reports);
    } catch (error) {
      if (!env.signal.aborted) listingFailure = error instanceof Error ? error : new Error(String(error));
    }
    // Only a complete listing can tell which listed files are missing.
    if (expectations && !env.signal.aborted && !listingFailure) {
      await emit(missingFileReports(expectations, roots));
    }
    progress?.stop();
    progress = undefined;
    const summary: RunSummary = { ...tally, durationMs: Math.round(performance.now() - started) };
    await output.write(format.end(summary));
    await output.close();
    output = undefined;

    if (!options.quiet && (options.format !== 'table' || options.output !== undefined)) env.note(summaryLine(summary));
    if (expectations && !options.quiet) env.note(`--expected: ${expectations.manifest.format} manifest, paths relative to ${expectations.base}`);
    if (routing && !options.quiet) env.note(routingSummaryLine(routing.summary, options.move === true));
    if (delivery) {
      // The consignment is complete only when every listed file was checked.
      const problem = await delivery.finish(env.signal.aborted || listingFailure ? undefined : checkNames);
      if (!options.quiet) env.note(delivery.summaryLine());
      if (problem !== undefined) {
        env.note(`tdr-checks: ${problem}`);
        if (!env.signal.aborted) tally.errors++;
      }
    }
    if (listingFailure) {
      env.note(`tdr-checks: ${listingFailure.message}; the report holds the files checked before that`);
      return ExitCode.Error;
    }
    if (env.signal.aborted) {
      const reason: unknown = env.signal.reason;
      env.note(`${reason instanceof Error ? reason.message : 'interrupted'}: the report lists the files finished before; the others were not checked`);
      return stoppedExitCode(reason);
    }
    if (tally.errors > 0) return ExitCode.Error;
    return worstIsFailure ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    progress?.stop();
    await output?.close().catch(() => undefined);
    await engine.close();
  }
}

interface Settings {
  readonly checkNames: string[];
  /** Checks that must run: one that cannot is an error, not a warning. */
  readonly required: ReadonlySet<string>;
  readonly clamdMaxFileSize: number;
  readonly windowBytes: number;
  readonly algorithms: ChecksumAlgorithm[];
  readonly concurrency: number;
  readonly timeoutMs: number | undefined;
  /** Milliseconds between progress lines when standard error is not a terminal; 0 for none. */
  readonly progressEveryMs: number;
  readonly policy: Policy;
}

/** Validates every option before any work starts, so a typo costs nothing. */
async function settle(paths: readonly string[], options: CheckCommandOptions): Promise<Settings> {
  if (paths.length === 0) throw new UsageError('name at least one file or folder to check');
  const checkNames = checkNamesOf(options.checks);
  if (checkNames.length === 0) throw new UsageError('--checks: name at least one check');
  try {
    createChecks(checkNames); // Only to validate the names; the real ones are made with their options.
  } catch (error) {
    throw new UsageError(`--checks: ${(error as Error).message}`);
  }
  let algorithms: ChecksumAlgorithm[];
  try {
    algorithms = parseAlgorithmList(options.algorithms);
  } catch (error) {
    throw new UsageError(`--algorithms: ${(error as Error).message}`);
  }
  const required = new Set(options.checksNamed ? checkNames : []);
  for (const name of (options.require ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    if (!checkNames.includes(name)) throw new UsageError(`--require ${name}: not among the checks to run (${checkNames.join(', ')})`);
    required.add(name);
  }
  if (options.cleanDest !== undefined || options.quarantineDest !== undefined) {
    // Routing goes by the antivirus result: without a scan every file would silently stay.
    if (!checkNames.includes('antivirus')) throw new UsageError('--clean-dest and --quarantine-dest route files by their antivirus result: add antivirus to --checks');
    required.add('antivirus');
  }
  const clamdMaxFileSize = wholeNumber(options.clamdMaxFileSize, '--clamd-max-file-size', 1, Number.MAX_SAFE_INTEGER);
  const concurrency = wholeNumber(options.concurrency, '--concurrency', 1, 1024);
  const windowBytes = wholeNumber(options.maxBytesToScan, '--max-bytes-to-scan', 1, 1024 ** 3);
  const timeoutMs = options.timeout === undefined ? undefined : positiveSeconds(options.timeout, '--timeout') * 1000;
  const progressEveryMs = Number(options.progressEvery) === 0 ? 0 : positiveSeconds(options.progressEvery, '--progress-every') * 1000;
  return { checkNames, required, clamdMaxFileSize, windowBytes, algorithms, concurrency, timeoutMs, progressEveryMs, policy: await loadPolicy(options.policy) };
}

async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return Policy.default();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--policy ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return await Policy.fromJson(text, path);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(`--policy: ${error.message}`);
    throw error;
  }
}

/**
 * Begins an async iteration at once (its first item is on the way) and
 * hands back the same iteration, to be consumed later.
 */
function startNow<T>(iterable: AsyncIterable<T>): AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> } {
  const iterator = iterable[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | undefined = iterator.next();
  first.catch(() => undefined); // surfaces when consumed
  return {
    next() {
      const next = first ?? iterator.next();
      first = undefined;
      return next;
    },
    async return() {
      return (await iterator.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function openOutput(path: string): Promise<ReportOutput> {
  try {
    return await ReportOutput.file(path);
  } catch (error) {
    throw new UsageError(`--output ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function positiveSeconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a number of seconds above 0, got "${text}"`);
  return value;
}

