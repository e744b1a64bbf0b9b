import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { envelope, envelopes } from '../test-support/envelopes.js';
import { ResultsApiServer } from '../testing/results-api-server.js';
import { ResultsApiClient, expand, type ResultsApiClientOptions } from './results-api-client.js';

let server: ResultsApiServer;
let waits: number[];
const clients: ResultsApiClient[] = [];

beforeEach(async () => {
  server = await ResultsApiServer.start({ token: 't' });
  waits = [];
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

/** A client whose waits are recorded, not slept (like fake timers, for a real server). */
function client(options: Partial<ResultsApiClientOptions> = {}): ResultsApiClient {
  const made = new ResultsApiClient({
    url: server.url,
    token: 't',
    retry: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 8, maxElapsedMs: 120_000 },
    requestsPerSecond: 1000,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...options,
  });
  clients.push(made);
  return made;
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('ResultsApiClient', () => {
  it('waits a full-jitter backoff between retries, doubling up to the cap', async () => {
    server.failNext(6, 500);
    const { results } = await client().submitResults('c1', envelopes(2));
    expect(results.map((receipt) => receipt.outcome)).toEqual(['applied', 'applied']);
    expect(waits).toEqual([50, 100, 200, 400, 500, 500]); // half of 100, 200, 400, 800, 1000, 1000
  });

  it('gives up at once when Retry-After asks for longer than it may still wait', async () => {
    server.throttleNext(1, '600');
    const error = await apiError(client().submitResults('c1', envelopes(1)));
    expect(error).toMatchObject({ status: 429, retriesExhausted: true, attempts: 1 });
    expect(error.message).toMatch(/next wait 600000 ms would pass the 120000 ms allowed/);
    expect(waits).toEqual([]);
  });

  it('stops when its signal aborts, between attempts too', async () => {
    const controller = new AbortController();
    server.failNext(100);
    const api = client({ signal: controller.signal, sleep: async () => controller.abort(new Error('Ctrl-C')) });
    const error = await apiError(api.submitResults('c1', envelopes(1)));
    expect(error.message).toMatch(/cancelled \(Ctrl-C\)/);
    expect(error.retriesExhausted).toBe(false);
  });

  it('reads results of files whose ids are paths, and says when there are none', async () => {
    const api = client();
    await api.submitResults('c1', [{ ...envelope(1), fileId: 'transfer/sub/a b%.pdf' }]);
    expect((await api.getFileResults('transfer/sub/a b%.pdf'))?.results['checksum']?.fileId).toBe('transfer/sub/a b%.pdf');
    expect(await api.getFileResults('transfer/sub')).toBeUndefined();
    expect(server.requests.at(-2)?.path).toBe('/files/transfer%2Fsub%2Fa%20b%25.pdf/results');
  });

  it('completes a consignment once; completing again changes nothing', async () => {
    const api = client();
    await api.submitResults('c1', envelopes(3));
    const first = await api.completeConsignment('c1');
    const again = await api.completeConsignment('c1', { checks: ['checksum'] });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ consignmentId: 'c1', files: 3, results: 3 });
    // No new result after it; one it already holds is still answered, as a duplicate.
    const error = await apiError(api.submitResults('c1', [envelope(9)]));
    expect(error).toMatchObject({ status: 409, retriesExhausted: false });
    expect((await api.submitResults('c1', envelopes(1))).results).toEqual([{ idempotencyKey: 'f0:checksum:1.0.0', outcome: 'duplicate', currentCheckVersion: '1.0.0' }]);
  });

  it('keeps to its rate limit, retries included', async () => {
    server.failNext(3);
    const api = client({ requestsPerSecond: 20, sleep: undefined, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 22 }, (_, i) => api.getFileResults(`f${i}`)));
    // 25 requests, 20 of them in the first burst: the other 5 a twentieth of a second apart.
    expect(server.requests).toHaveLength(25);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('works the same over fetch', async () => {
    server.dropNext(1).throttleNext(1, '0');
    const api = client({ transport: 'fetch' });
    const { results } = await api.submitResults('c1', envelopes(3));
    expect(results).toHaveLength(3);
    expect(server.requests.map((request) => request.outcome)).toEqual(['dropped', 429, 200]);
    expect(waits).toEqual([50, 0]);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new ResultsApiClient({ url: 'ftp://example.org' })).toThrow(/http or https, not ftp:/);
  });
});

it('expand fills and percent-encodes path templates', () => {
  expect(expand('/files/{fileId}/results', { fileId: 'a/b c' })).toBe('/files/a%2Fb%20c/results');
  expect(() => expand('/files/{fileId}/results', {})).toThrow(/no value for \{fileId\}/);
});
