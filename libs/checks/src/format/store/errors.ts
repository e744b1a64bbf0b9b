import type { SignatureKind } from './names.js';

/**
 * Why fetching or installing one signature file failed:
 *
 * - `BAD_URL`: the configured address is not an http(s) URL;
 * - `NETWORK`: no answer (DNS, refused, reset, TLS);
 * - `TIMEOUT`: no complete answer within the time limit;
 * - `HTTP_STATUS`: the server answered with something other than 2xx;
 * - `TOO_LARGE`: the body is over the size limit;
 * - `TRUNCATED`: the connection ended before the whole body arrived;
 * - `EMPTY`: the body is empty;
 * - `NOT_XML`: the body is not an XML document (an HTML error page, JSON …);
 * - `WRONG_ROOT`: XML, but not a signature file of the kind asked for;
 * - `MALFORMED_XML`: starts like a signature file but is not well-formed;
 * - `BAD_VERSION`: no usable version (binary `Version` attribute, container date);
 * - `BAD_INDEX`: PRONOM's `signatures.json` is not what it should be;
 * - `FILESYSTEM`: the files could not be written or moved into place;
 * - `ABORTED`: cancelled by the caller.
 */
export type SignatureUpdateFailureCode =
  | 'BAD_URL'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP_STATUS'
  | 'TOO_LARGE'
  | 'TRUNCATED'
  | 'EMPTY'
  | 'NOT_XML'
  | 'WRONG_ROOT'
  | 'MALFORMED_XML'
  | 'BAD_VERSION'
  | 'BAD_INDEX'
  | 'FILESYSTEM'
  | 'ABORTED';

/** What was being fetched: one of the two files, or PRONOM's index of the latest ones. */
export type SignatureSource = SignatureKind | 'index';

/** One failure, naming the address it came from. */
export class SignatureDownloadError extends Error {
  override readonly name = 'SignatureDownloadError';
  readonly code: SignatureUpdateFailureCode;
  readonly source: SignatureSource;
  /** The address asked (or the folder, for `FILESYSTEM`). */
  readonly url: string;
  /** The HTTP status, for `HTTP_STATUS`. */
  readonly status?: number;
  /** Whether trying again later may help (network trouble, 5xx, timeouts). */
  readonly retryable: boolean;

  constructor(
    code: SignatureUpdateFailureCode,
    source: SignatureSource,
    url: string,
    message: string,
    options: { status?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.source = source;
    this.url = url;
    if (options.status !== undefined) this.status = options.status;
    this.retryable = options.retryable ?? (code === 'NETWORK' || code === 'TIMEOUT' || code === 'TRUNCATED');
  }
}

/**
 * `updateSignatures` failed: nothing in the folder was changed (the previous
 * files are kept). `failures` holds every problem found, not just the first.
 */
export class SignatureUpdateError extends Error {
  override readonly name = 'SignatureUpdateError';
  readonly dir: string;
  readonly failures: readonly SignatureDownloadError[];

  constructor(dir: string, failures: readonly SignatureDownloadError[]) {
    const lines = failures.map((failure) => `  - ${failure.message}`).join('\n');
    super(`Signature update failed; the files in ${dir} were left as they were.\n${lines}`);
    this.dir = dir;
    this.failures = failures;
  }
}
