import type { CheckErrorInfo } from './types.js';

/**
 * Error codes shared by the engine, the checks and the file sources. Checks
 * may add their own codes; these are the ones whose meaning is fixed.
 */
export const ErrorCode = {
  /** The file was listed but is gone. */
  FileNotFound: 'FILE_NOT_FOUND',
  /** The file exists but this process may not read it. */
  PermissionDenied: 'PERMISSION_DENIED',
  /** A directory, FIFO, socket or device where a regular file was expected. */
  NotARegularFile: 'NOT_A_REGULAR_FILE',
  /** Size or modification time changed between listing and reading, or during the read. */
  FileChanged: 'FILE_CHANGED',
  /** A file name that is not valid UTF-8: no text path can name it; the file must be renamed. */
  InvalidFileName: 'INVALID_FILE_NAME',
  /** A symbolic link that leads back to one of its own parent folders, or to itself. */
  SymlinkLoop: 'SYMLINK_LOOP',
  /** The operating system failed to read the bytes (I/O error, too many open files, …). */
  ReadError: 'READ_ERROR',
  /** The check's time budget for this file was spent. */
  Timeout: 'TIMEOUT',
  /** The run was cancelled before this check finished. */
  Aborted: 'ABORTED',
  /** The check is missing something it needs (signatures, a server) to decide. */
  NotConfigured: 'NOT_CONFIGURED',
  /** The check threw something that is not a CheckError: a bug, reported as such. */
  Internal: 'INTERNAL_ERROR',
} as const;

export type KnownErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error type a check or a FileRef throws to say "cannot decide, and
 * here is why". Anything else thrown from a check is reported as
 * `INTERNAL_ERROR`.
 */
export class CheckError extends Error implements CheckErrorInfo {
  override readonly name = 'CheckError';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): CheckErrorInfo {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** Turns anything thrown into the `error` part of an envelope. */
export function toCheckErrorInfo(error: unknown): CheckErrorInfo {
  if (error instanceof CheckError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message: `unexpected error: ${message}`, retryable: false };
}

/** Whether a thrown value is a Node.js system error with a `code` (ENOENT, …). */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * Maps a file-system error to a CheckError with a code a person and a
 * program can act on. `path` is the name to show (relative, as the user
 * knows it).
 */
export function checkErrorFromFsError(error: unknown, path: string): CheckError {
  if (error instanceof CheckError) return error;
  if (!isErrnoException(error)) {
    return new CheckError(ErrorCode.ReadError, `cannot read ${path}: ${String(error)}`, { cause: error });
  }
  const detail = `${error.code}: ${error.message.replace(/^[A-Z]+: /, '')}`;
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new CheckError(ErrorCode.FileNotFound, `${path} no longer exists (it was listed, then removed or renamed)`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new CheckError(ErrorCode.PermissionDenied, `no permission to read ${path}`, { cause: error });
    case 'ELOOP':
      return new CheckError(ErrorCode.SymlinkLoop, `${path} is a symbolic link that loops back on itself`, {
        cause: error,
      });
    case 'EISDIR':
      return new CheckError(ErrorCode.NotARegularFile, `${path} is a directory, not a file`, { cause: error });
    case 'ENXIO': // opening a socket, or a device with nothing behind it
      return new CheckError(ErrorCode.NotARegularFile, `${path} is not a regular file (${detail})`, { cause: error });
    case 'EMFILE':
    case 'ENFILE':
    case 'EAGAIN':
    case 'EBUSY':
    case 'EIO':
    case 'ETIMEDOUT':
    case 'ESTALE':
      return new CheckError(ErrorCode.ReadError, `cannot read ${path} (${detail})`, { retryable: true, cause: error });
    default:
      return new CheckError(ErrorCode.ReadError, `cannot read ${path} (${detail})`, { cause: error });
  }
}
