import { CheckError, ErrorCode } from '@tdr/checks';

/** What the SDK's errors carry that we look at. */
interface ServiceErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** The S3 error code of a thrown SDK error (`NoSuchKey`, `PreconditionFailed`, …) and its HTTP status. */
export function s3ErrorCode(error: unknown): { code: string | undefined; status: number | undefined } {
  if (typeof error !== 'object' || error === null) return { code: undefined, status: undefined };
  const shape = error as ServiceErrorShape;
  return { code: shape.Code ?? shape.name, status: shape.$metadata?.httpStatusCode };
}

/** Whether an SDK error means "no such object" (GET says `NoSuchKey`; HEAD has no body, so only `NotFound`/404). */
export function isNotFound(error: unknown): boolean {
  const { code, status } = s3ErrorCode(error);
  return code === 'NoSuchKey' || code === 'NotFound' || (status === 404 && code !== 'NoSuchBucket');
}

/** Whether an SDK error is a failed `If-Match` / `x-amz-copy-source-if-match` / `If-None-Match` precondition. */
export function isPreconditionFailed(error: unknown): boolean {
  const { code, status } = s3ErrorCode(error);
  return code === 'PreconditionFailed' || status === 412;
}

/**
 * Maps an error from reading an object to the `CheckError` a check reports.
 * `name` is the object as the user knows it (`s3://bucket/key`); `etag` the
 * ETag it had when listed.
 */
export function readError(error: unknown, name: string, etag: string | undefined, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof CheckError) return error;
  const { code, status } = s3ErrorCode(error);
  const detail = describeS3Error(error);
  if (isNotFound(error) || code === 'NoSuchBucket') {
    return new CheckError(ErrorCode.FileNotFound, `${name} no longer exists (it was listed, then deleted) (${detail})`, { cause: error });
  }
  if (isPreconditionFailed(error) || code === 'InvalidRange' || status === 416) {
    return new CheckError(
      ErrorCode.FileChanged,
      `${name} changed after it was listed (it no longer has ETag ${etag ?? '?'}: overwritten) (${detail})`,
      { retryable: true, cause: error },
    );
  }
  if (code === 'AccessDenied' || status === 403) {
    return new CheckError(ErrorCode.PermissionDenied, `no permission to read ${name} (${detail})`, { cause: error });
  }
  // The SDK has already retried what it thinks is transient (throttling, 5xx, resets).
  const retryable = status === undefined || status >= 500 || status === 429 || code === 'SlowDown' || code === 'RequestTimeout';
  return new CheckError(ErrorCode.ReadError, `cannot read ${name} (${detail})`, { retryable, cause: error });
}

/** `NoSuchKey (404): The specified key does not exist.` for messages. */
export function describeS3Error(error: unknown): string {
  const { code, status } = s3ErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined && status === undefined) return message;
  const head = `${code ?? 'error'}${status === undefined ? '' : ` (${status})`}`;
  return message && message !== code && message !== 'UnknownError' ? `${head}: ${message}` : head;
}
