/**
 * @tdr/api-client — where results go: `ResultSink`s for the results API of
 * openapi.yaml (batching, retries, rate limit, dead letters), JSON-lines
 * files and standard output; and the API's client and wire types.
 */
export type { HasResults, ResultSink } from './result-sink.js';
export { envelopesOf } from './result-sink.js';
export { idempotencyKey } from './idempotency.js';
export { compareCheckVersions, isCheckVersion } from './check-version.js';
export { ApiError, DeliveryError } from './errors.js';
export { DeadLetterFile, readDeadLetters } from './dead-letter.js';
export { HttpResultSink } from './http/http-result-sink.js';
export type { DeliveryStats, HttpResultSinkOptions } from './http/http-result-sink.js';
export { DEFAULT_REQUESTS_PER_SECOND, DEFAULT_TIMEOUT_MS, ResultsApiClient, expand } from './http/results-api-client.js';
export type { ResultsApiClientOptions, SerializedResult } from './http/results-api-client.js';
export { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter } from './http/backoff.js';
export type { RetryOptions } from './http/backoff.js';
export { TokenBucket } from './http/token-bucket.js';
export type { TransportKind } from './http/transport.js';
export { JsonLinesFileSink } from './file/json-lines-file-sink.js';
export type { JsonLinesFileSinkOptions } from './file/json-lines-file-sink.js';
export { StdoutSink } from './file/stdout-sink.js';
export { API_PATHS, RESULT_OUTCOMES } from './wire.js';
export type {
  CompleteConsignmentRequest,
  CompleteConsignmentResponse,
  FileResultsResponse,
  Problem,
  ResultOutcome,
  ResultReceipt,
  ResultSubmission,
  StoredResult,
  SubmitResultsRequest,
  SubmitResultsResponse,
} from './wire.js';
