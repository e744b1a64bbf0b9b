import { CheckError, ErrorCode, toCheckErrorInfo } from '../errors.js';
import type { FileCheck, FileRef, Logger, ResultEnvelope, ToolInfo } from '../types.js';
import { CheckRun, type Outcome } from './CheckRun.js';
import { mapOrdered, mapOrderedBatches } from './map-ordered.js';
import { RunningChecks } from './RunningChecks.js';
import type { FileReport, ListingProblem, SourceItem } from './report.js';
import { DEFAULT_CONCURRENCY } from './defaults.js';

/**
 * Default time budget of one check on one file: a minute, plus a second per
 * 20 MB, in whole seconds (Node keeps one timer list per distinct duration;
 * thousands of distinct ones cost measurably).
 */
export function defaultTimeoutMs(size: number): number {
  return 60_000 + Math.ceil(size / 20_000_000) * 1000;
}

export interface CheckEngineOptions {
  /** The checks to run on every file, in report order. Names must be unique. */
  readonly checks: readonly FileCheck[];
  /** Files checked at once. Default `DEFAULT_CONCURRENCY`. */
  readonly concurrency?: number;
  /**
   * Time budget of one check on one file, in milliseconds: a number, or a
   * function of the file. Given, it applies to every check, overriding their
   * own (a user's `--timeout` means every check). Absent, each check's own
   * (`FileCheck.timeoutMs`), else `defaultTimeoutMs`.
   */
  readonly timeoutMs?: number | ((file: FileRef) => number);
  /** Cancels the whole run: files not yet finished get `ABORTED` errors. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/** Counters a progress bar can poll. */
export interface EngineProgress {
  /** Files whose every check has finished. */
  filesDone: number;
  /** Bytes processed: the sizes of finished files plus what running checks reported. */
  bytesDone: number;
}

const ignore = (): void => undefined;
const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * Runs a set of checks over files: once-per-process `init`, then each file
 * with every check concurrently under a time budget, then `close`. Every
 * check of every file ends in exactly one envelope, `completed` or `error`;
 * nothing a check throws or hangs on escapes or stalls the run.
 *
 * @example
 * ```ts
 * const engine = new CheckEngine({ checks: [checksumCheck()] });
 * await engine.init();
 * try {
 *   for await (const report of engine.run(source.list())) console.log(report);
 * } finally {
 *   await engine.close();
 * }
 * ```
 */
export class CheckEngine {
  readonly progress: EngineProgress = { filesDone: 0, bytesDone: 0 };
  readonly #checks: readonly FileCheck[];
  readonly #concurrency: number;
  /** The runner's budget for every check, when it set one. */
  readonly #timeoutMs: ((file: FileRef) => number) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #logger: Logger;
  /** The checks running now: stopped when their budget is spent, or all at once when the run is cancelled. */
  readonly #running = new RunningChecks();
  #state: 'new' | 'ready' | 'closed' = 'new';

  constructor(options: CheckEngineOptions) {
    const names = new Set<string>();
    for (const check of options.checks) {
      if (names.has(check.name)) throw new Error(`check "${check.name}" is given twice`);
      names.add(check.name);
    }
    this.#checks = options.checks;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
    }
    const timeout = options.timeoutMs;
    this.#timeoutMs = typeof timeout === 'number' ? () => timeout : timeout;
    this.#signal = options.signal;
    this.#logger = options.logger ?? silentLogger;
    // One listener for the run, not one per check: thousands of checks run.
    this.#signal?.addEventListener(
      'abort',
      () => {
        this.#running.stopAll((run) => abortedError(run.check));
      },
      { once: true },
    );
  }

  get checks(): readonly FileCheck[] {
    return this.#checks;
  }

  /** Initialises every check. If one fails, those already started are closed again. */
  async init(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`init() called on a ${this.#state} engine`);
    const signal = this.#signal ?? new AbortController().signal;
    const started: FileCheck[] = [];
    try {
      for (const check of this.#checks) {
        await check.init?.({ logger: this.#logger, signal });
        started.push(check);
      }
    } catch (error) {
      await Promise.allSettled(started.map((check) => check.close?.()));
      throw error;
    }
    this.#state = 'ready';
  }

  /** Closes every check, even when some fail to close. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const outcomes = await Promise.allSettled(this.#checks.map((check) => check.close?.()));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Checks every item of `items`, at most `concurrency` at once; reports come in the order of `items`. */
  run(items: AsyncIterable<SourceItem> | Iterable<SourceItem>): AsyncGenerator<FileReport> {
    this.#assertReady();
    return mapOrdered(items, this.#concurrency, (item) => this.checkItem(item));
  }

  /**
   * `run` for a source that lists in batches (`LocalFileSource.listBatches`):
   * the same reports in the same order, handed over as arrays of whatever is
   * ready, which is cheaper per file when files are many and small.
   */
  runBatches(batches: AsyncIterable<readonly SourceItem[]> | Iterable<readonly SourceItem[]>): AsyncGenerator<FileReport[]> {
    this.#assertReady();
    return mapOrderedBatches(batches, this.#concurrency, (item) => this.checkItem(item), undefined, this.#signal);
  }

  /** Checks one item; never rejects. */
  checkItem(item: SourceItem): Promise<FileReport> {
    this.#assertReady();
    const done = (report: FileReport): FileReport => {
      this.progress.filesDone++;
      return report;
    };
    // Plain promise chains rather than async functions: this runs once per
    // file, and each async frame costs allocations the small-file case feels.
    return 'file' in item ? this.#checkFile(item.file).then(done) : Promise.resolve(done(this.#reportProblem(item.problem)));
  }

  #checkFile(file: FileRef): Promise<FileReport> {
    let reported = 0;
    const progress = (bytesDone: number): void => {
      // Checks run side by side over the same bytes: count the furthest one.
      if (bytesDone > reported) {
        this.progress.bytesDone += Math.min(bytesDone, file.size) - reported;
        reported = Math.min(bytesDone, file.size);
      }
    };
    const checks = this.#checks;
    const running = checks.length === 1 ? this.#runCheck(checks[0], file, progress).then((one) => [one]) : Promise.all(checks.map((check) => this.#runCheck(check, file, progress)));
    return running.then((envelopes) => {
      progress(file.size);
      // Not awaited: a check that overran its budget may still have a read
      // pending, which a close waits for, and a read on a hung disk never ends.
      file.close?.().catch((error: unknown) => this.#logger.warn(`closing ${file.path} failed`, error));
      const results: Record<string, ResultEnvelope> = {};
      for (const envelope of envelopes) results[envelope.check] = envelope;
      const report: { -readonly [K in keyof FileReport]: FileReport[K] } = { id: file.id, path: file.path, size: file.size, results };
      if (file.localPath !== undefined) report.localPath = file.localPath;
      if (file.lastModified !== undefined) report.lastModified = file.lastModified;
      if (file.expected) report.expected = file.expected;
      return report;
    });
  }

  #runCheck(check: FileCheck, file: FileRef, progress: (bytes: number) => void): Promise<ResultEnvelope> {
    // When the check started on this file: its call, or the moment its turn came after a wait (restartBudget).
    let startedAt = Date.now();
    let start = performance.now();
    const envelope = (outcome: Outcome): ResultEnvelope => {
      const tool = describe(check);
      const at = isoTime(startedAt);
      const durationMs = Math.round((performance.now() - start) * 1000) / 1000;
      // Written out twice to keep the fields in this order in every report.
      return 'result' in outcome
        ? { fileId: file.id, check: check.name, checkVersion: check.version, status: 'completed', result: outcome.result, tool, startedAt: at, durationMs }
        : { fileId: file.id, check: check.name, checkVersion: check.version, status: 'error', error: outcome.error, tool, startedAt: at, durationMs };
    };
    if (this.#signal?.aborted) return Promise.resolve(envelope({ error: abortedError(check).toJSON() }));

    const budgetMs = this.#timeoutMs?.(file) ?? check.timeoutMs?.(file) ?? defaultTimeoutMs(file.size);
    return new Promise((resolve) => {
      const run = new CheckRun(check, budgetMs, () => timeoutError(check, file, budgetMs), (outcome) => {
        this.#running.delete(run);
        resolve(envelope(outcome));
      });
      this.#running.add(run);
      const logger = this.#logger;
      let work: Promise<unknown>;
      try {
        work = check.check(file, {
          logger,
          progress,
          get signal() {
            return run.signal;
          },
          holdBudget: () => run.holdBudget(),
          restartBudget: () => {
            run.restartBudget();
            this.#running.moved(run);
            startedAt = Date.now();
            start = performance.now();
          },
        });
      } catch (error) {
        run.finish({ error: toCheckErrorInfo(error) }); // a check that throws before returning its promise
        return;
      }
      // After a timeout the check may still settle: `finish` ignores it.
      work.then(
        (result) => run.finish({ result }),
        (error: unknown) => run.finish({ error: toCheckErrorInfo(error) }),
      );
    });
  }

  #reportProblem(problem: ListingProblem): FileReport {
    const now = new Date().toISOString();
    return {
      id: problem.id,
      path: problem.path,
      size: null,
      results: Object.fromEntries(
        this.#checks.map((check): [string, ResultEnvelope] => [
          check.name,
          {
            fileId: problem.id,
            check: check.name,
            checkVersion: check.version,
            status: 'error',
            error: problem.error,
            tool: describe(check),
            startedAt: now,
            durationMs: 0,
          },
        ]),
      ),
    };
  }

  #assertReady(): void {
    if (this.#state !== 'ready') {
      throw new Error(this.#state === 'new' ? 'call init() before checking files' : 'this engine is closed');
    }
  }
}

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked:
 * files finish by the hundred within one, and each string costs a microsecond.
 */
let lastIsoMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function describe(check: FileCheck): ToolInfo {
  try {
    return check.describe();
  } catch (error) {
    return { name: check.name, version: `unknown (describe() failed: ${String(error)})` };
  }
}

function timeoutError(check: FileCheck, file: FileRef, budgetMs: number): CheckError {
  return new CheckError(
    ErrorCode.Timeout,
    `${check.name} did not finish ${file.path} within its budget of ${(budgetMs / 1000).toFixed(1)} s`,
    { retryable: true },
  );
}

function abortedError(check: FileCheck): CheckError {
  return new CheckError(ErrorCode.Aborted, `${check.name} was cancelled before it finished`, { retryable: true });
}
