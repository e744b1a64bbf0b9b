import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultEnvelope } from '@tdr/checks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readDeadLetters } from '../dead-letter.js';
import { ApiError, DeliveryError } from '../errors.js';
import { envelope, envelopes } from '../test-support/envelopes.js';
import { ResultsApiServer } from '../testing/results-api-server.js';
import { HttpResultSink, type HttpResultSinkOptions } from './http-result-sink.js';

const TOKEN = 'secret-token';
let server: ResultsApiServer;
let dir: string;

beforeEach(async () => {
  server = await ResultsApiServer.start({ token: TOKEN });
  dir = await mkdtemp(join(tmpdir(), 'api-client-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A sink with tiny backoff, so retries cost milliseconds. */
function sink(options: Partial<HttpResultSinkOptions> = {}): HttpResultSink {
  return new HttpResultSink({
    url: server.url,
    token: TOKEN,
    consignmentId: 'c1',
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 5 },
    deadLetterPath: join(dir, 'dead.jsonl'),
    requestsPerSecond: 1000,
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('HttpResultSink against the test server', () => {
  it('delivers in batches by count, with a bearer token and idempotency keys', async () => {
    const results = sink({ maxBatchSize: 500 });
    await results.write(envelopes(1200));
    await results.close();
    expect(results.stats).toMatchObject({ written: 1200, applied: 1200, batches: 3, deadLettered: 0 });
    const posts = server.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(3);
    expect(posts[0]?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(posts[0]?.headers['idempotency-key']).toMatch(/^[\w-]{43}$/);
    expect(server.storedResults()[0]).toMatchObject({ fileId: 'f0', idempotencyKey: 'f0:checksum:1.0.0', consignmentId: 'c1' });
    const read = await sink().api.getFileResults('f7');
    expect(read?.results['checksum']).toMatchObject({ fileId: 'f7', checkVersion: '1.0.0', status: 'completed' });
    expect(await sink().api.getFileResults('nobody')).toBeUndefined();
  });

  it('batches by bytes, and sends a partial batch after maxBatchDelayMs without a flush', async () => {
    const results = sink({ maxBatchBytes: 2000, maxBatchDelayMs: 20 });
    await results.write(envelopes(20)); // ~330 bytes each: 6 a batch
    await vi.waitFor(() => expect(results.stats.applied).toBe(20), { timeout: 2000, interval: 5 });
    expect(results.stats.batches).toBe(4);
    await results.close();
  });

  it('retries 503s and dropped connections, then succeeds', async () => {
    server.failNext(2).dropNext(1);
    const results = sink();
    await results.write(envelopes(10));
    await results.close();
    expect(results.stats).toMatchObject({ applied: 10, deadLettered: 0 });
    expect(server.requests.map((request) => request.outcome)).toEqual(['dropped', 503, 503, 200]);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number): Promise<void> => void waits.push(ms);
    server.throttleNext(1, '3').throttleNext(1, new Date(Date.now() + 60_000).toUTCString());
    const results = sink({ sleep, retry: { maxAttempts: 5, maxElapsedMs: 120_000, baseDelayMs: 1, maxDelayMs: 5 } });
    await results.write(envelopes(5));
    await results.close();
    expect(results.stats.applied).toBe(5);
    expect(waits[0]).toBe(3000);
    expect(waits[1]).toBeGreaterThan(55_000);
    expect(waits[1]).toBeLessThanOrEqual(60_000);
  });

  it('applies a result once when the answer was lost and the batch is sent again', async () => {
    server.dropNext(1, 'after'); // applied, but the client never hears it
    const results = sink();
    await results.write(envelopes(50));
    await results.close();
    expect(server.requests.map((request) => request.outcome)).toEqual(['dropped', 200]);
    expect([...server.appliedCount.values()].every((count) => count === 1)).toBe(true);
    expect(server.appliedCount.size).toBe(50);
    expect(results.stats).toMatchObject({ applied: 50, duplicate: 0 }); // the batch's first answer, replayed
  });

  it('applies duplicate deliveries once', async () => {
    const first = sink();
    await first.write(envelopes(30));
    await first.close();
    const again = sink({ maxBatchSize: 7 });
    await again.write([...envelopes(30), envelope(3)]);
    await again.close();
    expect(again.stats).toMatchObject({ applied: 0, duplicate: 31 });
    expect(server.storedResults()).toHaveLength(30);
    expect([...server.appliedCount.values()].every((count) => count === 1)).toBe(true);
  });

  it('tells a re-run its results were duplicates, though it sends the very same batches', async () => {
    const first = sink();
    await first.write(envelopes(30));
    await first.close();
    const rerun = sink();
    await rerun.write(envelopes(30));
    await rerun.close();
    // Not the first run's answer replayed (30 applied): the batch key is the run's own.
    expect(rerun.stats).toMatchObject({ applied: 0, duplicate: 30 });
  });

  it('never lets an older check version replace a newer one', async () => {
    const results = sink();
    await results.write([envelope(1, '1.10.0')]);
    await results.flush();
    await results.write([envelope(1, '1.9.0'), envelope(1, '1.10.0-rc.1')]);
    await results.flush();
    expect(results.stats).toMatchObject({ applied: 1, stale: 2 });
    expect((await results.api.getFileResults('f1'))?.results['checksum']?.checkVersion).toBe('1.10.0');
    await results.write([envelope(1, '2.0.0')]);
    await results.close();
    expect(results.stats.applied).toBe(2);
    expect((await sink().api.getFileResults('f1'))?.results['checksum']?.checkVersion).toBe('2.0.0');
  });

  it('lets a completed result replace an error of the same version', async () => {
    const failed: ResultEnvelope = {
      ...envelope(1),
      status: 'error',
      error: { code: 'TIMEOUT', message: 'no answer', retryable: true },
    } as ResultEnvelope;
    const results = sink();
    await results.write([failed]);
    await results.flush();
    await results.write([envelope(1), failed]);
    await results.close();
    expect(results.stats).toMatchObject({ applied: 2, duplicate: 1 });
    expect(server.storedResults()[0]?.status).toBe('completed');
  });

  it('gives up after its attempts and writes every undelivered result to the dead-letter file it names', async () => {
    server.failNext(1000);
    const results = sink({ maxBatchSize: 10 });
    await results.write(envelopes(10));
    const error = await rejection(results.flush());
    expect(error.message).toContain(join(dir, 'dead.jsonl'));
    expect(error.message).toMatch(/gave up after 5 attempts; last: the API answered 503/);
    expect(error.cause).toBeInstanceOf(ApiError);
    // Later results are not sent, and not lost.
    await rejection(results.write(envelopes(25).slice(10)));
    const closed = await rejection(results.close());
    expect(closed.undelivered).toBe(25);
    const dead = await readDeadLetters(error.deadLetterPath);
    expect(dead.map((item) => item.fileId).sort()).toEqual(envelopes(25).map((item) => item.fileId).sort());
    expect(dead[0]).toEqual(envelope(0)); // as written, without the key the API gets
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(5);
  });

  it('gives up at once on a refusal that retrying cannot change (401)', async () => {
    const results = sink({ token: 'wrong' });
    await results.write(envelopes(3));
    const error = await rejection(results.close());
    expect(error.message).toMatch(/answered 401 \(Unauthorized: a valid bearer token is required\)/);
    expect(server.requests).toHaveLength(1);
    expect(await readDeadLetters(error.deadLetterPath)).toHaveLength(3);
  });

  it('times out requests, retries them, and gives up when the server stays slow', async () => {
    server.delayMs = 300;
    const results = sink({ timeoutMs: 40, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    await results.write(envelopes(2));
    const error = await rejection(results.close());
    expect(error.message).toMatch(/gave up after 2 attempts; last: no answer within 40 ms/);
    expect(error.undelivered).toBe(2);
  });

  it('keeps results the API calls invalid in the dead-letter file, and delivers the rest', async () => {
    const results = sink();
    await results.write([envelope(1), { ...envelope(2), checkVersion: 'v2' }, envelope(3)]);
    const error = await rejection(results.close());
    expect(results.stats).toMatchObject({ applied: 2, invalid: 1, deadLettered: 1 });
    expect(error.message).toMatch(/refused 1 results .* as invalid/);
    expect((await readDeadLetters(error.deadLetterPath))[0]?.checkVersion).toBe('v2');
  });

  it('stops at a completed consignment (409) and keeps what it could not send', async () => {
    const results = sink();
    await results.write(envelopes(2));
    await results.flush();
    expect(await results.api.completeConsignment('c1', { checks: ['checksum'] })).toMatchObject({ consignmentId: 'c1', files: 2, results: 2 });
    await results.write([envelope(9)]);
    const error = await rejection(results.close());
    expect(error.message).toMatch(/answered 409 \(Consignment complete/);
  });

  it('delivers again, as duplicates, results a completed consignment already holds', async () => {
    const first = sink();
    await first.write(envelopes(2));
    await first.close();
    await first.api.completeConsignment('c1', { checks: ['checksum'] });
    const rerun = sink();
    await rerun.write(envelopes(2));
    await rerun.close();
    expect(rerun.stats).toMatchObject({ applied: 0, duplicate: 2, deadLettered: 0 });
  });

  it('holds back writers while its buffer is full (backpressure)', async () => {
    server.delayMs = 20;
    const results = sink({ maxBatchSize: 5, maxBufferedResults: 10, concurrency: 1 });
    await results.write(envelopes(40));
    // 40 written, at most 10 held: at least 30 answered before write resolved.
    expect(server.storedResults().length).toBeGreaterThanOrEqual(30);
    await results.close();
    expect(results.stats.applied).toBe(40);
  });

  it('refuses writes after close', async () => {
    const results = sink();
    await results.close();
    await expect(results.write([envelope(1)])).rejects.toThrow(/write after close/);
  });
});

it('the dead-letter file holds whole lines when appends race', async () => {
  const dir2 = await mkdtemp(join(tmpdir(), 'api-client-'));
  try {
    const { DeadLetterFile } = await import('../dead-letter.js');
    const path = join(dir2, 'dead.jsonl');
    const a = new DeadLetterFile(path);
    const b = new DeadLetterFile(path);
    const line = (tag: string, i: number): string => JSON.stringify({ ...envelope(i), fileId: `${tag}${i}`, pad: 'x'.repeat(5000) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => [a.append([line('a', i), line('a', i + 100)]), b.append([line('b', i)])]).flat());
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(60);
    for (const text of lines) expect(() => JSON.parse(text)).not.toThrow();
  } finally {
    await rm(dir2, { recursive: true, force: true });
  }
});
