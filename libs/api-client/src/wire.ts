/**
 * The bodies the results API exchanges, as TypeScript (openapi.yaml is the
 * contract; a test checks that the two agree).
 */
import type { ResultEnvelope } from '@tdr/checks';

/** The API's paths, relative to its base URL (OpenAPI templates). */
export const API_PATHS = {
  submitResults: '/consignments/{consignmentId}/results',
  fileResults: '/files/{fileId}/results',
  completeConsignment: '/consignments/{consignmentId}/complete',
} as const;

/** One result in a submitted batch: the envelope and its idempotency key (`fileId:check:checkVersion`). */
export type ResultSubmission = ResultEnvelope & { readonly idempotencyKey: string };

/** `POST /consignments/{consignmentId}/results` request body. */
export interface SubmitResultsRequest {
  readonly results: readonly ResultSubmission[];
}

/**
 * What the API did with one submitted result:
 * - `applied`: stored (it is now the file's result for that check);
 * - `duplicate`: a result with this idempotency key was applied before; nothing changed;
 * - `stale`: the API holds a result for a newer `checkVersion`; nothing changed;
 * - `invalid`: malformed (see `message`); nothing changed, and sending it again will not help.
 */
export type ResultOutcome = 'applied' | 'duplicate' | 'stale' | 'invalid';

/** Every `ResultOutcome`, in the order of the OpenAPI enum. */
export const RESULT_OUTCOMES: readonly ResultOutcome[] = ['applied', 'duplicate', 'stale', 'invalid'];

/** The API's answer for one submitted result, in the order submitted. */
export interface ResultReceipt {
  readonly idempotencyKey: string;
  readonly outcome: ResultOutcome;
  /** For `stale` and `duplicate`: the `checkVersion` the API holds for this file and check. */
  readonly currentCheckVersion?: string;
  /** For `invalid`: what is wrong. */
  readonly message?: string;
}

/** `POST /consignments/{consignmentId}/results` 200 response body. */
export interface SubmitResultsResponse {
  readonly results: readonly ResultReceipt[];
}

/** A result as the API stores it. */
export type StoredResult = ResultEnvelope & {
  readonly idempotencyKey: string;
  readonly consignmentId: string;
  /** ISO 8601: when the API applied it. */
  readonly receivedAt: string;
};

/** `GET /files/{fileId}/results` 200 response body. */
export interface FileResultsResponse {
  readonly fileId: string;
  /** The current result of each check, keyed by check name. */
  readonly results: Readonly<Record<string, StoredResult>>;
}

/** `POST /consignments/{consignmentId}/complete` request body. */
export interface CompleteConsignmentRequest {
  /** The checks that were run; the API may verify each file has a result for each. */
  readonly checks?: readonly string[];
}

/** `POST /consignments/{consignmentId}/complete` 200 response body. */
export interface CompleteConsignmentResponse {
  readonly consignmentId: string;
  /** ISO 8601. The first completion's time: completing again changes nothing. */
  readonly completedAt: string;
  /** Files with at least one result. */
  readonly files: number;
  /** Results held (one per file and check). */
  readonly results: number;
}

/** Any 4xx/5xx response body (RFC 9457 problem details). */
export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
}
