import type { CheckErrorInfo } from '../types.js';

/** The file a task runs on, as the main thread knows it from the listing. */
export interface LocalFileJob {
  readonly localPath: string;
  /** The name to put in messages (the path the user knows). */
  readonly displayPath: string;
  /** Size when listed; the file must still have it. */
  readonly size: number;
  /** Modification time when listed (ISO 8601), when known; the file must still have it. */
  readonly lastModified?: string;
}

/**
 * Which task module to run (a compiled module's URL) and with what. Make
 * one per distinct task and reuse it: the pool sends each spec to a worker
 * once and then refers to it by number.
 */
export interface TaskSpec {
  readonly module: string;
  readonly params: unknown;
}

export interface WorkerJob {
  readonly id: number;
  readonly file: LocalFileJob;
  /** The number the pool gave the task's spec (see the `define` message). */
  readonly task: number;
}

/** Messages from the pool to a worker. */
export type ToWorker =
  | { readonly type: 'define'; readonly task: number; readonly spec: TaskSpec }
  | { readonly type: 'run'; readonly jobs: readonly WorkerJob[] }
  | { readonly type: 'cancel'; readonly id: number }
  /** Data every task of this worker may use (compiled signatures), sent once. */
  | { readonly type: 'share'; readonly key: string; readonly value: unknown };

export type JobOutcome = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: CheckErrorInfo };

/** Messages from a worker to the pool. */
export type FromWorker =
  | { readonly type: 'settled'; readonly outcomes: readonly JobOutcome[] }
  | { readonly type: 'progress'; readonly id: number; readonly bytesDone: number };

/** The job for a FileRef whose bytes are in a local file; undefined when they are not. */
export function localFileJob(file: {
  readonly path: string;
  readonly size: number;
  readonly localPath?: string;
  readonly lastModified?: string;
}): LocalFileJob | undefined {
  if (file.localPath === undefined) return undefined;
  return {
    localPath: file.localPath,
    displayPath: file.path,
    size: file.size,
    ...(file.lastModified === undefined ? {} : { lastModified: file.lastModified }),
  };
}
