import { appendFile, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RouteRequest } from './decision.js';
import type { Destination } from './destination.js';
import type { LocalRouteSource } from './route-source.js';
import { LocalFolderDestination } from './local-folder-destination.js';
import { Router, type RouteOutcome } from './router.js';
import { put, useTempDir } from '../test-support/fs-fixtures.js';
import { filesUnder, sha256, sourceAt } from '../test-support/routing-fixtures.js';

describe('Router', () => {
  const tmp = useTempDir();
  const inDir = (): string => join(tmp(), 'in');
  const cleanDir = (): string => join(tmp(), 'clean');
  const quarantineDir = (): string => join(tmp(), 'quarantine');
  const destinations = (): { clean: Destination; quarantine: Destination } => ({
    clean: new LocalFolderDestination(cleanDir(), { checkedFolders: [inDir()] }),
    quarantine: new LocalFolderDestination(quarantineDir(), { checkedFolders: [inDir()] }),
  });
  const request = async (rel: string, content: string, decision: RouteRequest['decision'], recorded = true): Promise<RouteRequest & { source: LocalRouteSource }> => {
    await put(inDir(), rel, content);
    return { source: await sourceAt(inDir(), rel, content, recorded), decision };
  };

  it('copies clean files to clean and infected ones to quarantine, leaves the rest, and journals each in order', async () => {
    const journal: RouteOutcome[] = [];
    const router = new Router({ ...destinations(), journal: (outcome) => void journal.push(outcome) });
    await router.open();
    const requests = [
      await request('sub/ok.pdf', 'ok', 'clean'),
      await request('sub/eicar.com', 'X5O!P%@AP', 'quarantine'),
      await request('error.doc', 'scan failed', 'stay'),
    ];
    const outcomes = [];
    for await (const outcome of router.routeAll(requests)) outcomes.push(outcome);

    expect(outcomes).toEqual([
      {
        path: 'sub/ok.pdf',
        decision: 'clean',
        status: 'copied',
        location: join(cleanDir(), 'sub/ok.pdf'),
        size: 2,
        sha256: sha256('ok'),
        sourceRemoved: false,
      },
      {
        path: 'sub/eicar.com',
        decision: 'quarantine',
        status: 'copied',
        location: join(quarantineDir(), 'sub/eicar.com'),
        size: 9,
        sha256: sha256('X5O!P%@AP'),
        sourceRemoved: false,
      },
      { path: 'error.doc', decision: 'stay', status: 'stayed', sourceRemoved: false },
    ]);
    expect(journal).toEqual(outcomes);
    expect(await filesUnder(cleanDir())).toEqual(['sub/ok.pdf']);
    expect(await filesUnder(quarantineDir())).toEqual(['sub/eicar.com']);
    expect(await filesUnder(inDir())).toEqual(['error.doc', 'sub/eicar.com', 'sub/ok.pdf']); // copies, not moves
    expect(router.summary).toEqual({ copied: 2, alreadyThere: 0, stayed: 1, failed: 0, sourcesRemoved: 0, bytesCopied: 11 });
  });

  it('leaves a file where it is when its decision has no destination', async () => {
    const router = new Router({ quarantine: destinations().quarantine });
    const outcome = await router.route(await request('ok.pdf', 'ok', 'clean'));
    expect(outcome).toEqual({ path: 'ok.pdf', decision: 'clean', status: 'stayed', sourceRemoved: false });
  });

  it('routes a file to its relativePath when one is given', async () => {
    const router = new Router(destinations());
    const { source } = await request('a.txt', 'a', 'clean');
    await router.route({ source: { ...source, path: '/somewhere/a.txt', relativePath: 'a.txt' }, decision: 'clean' });
    expect(await filesUnder(cleanDir())).toEqual(['a.txt']);
  });

  it("reports a file's failure in its outcome and goes on with the next", async () => {
    await put(cleanDir(), 'taken.txt', 'someone else');
    const router = new Router(destinations());
    const failed = await router.route(await request('taken.txt', 'mine', 'clean'));
    const next = await router.route(await request('next.txt', 'next', 'clean'));
    expect(failed).toMatchObject({
      path: 'taken.txt',
      status: 'failed',
      sourceRemoved: false,
      error: { code: 'DESTINATION_EXISTS', retryable: false, message: expect.stringContaining('taken.txt') },
    });
    expect(failed).not.toHaveProperty('location');
    expect(next.status).toBe('copied');
    expect(router.summary).toMatchObject({ copied: 1, failed: 1 });
  });

  it('re-run after a crash: files already copied are already there, the others are copied', async () => {
    const requests = [await request('a.txt', 'a', 'clean'), await request('b.txt', 'b', 'quarantine')];
    await new Router(destinations()).route(requests[0]); // the run that "crashed" after one file
    const router = new Router(destinations());
    const statuses = [];
    for await (const outcome of router.routeAll(requests)) statuses.push(outcome.status);
    expect(statuses).toEqual(['already-there', 'copied']);
  });

  it('rejects with the reason when aborted, routing nothing more', async () => {
    const router = new Router(destinations());
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(router.route(await request('a.txt', 'a', 'clean'), controller.signal)).rejects.toThrow('stop');
    expect(await filesUnder(tmp())).toEqual(['in/a.txt']);
  });

  it('fails open() when a destination cannot be used', async () => {
    await put(tmp(), 'a-file', 'x');
    const router = new Router({ clean: new LocalFolderDestination(join(tmp(), 'a-file/clean')), quarantine: destinations().quarantine });
    await expect(router.open()).rejects.toMatchObject({ code: 'DESTINATION_NOT_WRITABLE' });
    const inside = new Router({ clean: new LocalFolderDestination(join(inDir(), 'clean'), { checkedFolders: [inDir()] }) });
    await expect(inside.open()).rejects.toMatchObject({ code: 'DESTINATION_INSIDE_SOURCE' });
  });

  it('refuses clean and quarantine in one place, or one inside the other, before creating either', async () => {
    for (const [clean, quarantine] of [
      [cleanDir(), cleanDir()],
      [cleanDir(), join(cleanDir(), 'quarantine')],
      [join(quarantineDir(), 'clean'), quarantineDir()],
    ]) {
      const router = new Router({ clean: new LocalFolderDestination(clean), quarantine: new LocalFolderDestination(quarantine) });
      await expect(router.open()).rejects.toMatchObject({ code: 'DESTINATIONS_OVERLAP' });
    }
    expect(await readdir(tmp())).toEqual([]); // not even a folder was made
    await new Router({ clean: new LocalFolderDestination(cleanDir()), quarantine: new LocalFolderDestination(`${cleanDir()}-quarantine`) }).open();
  });

  it('rejects when the journal throws: a run must not route what it cannot report', async () => {
    const router = new Router({
      ...destinations(),
      journal: () => {
        throw new Error('journal full');
      },
    });
    await expect(router.route(await request('a.txt', 'a', 'clean'))).rejects.toThrow('journal full');
  });

  describe('with move', () => {
    it('removes the source once the copy is verified, for clean and quarantine alike', async () => {
      const router = new Router({ ...destinations(), move: true });
      const clean = await router.route(await request('sub/ok.pdf', 'ok', 'clean'));
      const infected = await router.route(await request('bad.exe', 'MZ', 'quarantine'));
      const stays = await router.route(await request('unknown.bin', '?', 'stay'));
      expect([clean, infected, stays].map((outcome) => [outcome.status, outcome.sourceRemoved])).toEqual([
        ['copied', true],
        ['copied', true],
        ['stayed', false],
      ]);
      expect(await filesUnder(inDir())).toEqual(['unknown.bin']);
      expect(await readFile(join(cleanDir(), 'sub/ok.pdf'), 'utf8')).toBe('ok');
      expect(router.summary).toMatchObject({ copied: 2, stayed: 1, sourcesRemoved: 2 });
    });

    it('completes a move a crash interrupted between the copy and the removal', async () => {
      const req = await request('a.txt', 'a', 'clean');
      await new Router(destinations()).route(req); // copied; "crashed" before removing the source
      const outcome = await new Router({ ...destinations(), move: true }).route(req);
      expect(outcome).toMatchObject({ status: 'already-there', sourceRemoved: true });
      expect(await filesUnder(inDir())).toEqual([]);
    });

    it('keeps a source that changed after it was copied, and says so; the verified copy stays', async () => {
      const { clean } = destinations();
      // A destination whose copy is followed, before the removal, by someone appending to the source.
      const meddling: Destination = {
        location: clean.location,
        open: (signal) => clean.open(signal),
        confirm: (rel, expected, signal) => clean.confirm(rel, expected, signal),
        put: async (source, rel, signal) => {
          const receipt = await clean.put(source, rel, signal);
          if (source.localPath === undefined) throw new Error('a local source was expected');
          await appendFile(source.localPath, ' and more');
          return receipt;
        },
      };
      const router = new Router({ clean: meddling, move: true });
      const outcome = await router.route(await request('a.txt', 'a', 'clean'));
      expect(outcome).toMatchObject({
        status: 'failed',
        sourceRemoved: false,
        location: join(cleanDir(), 'a.txt'),
        error: { code: 'FILE_CHANGED', message: expect.stringContaining('not removed') },
      });
      expect(await readFile(join(inDir(), 'a.txt'), 'utf8')).toBe('a and more');
      expect(await readFile(join(cleanDir(), 'a.txt'), 'utf8')).toBe('a');
    });

    it('keeps a source whose copy was already there but whose bytes changed since it was checked', async () => {
      const req = await request('a.txt', 'checked', 'clean');
      await new Router(destinations()).route(req); // the copy of the checked bytes, from an earlier run
      const { atime, mtime } = await stat(req.source.localPath);
      await writeFile(req.source.localPath, 'CHANGED'); // same size …
      await utimes(req.source.localPath, atime, mtime); // … same time: only the bytes tell
      const outcome = await new Router({ ...destinations(), move: true }).route(req);
      expect(outcome).toMatchObject({
        status: 'failed',
        sourceRemoved: false,
        error: { code: 'FILE_CHANGED', message: expect.stringContaining('no longer holds the bytes of its copy') },
      });
      expect(await readFile(req.source.localPath, 'utf8')).toBe('CHANGED');
    });

    it('never removes a source whose copy failed', async () => {
      const req = await request('a.txt', 'a', 'clean');
      await rm(req.source.localPath);
      await put(inDir(), 'a.txt', 'other bytes'); // replaced since it was checked
      const outcome = await new Router({ ...destinations(), move: true }).route(req);
      expect(outcome).toMatchObject({ status: 'failed', sourceRemoved: false, error: { code: 'FILE_CHANGED' } });
      expect((await stat(join(inDir(), 'a.txt'))).size).toBe(11);
      expect(await filesUnder(cleanDir())).toEqual([]);
    });
  });
});
