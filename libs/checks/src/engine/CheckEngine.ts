import { CheckError, ErrorCode, toCheckErrorInfo } from '../errors.js';
import type { CheckErrorInfo, FileCheck, FileRef, Logger, ResultEnvelope, ToolInfo } from '../types.js';
import { mapOrdered } from './map-ordered.js';
import type { FileReport, ListingProblem, SourceItem } from './report.js';

/** Default time budget of one check on one file: a minute, plus a second per 20 MB. */
export function defaultTimeoutMs(size: number): number {
  return 60_000 + Math.ceil(size / 20_000);
}

export interface CheckEngineOptions {
  /** The checks to run on every file, in report order. Names must be unique. */
  readonly checks: readonly FileCheck[];
  /** Files checked at once. Default 16: enough to keep disks, workers and servers busy. */
  readonly concurrency?: number;
  /**
   * Time budget of one check on one file, in milliseconds, when the check
   * sets none of its own. A number, or a function of the file. Default
   * `defaultTimeoutMs`.
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
  readonly #timeoutMs: (file: FileRef) => number;
  readonly #signal: AbortSignal | undefined;
  readonly #logger: Logger;
  /** Controllers of the checks running now, to abort them all when the run is cancelled. */
  readonly #running = new Map<AbortController, FileCheck>();
  #state: 'new' | 'ready' | 'closed' = 'new';

  constructor(options: CheckEngineOptions) {
    const names = new Set<string>();
    for (const check of options.checks) {
      if (names.has(check.name)) throw new Error(`check "${check.name}" is given twice`);
      names.add(check.name);
    }
    this.#checks = options.checks;
    this.#concurrency = options.concurrency ?? 16;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
    }
    const timeout = options.timeoutMs ?? ((file: FileRef) => defaultTimeoutMs(file.size));
    this.#timeoutMs = typeof timeout === 'number' ? () => timeout : timeout;
    this.#signal = options.signal;
    this.#logger = options.logger ?? silentLogger;
    // One listener for the run, not one per check: thousands of checks run.
    this.#signal?.addEventListener(
      'abort',
      () => {
        for (const [controller, check] of this.#running) controller.abort(abortedError(check));
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

  /** Checks one item; never rejects. */
  async checkItem(item: SourceItem): Promise<FileReport> {
    this.#assertReady();
    const report = 'file' in item ? await this.#checkFile(item.file) : this.#reportProblem(item.problem);
    this.progress.filesDone++;
    return report;
  }

  async #checkFile(file: FileRef): Promise<FileReport> {
    let reported = 0;
    const progress = (bytesDone: number): void => {
      // Checks run side by side over the same bytes: count the furthest one.
      if (bytesDone > reported) {
        this.progress.bytesDone += Math.min(bytesDone, file.size) - reported;
        reported = Math.min(bytesDone, file.size);
      }
    };
    try {
      const envelopes = await Promise.all(this.#checks.map((check) => this.#runCheck(check, file, progress)));
      return {
        id: file.id,
        path: file.path,
        size: file.size,
        ...(file.localPath === undefined ? {} : { localPath: file.localPath }),
        ...(file.lastModified === undefined ? {} : { lastModified: file.lastModified }),
        ...(file.expected ? { expected: file.expected } : {}),
        results: Object.fromEntries(envelopes.map((envelope) => [envelope.check, envelope])),
      };
    } finally {
      progress(file.size);
      await file.close?.().catch((error: unknown) => this.#logger.warn(`closing ${file.path} failed`, error));
    }
  }

  async #runCheck(check: FileCheck, file: FileRef, progress: (bytes: number) => void): Promise<ResultEnvelope> {
    const startedAt = new Date();
    const start = performance.now();
    const envelope = (outcome: { result: unknown } | { error: CheckErrorInfo }): ResultEnvelope => ({
      fileId: file.id,
      check: check.name,
      checkVersion: check.version,
      ...('result' in outcome
        ? { status: 'completed' as const, result: outcome.result }
        : { status: 'error' as const, error: outcome.error }),
      tool: describe(check),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - start) * 1000) / 1000,
    });

    if (this.#signal?.aborted) return envelope({ error: abortedError(check) });
    const budgetMs = check.timeoutMs?.(file) ?? this.#timeoutMs(file);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    this.#running.set(controller, check);
    // Settles when the budget is spent or the run is cancelled, whatever the check does.
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      timer = setTimeout(() => controller.abort(timeoutError(check, file, budgetMs)), budgetMs);
    });
    stopped.catch(() => undefined);
    try {
      const work = check.check(file, { logger: this.#logger, signal: controller.signal, progress });
      work.catch(() => undefined); // A check that overran its budget may still reject later.
      return envelope({ result: await Promise.race([work, stopped]) });
    } catch (error) {
      if (controller.signal.aborted) return envelope({ error: toCheckErrorInfo(controller.signal.reason) });
      return envelope({ error: toCheckErrorInfo(error) });
    } finally {
      clearTimeout(timer);
      this.#running.delete(controller);
    }
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
