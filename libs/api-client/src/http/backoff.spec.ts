import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './backoff.js';

describe('backoffDelay (full jitter)', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws below a ceiling that doubles each retry, up to the cap', () => {
    const ceiling = (retry: number): number => backoffDelay(retry, options, () => 0.999999) + 1;
    expect([1, 2, 3, 4, 5, 6].map(ceiling)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('can be anything from zero (full jitter, not equal jitter)', () => {
    expect(backoffDelay(5, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  it('reads an HTTP date, relative to now, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:27:30 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
  });
});

it('retries 408, 429 and 5xx, nothing else', () => {
  expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
  expect([200, 400, 401, 403, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false);
});
