import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ResultEnvelope } from '@tdr/checks';
import { ApiError } from '../errors.js';
import { idempotencyKey } from '../idempotency.js';
import {
  API_PATHS,
  type CompleteConsignmentRequest,
  type CompleteConsignmentResponse,
  type FileResultsResponse,
  type SubmitResultsResponse,
} from '../wire.js';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryOptions } from './backoff.js';
import { TokenBucket } from './token-bucket.js';
import { createTransport, type Transport, type TransportKind, type TransportResponse } from './transport.js';

/** How to reach the results API, and how hard to try. */
export interface ResultsApiClientOptions {
  /** The API's base URL; the paths of openapi.yaml are appended to it (`https://api.example/v1`). */
  readonly url: string | URL;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Time allowed for one request, answer read in full (ms). Default 30 s. */
  readonly timeoutMs?: number;
  /** Retries of network errors, timeouts, 408, 429 and 5xx. Defaults: `DEFAULT_RETRY`. */
  readonly retry?: Partial<RetryOptions>;
  /** Most requests per second, retries included (a token bucket). Default 50. */
  readonly requestsPerSecond?: number;
  /** Most connections open at once. Default 4. */
  readonly maxSockets?: number;
  /** The HTTP stack. Default `node:http` (keep-alive agent, `maxSockets`); `fetch` measured the same in `npm run bench`. */
  readonly transport?: TransportKind;
  /** Cancels every request, and every wait between them, of this client. */
  readonly signal?: AbortSignal;
  /** Waits between retries. For tests and simulations; default a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random numbers in [0, 1) for the jitter. Default `Math.random`. */
  readonly random?: () => number;
}

/** The default time allowed for one request. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The default rate limit. */
export const DEFAULT_REQUESTS_PER_SECOND = 50;

interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly what: string;
}

/**
 * The results API of openapi.yaml, one call per operation. Each call retries
 * what may succeed later (network errors, timeouts, 408, 429, 5xx) with
 * exponential backoff and full jitter, honouring `Retry-After`, within a
 * rate limit; it throws an `ApiError` for anything else, or when the retries
 * run out.
 *
 * @example
 * ```ts
 * const api = new ResultsApiClient({ url: 'https://results.example/v1', token });
 * const { results } = await api.submitResults('consignment-1', envelopes);
 * results.filter((receipt) => receipt.outcome === 'stale'); // a newer check version is stored
 * await api.completeConsignment('consignment-1');
 * api.close();
 * ```
 */
export class ResultsApiClient {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #retry: RetryOptions;
  readonly #limiter: TokenBucket;
  readonly #transport: Transport;
  readonly #signal: AbortSignal | undefined;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  /**
   * Part of every batch's `Idempotency-Key`: a retry of a batch (its answer
   * lost) gets the answer the API gave the first time, but a later run
   * sending the same results is a new batch, and learns they are duplicates
   * instead of being handed the first run's `applied`.
   */
  readonly #batchKeyNonce = randomUUID();

  constructor(options: ResultsApiClientOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`the results API URL must be http or https, not ${base.protocol}`);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#base = base;
    this.#headers = {
      accept: 'application/json',
      'user-agent': 'tdr-checks/@tdr/api-client',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    };
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#limiter = new TokenBucket(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
    this.#transport = createTransport(options.transport ?? 'node:http', options.maxSockets ?? 4);
    this.#signal = options.signal;
    this.#sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));
    this.#random = options.random ?? Math.random;
  }

  /** `POST /consignments/{consignmentId}/results`: one receipt per envelope, in order. */
  async submitResults(consignmentId: string, envelopes: readonly ResultEnvelope[], signal?: AbortSignal): Promise<SubmitResultsResponse> {
    return this.submitSerialized(
      consignmentId,
      envelopes.map((envelope) => ({ key: idempotencyKey(envelope), json: JSON.stringify(envelope) })),
      signal,
    );
  }

  /**
   * As `submitResults`, for envelopes already serialized (`json`: an
   * envelope's JSON object text; `key`: its idempotency key). The sink uses it
   * to serialize each envelope once.
   */
  async submitSerialized(consignmentId: string, items: readonly SerializedResult[], signal?: AbortSignal): Promise<SubmitResultsResponse> {
    let body = '{"results":[';
    const batchKey = createHash('sha256').update(this.#batchKeyNonce).update('\n').update(consignmentId);
    for (let i = 0; i < items.length; i++) {
      const { key, json } = items[i];
      if (i > 0) body += ',';
      body += `{"idempotencyKey":${JSON.stringify(key)},${json.slice(1)}`;
      batchKey.update('\n').update(key);
    }
    body += ']}';
    const what = `submitting ${items.length} results for consignment ${consignmentId}`;
    const response = await this.#request(
      {
        method: 'POST',
        path: expand(API_PATHS.submitResults, { consignmentId }),
        body,
        headers: { 'idempotency-key': batchKey.digest('base64url') },
        what,
      },
      signal,
    );
    const answer = this.#json<SubmitResultsResponse>(response, what);
    if (!Array.isArray(answer.results) || answer.results.length !== items.length) {
      throw new ApiError(`${what}: the API answered ${response.status} with ${answer.results?.length ?? 'no'} receipts for ${items.length} results`, response.status, false, 1);
    }
    return answer;
  }

  /** `GET /files/{fileId}/results`: the current result per check, or undefined when the API knows no results for the file. */
  async getFileResults(fileId: string, signal?: AbortSignal): Promise<FileResultsResponse | undefined> {
    const what = `reading the results of file ${fileId}`;
    const response = await this.#request({ method: 'GET', path: expand(API_PATHS.fileResults, { fileId }), what }, signal);
    if (response.status === 404) return undefined;
    return this.#json<FileResultsResponse>(response, what);
  }

  /** `POST /consignments/{consignmentId}/complete`: marks its checks complete (idempotent). */
  async completeConsignment(consignmentId: string, request: CompleteConsignmentRequest = {}, signal?: AbortSignal): Promise<CompleteConsignmentResponse> {
    const what = `completing consignment ${consignmentId}`;
    const response = await this.#request(
      { method: 'POST', path: expand(API_PATHS.completeConsignment, { consignmentId }), body: JSON.stringify(request), what },
      signal,
    );
    return this.#json<CompleteConsignmentResponse>(response, what);
  }

  /** Closes idle connections. Requests still running finish. */
  close(): void {
    this.#transport.close();
  }

  /** Sends a request, retrying what may succeed later; returns any answer that is not worth retrying. */
  async #request(spec: RequestSpec, callSignal: AbortSignal | undefined): Promise<TransportResponse> {
    const signal = anySignal([this.#signal, callSignal]);
    const url = new URL(spec.path.slice(1), this.#base);
    const headers = { ...this.#headers, ...spec.headers, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) };
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      let status: number | undefined;
      let wait: number | undefined;
      let cause: unknown;
      try {
        await this.#limiter.take(signal);
      } catch {
        throw cancelled(spec.what, signal, status, attempt - 1);
      }
      try {
        const timeout = AbortSignal.timeout(this.#timeoutMs);
        const response = await this.#transport.send({
          method: spec.method,
          url,
          headers,
          ...(spec.body === undefined ? {} : { body: spec.body }),
          signal: anySignal([signal, timeout]) ?? timeout,
        });
        if (!isRetryableStatus(response.status)) return response;
        status = response.status;
        failure = `the API answered ${response.status}${problemDetail(response)}`;
        wait = parseRetryAfter(response.header('retry-after'));
      } catch (error) {
        if (signal?.aborted) throw cancelled(spec.what, signal, undefined, attempt);
        cause = error;
        failure = isTimeout(error) ? `no answer within ${this.#timeoutMs} ms` : `network error: ${reason(error)}`;
      }
      const delay = wait ?? backoffDelay(attempt, this.#retry, this.#random);
      const elapsed = performance.now() - started;
      if (attempt >= this.#retry.maxAttempts || elapsed + delay > this.#retry.maxElapsedMs) {
        const budget = attempt >= this.#retry.maxAttempts ? `${attempt} attempts` : `${Math.round(elapsed)} ms (next wait ${delay} ms would pass the ${this.#retry.maxElapsedMs} ms allowed)`;
        throw new ApiError(`${spec.what}: gave up after ${budget}; last: ${failure}`, status, true, attempt, { cause });
      }
      try {
        await this.#sleep(delay, signal);
        signal?.throwIfAborted();
      } catch {
        throw cancelled(spec.what, signal, status, attempt);
      }
    }
  }

  #json<T>(response: TransportResponse, what: string): T {
    if (response.status < 200 || response.status > 299) {
      throw new ApiError(`${what}: the API answered ${response.status}${problemDetail(response)}`, response.status, false, 1);
    }
    try {
      return JSON.parse(response.body) as T;
    } catch (error) {
      throw new ApiError(`${what}: the API answered ${response.status} with a body that is not JSON`, response.status, false, 1, { cause: error });
    }
  }
}

/** An envelope serialized once: its idempotency key and its JSON text. */
export interface SerializedResult {
  readonly key: string;
  readonly json: string;
}

/**
 * Fills an OpenAPI path template, percent-encoding each value.
 *
 * @example
 * ```ts
 * expand(API_PATHS.fileResults, { fileId: 'transfer/a.pdf' }); // '/files/transfer%2Fa.pdf/results'
 * ```
 */
export function expand(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === '') throw new TypeError(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

function cancelled(what: string, signal: AbortSignal | undefined, status: number | undefined, attempts: number): ApiError {
  return new ApiError(`${what}: cancelled (${reason(signal?.reason)})`, status, false, attempts, { cause: signal?.reason });
}

function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.cause instanceof Error && error.cause.name === 'TimeoutError'));
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

function problemDetail(response: TransportResponse): string {
  try {
    const problem = JSON.parse(response.body) as { title?: unknown; detail?: unknown };
    const text = [problem.title, problem.detail].filter((part) => typeof part === 'string' && part !== '').join(': ');
    return text === '' ? '' : ` (${text})`;
  } catch {
    return '';
  }
}
