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

/**
 * A batch of jobs packed into one string and three arrays: cloning an object
 * per job (and one per file in it) cost the main thread more than hashing a
 * small file does. The text holds each job's `localPath`, `displayPath` and
 * `lastModified` (`''` when unknown), joined with NUL, which no path holds.
 */
export interface PackedJobs {
  readonly ids: Float64Array<ArrayBuffer>;
  readonly tasks: Float64Array<ArrayBuffer>;
  readonly sizes: Float64Array<ArrayBuffer>;
  readonly text: string;
}

export function packJobs(jobs: readonly WorkerJob[]): PackedJobs {
  const count = jobs.length;
  const ids = new Float64Array(count);
  const tasks = new Float64Array(count);
  const sizes = new Float64Array(count);
  const parts: string[] = new Array<string>(3 * count);
  for (let i = 0; i < count; i++) {
    const { id, task, file } = jobs[i] as WorkerJob;
    ids[i] = id;
    tasks[i] = task;
    sizes[i] = file.size;
    parts[3 * i] = file.localPath;
    parts[3 * i + 1] = file.displayPath;
    parts[3 * i + 2] = file.lastModified ?? '';
  }
  return { ids, tasks, sizes, text: parts.join('\0') };
}

export function unpackJobs(packed: PackedJobs): WorkerJob[] {
  const parts = packed.text.split('\0');
  const jobs: WorkerJob[] = [];
  for (let i = 0; i < packed.ids.length; i++) {
    const lastModified = parts[3 * i + 2] as string;
    const file: LocalFileJob = {
      localPath: parts[3 * i] as string,
      displayPath: parts[3 * i + 1] as string,
      size: packed.sizes[i] as number,
      ...(lastModified === '' ? {} : { lastModified }),
    };
    jobs.push({ id: packed.ids[i] as number, task: packed.tasks[i] as number, file });
  }
  return jobs;
}

/** Messages from the pool to a worker. */
export type ToWorker =
  /** A task the worker may be asked to run, by number; it loads and prepares it at once. */
  | { readonly type: 'define'; readonly task: number; readonly spec: TaskSpec }
  | { readonly type: 'run'; readonly jobs: PackedJobs }
  | { readonly type: 'cancel'; readonly id: number }
  /** Data every task of this worker may use (compiled signatures), sent once. */
  | { readonly type: 'share'; readonly key: string; readonly value: unknown };

export type JobOutcome = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: CheckErrorInfo };

/** Messages from a worker to the pool. */
export type FromWorker =
  /** Sent once, when the worker's code has loaded. */
  | { readonly type: 'ready' }
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
