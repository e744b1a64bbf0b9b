/** When to try again: exponential backoff with full jitter, and `Retry-After`. */

/** How a request is retried. Every field has a default (see `DEFAULT_RETRY`). */
export interface RetryOptions {
  /** Most requests made for one call, the first included. */
  readonly maxAttempts: number;
  /** Give up once this much time has passed since the first attempt (ms), rather than wait past it. */
  readonly maxElapsedMs: number;
  /** The backoff's first ceiling (ms): attempt n waits a random time in [0, min(cap, base × 2ⁿ⁻¹)). */
  readonly baseDelayMs: number;
  /** The backoff's largest ceiling (ms). */
  readonly maxDelayMs: number;
}

/** 8 attempts within 2 minutes, ceilings 100 ms, 200 ms, … up to 10 s. */
export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 8, maxElapsedMs: 120_000, baseDelayMs: 100, maxDelayMs: 10_000 };

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
 * uniformly random wait below an exponentially growing, capped ceiling.
 * `retry` counts from 1 (the wait before the second attempt).
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 10_000 }); // somewhere in [0, 400) ms
 * ```
 */
export function backoffDelay(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP
 * date (RFC 9110 §10.2.3). Undefined when absent or unreadable; never negative.
 *
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:30 GMT')); // 30000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - now);
}

/** Whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}
