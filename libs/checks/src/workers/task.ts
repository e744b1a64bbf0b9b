import type { LocalFile } from './local-file.js';

/** What a task may ask of the worker that runs it. */
export interface TaskContext {
  /** Whether the job was cancelled (check between blocks of long work). */
  isCancelled(): boolean;
  /** Bytes processed so far (at least every second for long work: silence means a stuck read). */
  progress(bytesDone: number): void;
  /** Data the pool shared with every worker (`LocalFilePool.share`), by key. */
  shared<T>(key: string): T;
}

/**
 * A module of work on local files that runs in the pool's worker threads
 * (the checksum's hashing, the format's identification, the flags'
 * inspection). Several tasks on the same file in one batch share one open
 * and one read of it.
 */
export interface LocalFileTask<Params, Result> {
  /** Once per distinct params per worker, before its first `run` (load data, WebAssembly). */
  prepare?(params: Params, ctx: TaskContext): Promise<void>;
  run(file: LocalFile, params: Params, ctx: TaskContext): Result | Promise<Result>;
}
