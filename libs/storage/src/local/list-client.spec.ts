import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ListingWorker } from './list-client.js';
import type { RootJob } from './list-protocol.js';
import { mkfifo, put, useTempDir } from '../test-support/fs-fixtures.js';

// The real worker is exercised through LocalFileSource (local-file-source.spec.ts);
// these stand-in workers fail or hang in ways a real file system rarely lets a test arrange.

describe('ListingWorker', () => {
  const tmp = useTempDir();

  const rootAt = (absolute: string): RootJob => ({ given: absolute, absolute, id: absolute, skip: [] });
  const script = async (source: string): Promise<URL> => {
    const path = join(tmp(), `worker-${Math.random().toString(36).slice(2)}.mjs`);
    await writeFile(path, source);
    return pathToFileURL(path);
  };

  it('lists through the real worker', async () => {
    await put(tmp(), 'a.txt', 'a');
    const listing = new ListingWorker([rootAt(tmp())], undefined);
    try {
      const batch = await listing.next();
      expect(batch?.items).toEqual([0, 'a.txt']);
      expect(batch?.facts[0]).toBe(1);
      expect(await listing.next()).toBeUndefined();
    } finally {
      listing.stop();
    }
  });

  it('throws a clear error when the worker crashes', async () => {
    const listing = new ListingWorker([rootAt(tmp())], undefined, await script(`throw new Error('boom');`));
    await expect(listing.next()).rejects.toThrow('the listing worker crashed: boom');
    listing.stop();
  });

  it('throws when the worker exits before the end of the listing', async () => {
    const listing = new ListingWorker([rootAt(tmp())], undefined, await script(`process.exit(3);`));
    await expect(listing.next()).rejects.toThrow('the listing worker stopped before the listing was complete (exit code 3)');
    listing.stop();
  });

  it('hands out the batches that came before a failure, then the failure', async () => {
    const source = `
      import { parentPort } from 'node:worker_threads';
      parentPort.postMessage({ type: 'batch', items: [0, 'a'], facts: new Float64Array([1, 2]) });
      parentPort.postMessage({ type: 'failed', message: 'the walk broke' });`;
    const listing = new ListingWorker([rootAt(tmp())], undefined, await script(source));
    expect((await listing.next())?.items).toEqual([0, 'a']);
    await expect(listing.next()).rejects.toThrow('listing the files failed: the walk broke');
    listing.stop();
  });

  it('gives up at once on a worker stuck in a system call when the signal is aborted', async () => {
    // Opening a FIFO for reading blocks until a writer comes: a system call
    // that `terminate()` cannot interrupt, like a `stat` on a dead network mount.
    const fifo = join(tmp(), 'pipe');
    mkfifo(fifo);
    const source = `
      import { openSync } from 'node:fs';
      import { parentPort, workerData } from 'node:worker_threads';
      parentPort.postMessage({ type: 'batch', items: [0], facts: new Float64Array(0) });
      openSync(workerData.roots[0].absolute, 'r');`;
    const controller = new AbortController();
    const listing = new ListingWorker([rootAt(fifo)], controller.signal, await script(source));
    try {
      expect((await listing.next())?.items).toEqual([0]);
      const pending = listing.next();
      setTimeout(() => controller.abort(new Error('stop')), 50);
      const started = Date.now();
      await expect(pending).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(1_000);
      listing.stop(); // returns at once, although the worker cannot stop yet
    } finally {
      // Let the worker's open() return, so that it can end (and the test process exit).
      const writer = await open(fifo, 'w');
      await writer.close();
    }
  });
});
