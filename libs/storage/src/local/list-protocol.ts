import type { ListingProblem } from '@tdr/checks';

/**
 * Messages between `LocalFileSource` (main thread) and its listing worker
 * (list-worker.ts). Type-only but for the constants: the worker must not
 * load more than it needs, as its start-up is on the path to the first file.
 */

/** One root the worker walks, planned by the main thread. */
export interface RootJob {
  /** The path as the user typed it. */
  readonly given: string;
  /** `resolve(given)`: lexical, not through links. */
  readonly absolute: string;
  /** `rootId(given)`. */
  readonly id: string;
  /** Absolute paths of roots given earlier that lie inside this one: listed already, skipped. */
  readonly skip: readonly string[];
}

/** The worker's `workerData`. */
export interface ListJob {
  readonly roots: readonly RootJob[];
  /**
   * An `Int32Array` over it: `[OUTSTANDING]` counts the batches posted and
   * not yet taken by the consumer. The worker adds one per batch and waits
   * while it is at `MAX_OUTSTANDING`; the main thread subtracts one (and
   * notifies) for every batch the consumer starts on.
   */
  readonly control: SharedArrayBuffer;
}

/** Index of the count of outstanding batches in `ListJob.control`. */
export const OUTSTANDING = 0;

/**
 * Batches the worker may post ahead of the consumer. With up to
 * `BATCH_SIZE` entries each, a slow consumer holds at most ~2,000 pending
 * entries, whatever the size of the folder; a fast one never waits (the
 * worker lists ~10,000 files in 15–25 ms).
 */
export const MAX_OUTSTANDING = 8;

/**
 * What one batch carries, in listing order:
 *
 * - a number `i`: the walk is now in root `i` of `ListJob.roots`;
 * - a string: regular files of the current root in a row, their paths
 *   relative to it joined with NUL (`''` alone: a root that is itself a
 *   file). Each takes the next two numbers of `facts`: size in bytes and
 *   mtime in milliseconds (with a fraction);
 * - `{ problem }`: an entry that cannot be listed, complete with its id, path
 *   and error as `CheckErrorInfo` (a plain object: an `Error` would lose its
 *   code and class on the way).
 *
 * Files are the bulk and travel as one string and one `Float64Array` per
 * batch, the cheapest things to copy between threads (a string per file
 * cost the worker several ms per 10,000 files); the main thread builds ids
 * and refs.
 */
export type WireItem = number | string | { readonly problem: ListingProblem };

export type FromWorker =
  | { readonly type: 'batch'; readonly items: readonly WireItem[]; readonly facts: Float64Array }
  | { readonly type: 'end' }
  /** The walk threw (a bug): the listing cannot go on. */
  | { readonly type: 'failed'; readonly message: string };
