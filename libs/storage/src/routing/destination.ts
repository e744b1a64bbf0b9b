import type { RouteSource } from './route-source.js';

/** What a `Destination.put` did. */
export interface PutReceipt {
  /**
   * `copied`: the copy was written, made durable and verified.
   * `already-there`: the destination already held an identical file (same
   * size and SHA-256), e.g. from an earlier run; nothing was written.
   */
  readonly status: 'copied' | 'already-there';
  /** Where the copy is, in the destination's own terms: an absolute path, or `s3://bucket/key`. */
  readonly location: string;
  /** Size of the copy in bytes. */
  readonly size: number;
  /** SHA-256 of the copy as read back from the destination (lowercase hex). */
  readonly sha256: string;
}

/** What a copy must hold, to `confirm` it. */
export interface ExpectedContent {
  readonly size: number;
  /** Lowercase hex. */
  readonly sha256: string;
}

/**
 * A place checked files are copied to: the clean or the quarantine folder
 * (`LocalFolderDestination`), or an S3 bucket and prefix (`S3Destination`
 * from `@tdr/storage/s3`). A destination is written only through
 * `put`, which is all-or-nothing and idempotent, so a runner may simply run
 * again after a crash.
 *
 * The contract every implementation keeps:
 * - `put` leaves the final name either absent or holding the complete,
 *   verified copy — never a partial one, whatever happens meanwhile (crash,
 *   kill, full disk). Partial data lives only under names a later `open`
 *   recognises as debris and removes.
 * - `put` never overwrites: a different object under the name is the
 *   `DESTINATION_EXISTS` error; an identical one makes `put` a no-op.
 * - `put` resolves only once the copy is durable (a local folder: file and
 *   folder fsynced; S3: the PUT or copy acknowledged), so a caller may then
 *   remove the source.
 * - Errors are `CheckError`s with the codes of `RoutingErrorCode` (and the
 *   file codes of @tdr/checks for a source that vanished or changed).
 *
 * @example
 * ```ts
 * const clean: Destination = new LocalFolderDestination('/archive/clean');
 * await clean.open();
 * const receipt = await clean.put({ path: 'sub/a.pdf', localPath: '/in/sub/a.pdf', size: 1234 }, 'sub/a.pdf');
 * console.log(receipt.status, receipt.location, receipt.sha256);
 * ```
 */
export interface Destination {
  /** Where it is, for messages: an absolute folder path, or `s3://bucket/prefix/`. */
  readonly location: string;
  /**
   * Gets ready before the first `put`: creates the destination if needed,
   * makes sure it can be written (so a run fails at once, not after an
   * hour of checks), and removes debris of interrupted earlier runs. Safe to
   * call more than once; `put` calls it itself.
   */
  open(signal?: AbortSignal): Promise<void>;
  /**
   * Copies `source` to `relativePath` under the destination (creating what
   * folders it needs) and verifies the copy: its size, and its SHA-256
   * against `source.sha256` when given. Resolves once the copy is durable.
   */
  put(source: RouteSource, relativePath: string, signal?: AbortSignal): Promise<PutReceipt>;
  /**
   * Whether `relativePath` holds exactly `expected` (size and SHA-256):
   * `false` when there is nothing under the name or something different.
   */
  confirm(relativePath: string, expected: ExpectedContent, signal?: AbortSignal): Promise<boolean>;
}
