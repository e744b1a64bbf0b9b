import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_READ_LIMIT } from './hash-local-file.js';
import { HashWorkerPool } from './HashWorkerPool.js';

describe('HashWorkerPool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tdr-pool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const job = (name: string, bytes: Buffer) => {
    const localPath = join(dir, name);
    writeFileSync(localPath, bytes);
    return { localPath, displayPath: name, size: bytes.length, algorithms: ['sha256' as const] };
  };

  it('replaces a worker that falls silent with work in hand, failing its jobs as retryable', async () => {
    // A watchdog of 1 ms takes any read of a few milliseconds for a stuck one.
    const pool = new HashWorkerPool(1, { stallMs: 1 });
    pool.start();
    try {
      const jobs = Array.from({ length: 4 }, (_, i) => pool.hash(job(`slow-${i}`, randomBytes(SYNC_READ_LIMIT))));
      const outcomes = await Promise.allSettled(jobs);
      const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0].reason).toMatchObject({ code: 'READ_ERROR', retryable: true });
      expect(String(failures[0].reason.message)).toMatch(/sent nothing .* with files in hand/);
    } finally {
      await pool.close();
    }
  });

  it('hands large files out one per worker while small ones go around them', async () => {
    const pool = new HashWorkerPool(2);
    pool.start();
    try {
      const progress: number[] = [];
      const large = Array.from({ length: 3 }, (_, i) =>
        pool.hash(job(`large-${i}`, randomBytes(SYNC_READ_LIMIT + 1)), { onProgress: (bytes) => progress.push(bytes) }),
      );
      const small = Array.from({ length: 50 }, (_, i) => pool.hash(job(`small-${i}`, randomBytes(100))));
      const results = await Promise.all([...large, ...small]);
      expect(results.every((digests) => /^[0-9a-f]{64}$/.test(digests['sha256']))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('rejects queued and running jobs when closed, and refuses new ones', async () => {
    const pool = new HashWorkerPool(1);
    pool.start();
    const settled = Promise.allSettled(Array.from({ length: 200 }, (_, i) => pool.hash(job(`c-${i}`, randomBytes(10)))));
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true);
    // Some may have finished before the close; none may hang, and the rest say why.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/closed/);
    }
    await expect(pool.hash(job('late', randomBytes(1)))).rejects.toThrow(/closed/);
  });
});
