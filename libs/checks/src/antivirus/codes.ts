/**
 * Error codes of the antivirus check, beside the shared ones in
 * ../errors.ts (`FILE_NOT_FOUND`, `FILE_CHANGED`, `TIMEOUT`, …). Each ends
 * in `status: error`: a scanner that could not scan never says clean.
 */
export const AntivirusErrorCode = {
  /** No clamd answers at the address (not running, wrong socket, refused). Retryable. */
  Unavailable: 'CLAMD_UNAVAILABLE',
  /** clamd closed the connection before answering (killed, restarted, out of threads). Retryable. */
  ConnectionLost: 'CLAMD_CONNECTION_LOST',
  /** clamd did not answer in time (overloaded, stopped). Retryable. */
  Timeout: 'CLAMD_TIMEOUT',
  /**
   * The file is larger than the scanner will look at (clamd's StreamMaxLength,
   * MaxFileSize, MaxScanSize, MaxRecursion …, or this check's own `maxFileSize`):
   * part of it was never scanned. Not retryable: the same file hits the same limit.
   */
  LimitExceeded: 'SCAN_LIMIT_EXCEEDED',
  /** clamd answered ERROR for a reason not listed above, or something that is not an answer. */
  ScanFailed: 'CLAMD_ERROR',
} as const;
