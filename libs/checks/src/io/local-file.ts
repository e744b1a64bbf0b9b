/**
 * The rules every reader of a local file follows, in one place: the
 * `FileRef` of @tdr/storage and the hashing worker of the checksum check both
 * open files with these flags and judge them with these functions, so a file
 * that changed under us is reported the same way whoever noticed.
 */
import { constants, type BigIntStats, type Stats } from 'node:fs';
import { CheckError, ErrorCode } from '../errors.js';

/**
 * `O_NONBLOCK` so that opening a FIFO (a file swapped for one after listing)
 * returns at once instead of waiting for a writer; it changes nothing for
 * regular files.
 */
export const LOCAL_OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Either kind of `stat` result. Plain `Stats` are cheaper (no BigInt per
 * field: measurable when hashing thousands of small files); compare
 * identities taken from the same kind.
 */
export type AnyStats = Stats | BigIntStats;

/** The facts that tell whether a file is still the one that was listed. */
export interface FileIdentity {
  readonly size: number;
  /** Modification time in milliseconds, with its fraction (sub-microsecond resolution). */
  readonly mtimeMs: number;
}

export function identityOf(stat: AnyStats): FileIdentity {
  return {
    size: Number(stat.size),
    mtimeMs: typeof stat.mtimeMs === 'bigint' ? Number((stat as BigIntStats).mtimeNs) / 1e6 : stat.mtimeMs,
  };
}

/** "a FIFO", "a socket", …, for messages about things that are not regular files. */
export function kindOf(stat: Pick<AnyStats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink'>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** What a listing saw of a file (see `FileRef.size` and `FileRef.lastModified`). */
export interface ListedFacts {
  readonly size: number;
  /** ISO 8601, millisecond precision, when the listing recorded it. */
  readonly lastModified?: string;
}

/**
 * Judges a file just opened: it must be a regular file with the size (and,
 * when the listing recorded it, the modification time) it had when listed,
 * so a file rewritten between listing and reading is not reported under
 * facts that belong to its old content. Returns its identity, to compare
 * with after reading.
 */
export function checkOpened(stat: AnyStats, listed: ListedFacts, path: string): FileIdentity {
  if (!stat.isFile()) {
    throw new CheckError(ErrorCode.NotARegularFile, `${path} is ${kindOf(stat)}; only regular files are checked`);
  }
  const identity = identityOf(stat);
  const listedMs = listed.lastModified === undefined ? undefined : Date.parse(listed.lastModified);
  // A millisecond of slack: listings that read times as floating-point milliseconds can round up.
  if (identity.size !== listed.size || (listedMs !== undefined && Math.abs(identity.mtimeMs - listedMs) > 1)) {
    throw new CheckError(
      ErrorCode.FileChanged,
      `${path} changed after it was listed (size ${listed.size} → ${identity.size} bytes, modified ${new Date(identity.mtimeMs).toISOString()}); check it again once it is no longer being written`,
      { retryable: true },
    );
  }
  return identity;
}

/** Judges a file after its bytes were read: same size, same modification time. */
export function checkUnchanged(before: FileIdentity, after: AnyStats, path: string): void {
  const now = identityOf(after);
  if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
    throw new CheckError(
      ErrorCode.FileChanged,
      `${path} was modified while it was being read (size ${before.size} → ${now.size} bytes); check it again once it is no longer being written`,
      { retryable: true },
    );
  }
}

/** The file ended before `size` bytes: it was truncated after it was opened. */
export function truncatedError(path: string, expected: number, got: number): CheckError {
  return new CheckError(
    ErrorCode.FileChanged,
    `${path} was truncated while it was being read (expected ${expected} bytes, found ${got})`,
    { retryable: true },
  );
}
