/**
 * Why a file could not be routed. Routing throws the same `CheckError` the
 * rest of tdr-checks throws (so a runner reports it the same way, and its
 * `toJSON()` is the `{ code, message, retryable }` of a result envelope), with
 * codes of its own for what only a copy can run into. Problems with the
 * source keep the codes the checks use for them (`FILE_NOT_FOUND`,
 * `FILE_CHANGED`, …): it is the same file, and the same fact.
 */
import { CheckError, isErrnoException } from '@tdr/checks';

/** Error codes of routing, besides the file codes of `ErrorCode` from @tdr/checks. */
export const RoutingErrorCode = {
  /** The destination already holds a different file (or a folder) under that name; it is never overwritten. */
  DestinationExists: 'DESTINATION_EXISTS',
  /** The destination is the folder being checked or inside it, so its copies would be listed and checked again. */
  DestinationInsideSource: 'DESTINATION_INSIDE_SOURCE',
  /** The clean and the quarantine destination are the same place, or one is inside the other. */
  DestinationsOverlap: 'DESTINATIONS_OVERLAP',
  /** The destination cannot be created or written (permissions, read-only file system, a file where a folder should be). */
  DestinationNotWritable: 'DESTINATION_NOT_WRITABLE',
  /** Writing the copy failed part-way (disk full, I/O error); nothing was left under the final name. */
  CopyFailed: 'COPY_FAILED',
  /** The copy's SHA-256 is not the checksum recorded when the file was checked: the source changed after it was checked. */
  ChecksumMismatch: 'ROUTING_CHECKSUM_MISMATCH',
  /** With `move`: the copy is done and verified, but the source could not be removed. */
  SourceNotRemoved: 'SOURCE_NOT_REMOVED',
  /** A relative path that would leave the destination (`..`, absolute, empty segments) or cannot be a file name. */
  InvalidPath: 'INVALID_ROUTING_PATH',
} as const;

export type RoutingErrorCodeValue = (typeof RoutingErrorCode)[keyof typeof RoutingErrorCode];

/** errno codes after which writing again later may work (space freed, a network file system back). */
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'ETIMEDOUT', 'ESTALE']);

/** `ENOSPC: no space left on device` for messages, or the thrown value as text. */
export function describeFsError(error: unknown): string {
  if (isErrnoException(error)) return `${error.code}: ${error.message.replace(/^[A-Z]+: /, '')}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps an error from writing into the destination to a `CheckError`.
 * `doing` says what was being done, for the message (`copying sub/a.pdf to /clean`).
 */
export function destinationError(error: unknown, doing: string): CheckError {
  if (error instanceof CheckError) return error;
  const code = isErrnoException(error) ? error.code : undefined;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
    return new CheckError(
      RoutingErrorCode.DestinationNotWritable,
      `${doing} failed: the destination cannot be written (${describeFsError(error)})`,
      { cause: error },
    );
  }
  return new CheckError(RoutingErrorCode.CopyFailed, `${doing} failed (${describeFsError(error)}); nothing was left under the final name`, {
    retryable: code !== undefined && TRANSIENT.has(code),
    cause: error,
  });
}
