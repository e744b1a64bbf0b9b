import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHOLE_FILE_HASH_LIMIT } from '../checksum/hash-local-file.js';
import { compiledScript } from './compiled-script.js';
import { LocalFilePool } from './LocalFilePool.js';

const HASH = { module: compiledScript(new URL('../checksum/hash-task.js', import.meta.url)).href, params: { algorithms: ['sha256'] } };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('LocalFilePool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tdr-pool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, bytes: Buffer) => {
    const localPath = join(dir, name);
    writeFileSync(localPath, bytes);
    return { localPath, displayPath: name, size: bytes.length };
  };

  it('replaces a worker that falls silent with work in hand, failing its jobs as retryable', async () => {
    // A watchdog of 1 ms takes any read of a few milliseconds for a stuck one.
    const pool = new LocalFilePool(1, { stallMs: 1 });
    try {
      const jobs = Array.from({ length: 4 }, (_, i) => pool.run(file(`slow-${i}`, randomBytes(WHOLE_FILE_HASH_LIMIT)), HASH));
      const outcomes = await Promise.allSettled(jobs);
      const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0].reason).toMatchObject({ code: 'READ_ERROR', retryable: true });
      expect(String(failures[0].reason.message)).toMatch(/sent nothing .* with files in hand/);
    } finally {
      await pool.close();
    }
  });

  it('fails its jobs clearly when no worker can start, and starts no more of them', async () => {
    const script = join(dir, 'broken-worker.mjs');
    writeFileSync(script, "throw new Error('broken on purpose');\n");
    const pool = new LocalFilePool(2, { script: pathToFileURL(script) });
    try {
      const jobs = Array.from({ length: 200 }, (_, i) => pool.run(file(`never-${i}`, randomBytes(10)), HASH));
      const outcomes = await Promise.allSettled(jobs);
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      const reason = (outcomes[0] as PromiseRejectedResult).reason as { code: string; message: string };
      expect(reason.code).toBe('INTERNAL_ERROR');
      // Whichever the thread reports first: the error, or its exit.
      expect(reason.message).toMatch(/could not start because it (crashed: broken on purpose|exited with code 1)/);
      // Later jobs fail at once too (no worker left, none started again), rather than wait forever.
      await expect(pool.run(file('later', randomBytes(10)), HASH)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
      expect(pool.workers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('started and never used, does not keep the process alive', () => {
    const pool = compiledScript(new URL('./LocalFilePool.js', import.meta.url)).href;
    const script = `const { LocalFilePool } = await import(${JSON.stringify(pool)}); LocalFilePool.prestart(); console.log('started');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(child.stdout).toBe('started\n');
    expect(child.signal).toBeNull(); // not killed by the timeout
    expect(child.status).toBe(0);
  });

  it('starts one worker, and a second only when the work calls for it', async () => {
    const pool = new LocalFilePool(2);
    try {
      expect(pool.workers).toBe(1);
      const few = Array.from({ length: 10 }, (_, i) => file(`few-${i}`, randomBytes(1000)));
      await Promise.all(few.map((job) => pool.run(job, HASH)));
      expect(pool.workers).toBe(1);
      const many = Array.from({ length: 300 }, (_, i) => file(`many-${i}`, randomBytes(100)));
      await Promise.all(many.map((job) => pool.run(job, HASH)));
      expect(pool.workers).toBe(2);
    } finally {
      await pool.close();
    }
    const forLong = new LocalFilePool(2);
    try {
      const large = [0, 1].map((i) => file(`long-${i}`, randomBytes(WHOLE_FILE_HASH_LIMIT + 1)));
      await Promise.all(large.map((job) => forLong.run(job, HASH, { long: true })));
      expect(forLong.workers).toBe(2);
    } finally {
      await forLong.close();
    }
  });

  it('runs long jobs one per worker while short ones go around them', async () => {
    const pool = new LocalFilePool(2);
    try {
      const large = Array.from({ length: 3 }, (_, i) => {
        const bytes = randomBytes(WHOLE_FILE_HASH_LIMIT + 1);
        return pool.run<Record<string, string>>(file(`large-${i}`, bytes), HASH, { long: true }).then((digests) => expect(digests['sha256']).toBe(sha256(bytes)));
      });
      const small = Array.from({ length: 50 }, (_, i) => {
        const bytes = randomBytes(100 + i);
        return pool.run<Record<string, string>>(file(`small-${i}`, bytes), HASH).then((digests) => expect(digests['sha256']).toBe(sha256(bytes)));
      });
      await Promise.all([...large, ...small]);
    } finally {
      await pool.close();
    }
  });

  it('holds a long job’s time budget while it waits for a worker, and restarts it when a worker takes it', async () => {
    const pool = new LocalFilePool(1);
    try {
      const events: string[] = [];
      const budget = (name: string) => ({ holdBudget: () => events.push(`${name} held`), restartBudget: () => events.push(`${name} started`) });
      const jobs = ['a', 'b'].map((name) =>
        pool.run(file(`long-${name}`, randomBytes(WHOLE_FILE_HASH_LIMIT + 1)), HASH, { long: true, budget: budget(name) }).then(() => events.push(`${name} done`)),
      );
      await Promise.all(jobs);
      // One long job per worker: b waits, its budget held, until a is done.
      expect(events).toEqual(['a held', 'b held', 'a started', 'a done', 'b started', 'b done']);
    } finally {
      await pool.close();
    }
  });

  it('opens a file once for several tasks on it in one batch, and reports each task apart', async () => {
    const pool = new LocalFilePool(1);
    try {
      const bytes = randomBytes(1000);
      const target = file('twice', bytes);
      const md5 = { ...HASH, params: { algorithms: ['md5'] } };
      const [a, b] = await Promise.all([pool.run<Record<string, string>>(target, HASH), pool.run<Record<string, string>>(target, md5)]);
      expect(a).toEqual({ sha256: sha256(bytes) });
      expect(b).toEqual({ md5: createHash('md5').update(bytes).digest('hex') });
      await expect(pool.run({ ...target, localPath: join(dir, 'nope'), displayPath: 'nope' }, HASH)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    } finally {
      await pool.close();
    }
  });

  it('rejects queued and running jobs when closed, and refuses new ones', async () => {
    const pool = new LocalFilePool(1);
    const settled = Promise.allSettled(Array.from({ length: 200 }, (_, i) => pool.run(file(`c-${i}`, randomBytes(10)), HASH)));
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/closed/);
    }
    await expect(pool.run(file('late', randomBytes(1)), HASH)).rejects.toThrow(/closed/);
  });

  it('shares one pool between users and stops it when the last one gives it back', async () => {
    const first = LocalFilePool.acquire();
    const second = LocalFilePool.acquire();
    expect(second).toBe(first);
    await first.release();
    const bytes = randomBytes(10);
    expect(await second.run<Record<string, string>>(file('shared', bytes), HASH)).toEqual({ sha256: sha256(bytes) });
    await second.release();
    await expect(second.run(file('after', bytes), HASH)).rejects.toThrow(/closed/);
  });
});
