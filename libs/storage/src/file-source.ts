import type { SourceItem } from '@tdr/checks';

/**
 * Where the files of a run come from: a local folder, an S3 prefix, one
 * object named by an S3 event. A source lists lazily, in a stable order, and
 * turns every entry it cannot hand over as a readable `FileRef` into a
 * `{ problem }` item instead of failing the whole listing, so one unreadable
 * folder does not hide the thousands of files next to it.
 *
 * @example
 * ```ts
 * const source: FileSource = new LocalFileSource(['./transfer']);
 * for await (const item of source.list(signal)) {
 *   if ('file' in item) console.log(item.file.path, item.file.size);
 *   else console.error(item.problem.path, item.problem.error.message);
 * }
 * ```
 */
export interface FileSource {
  /**
   * Yields every file (or the reason an entry could not be listed), one at a
   * time and in a deterministic order; the listing is never held whole.
   * Rejects with `signal.reason` once `signal` is aborted.
   */
  list(signal?: AbortSignal): AsyncIterable<SourceItem>;
  /**
   * The same items in the same order, in batches, when the source finds
   * them in bulk (a listing worker, a page of an S3 listing): cheaper per
   * item for a consumer that takes them in bulk (`CheckEngine.runBatches`).
   */
  listBatches?(signal?: AbortSignal): AsyncIterable<readonly SourceItem[]>;
}
