import { describe, expect, it, vi } from 'vitest';
import { CheckError, ErrorCode } from '../errors.js';
import { memoryFile } from '../test-support/memory-file.js';
import type { FileCheck, FileRef } from '../types.js';
import { CheckEngine } from './CheckEngine.js';
import type { FileReport, SourceItem } from './report.js';

function fakeCheck(name: string, check: FileCheck['check'], extra: Partial<FileCheck> = {}): FileCheck {
  return { name, version: '2.1.0', check, describe: () => ({ name: `${name}-tool`, version: '9' }), ...extra };
}

async function runAll(engine: CheckEngine, items: SourceItem[]): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for await (const report of engine.run(items)) reports.push(report);
  return reports;
}

async function started(options: ConstructorParameters<typeof CheckEngine>[0]): Promise<CheckEngine> {
  const engine = new CheckEngine(options);
  await engine.init();
  return engine;
}

describe('CheckEngine', () => {
  it('runs every check on every file and wraps results in envelopes', async () => {
    const size = fakeCheck('size', async (file) => ({ bytes: file.size }));
    const first = fakeCheck('first', async (file) => ({ byte: (await file.read(0, 1))[0] }));
    const engine = await started({ checks: [size, first] });
    const [report] = await runAll(engine, [{ file: memoryFile('hello', { path: 'a/b.txt' }) }]);
    expect(report.path).toBe('a/b.txt');
    expect(report.size).toBe(5);
    expect(Object.keys(report.results)).toEqual(['size', 'first']);
    const envelope = report.results['first'];
    expect(envelope).toMatchObject({
      fileId: 'a/b.txt',
      check: 'first',
      checkVersion: '2.1.0',
      status: 'completed',
      result: { byte: 104 },
      tool: { name: 'first-tool', version: '9' },
    });
    expect(Date.parse(envelope.startedAt)).not.toBeNaN();
    expect(envelope.durationMs).toBeGreaterThanOrEqual(0);
    await engine.close();
  });

  it('turns a CheckError into an error envelope with its code, and anything else into INTERNAL_ERROR', async () => {
    const engine = await started({
      checks: [
        fakeCheck('typed', async () => {
          throw new CheckError(ErrorCode.FileNotFound, 'gone', { retryable: false });
        }),
        fakeCheck('buggy', async () => {
          throw new TypeError('x is undefined');
        }),
        fakeCheck('fine', async () => 'ok'),
      ],
    });
    const [report] = await runAll(engine, [{ file: memoryFile('x') }]);
    expect(report.results['typed']).toMatchObject({ status: 'error', error: { code: 'FILE_NOT_FOUND', message: 'gone', retryable: false } });
    expect(report.results['buggy']).toMatchObject({ status: 'error', error: { code: 'INTERNAL_ERROR' } });
    expect((report.results['buggy'] as { error: { message: string } }).error.message).toContain('x is undefined');
    expect(report.results['fine']).toMatchObject({ status: 'completed', result: 'ok' });
  });

  it('gives a check that never finishes a TIMEOUT error and goes on with the next file', async () => {
    let sawAbort = false;
    const hang = fakeCheck('hang', (_file, ctx) => {
      ctx.signal.addEventListener('abort', () => (sawAbort = true));
      return new Promise(() => undefined);
    });
    const engine = await started({ checks: [hang], timeoutMs: 50 });
    const reports = await runAll(engine, [{ file: memoryFile('a', { path: 'a' }) }, { file: memoryFile('b', { path: 'b' }) }]);
    expect(reports.map((report) => report.results['hang'])).toMatchObject([
      { status: 'error', error: { code: 'TIMEOUT', retryable: true } },
      { status: 'error', error: { code: 'TIMEOUT', retryable: true } },
    ]);
    expect(sawAbort).toBe(true);
  });

  it("gives a check its own time budget, and the runner's budget to every check when the runner sets one", async () => {
    const slow = () =>
      fakeCheck('slow', () => new Promise((resolve) => setTimeout(() => resolve('done'), 100)), {
        timeoutMs: () => 10,
      });
    const [own] = await runAll(await started({ checks: [slow()] }), [{ file: memoryFile('a') }]);
    expect(own.results['slow']).toMatchObject({ status: 'error', error: { code: 'TIMEOUT' } });
    const [runners] = await runAll(await started({ checks: [slow()], timeoutMs: 1_000 }), [{ file: memoryFile('a') }]);
    expect(runners.results['slow']).toMatchObject({ status: 'completed', result: 'done' });
  });

  it('holds a budget while the check waits its turn behind other files, and starts it whole when the turn comes', async () => {
    // One file at a time gets the turn, for 30 ms each: the last of 20 waits ~570 ms, its budget is 300 ms.
    const queued = (restart: boolean) => {
      let turn = Promise.resolve();
      return fakeCheck('queued', async (_file, ctx) => {
        if (restart) ctx.holdBudget();
        const mine = turn.then(async () => {
          if (restart) ctx.restartBudget();
          await new Promise((resolve) => setTimeout(resolve, 30));
        });
        turn = mine.catch(() => undefined);
        await mine;
        return 'done';
      });
    };
    const files = () => Array.from({ length: 20 }, (_, i) => ({ file: memoryFile('x', { path: `f${i}` }) }));
    const envelopes = async (restart: boolean) => (await runAll(await started({ checks: [queued(restart)], timeoutMs: 300 }), files())).map((report) => report.results['queued']);
    const held = await envelopes(true);
    expect(held.map((envelope) => envelope?.status)).toEqual(Array(20).fill('completed'));
    // The envelope times the work (30 ms a file), not the wait before it (~570 ms for the last).
    expect(Math.max(...held.map((envelope) => envelope?.durationMs ?? Infinity))).toBeLessThan(250);
    expect((await envelopes(false)).map((envelope) => envelope?.status)).toContain('error'); // the same queue without the hold: the last files time out
  });

  it('reports ABORTED for files not finished when the run is cancelled', async () => {
    const controller = new AbortController();
    const wait = fakeCheck('wait', (_file, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))));
    const engine = await started({ checks: [wait], signal: controller.signal });
    const running = runAll(engine, [{ file: memoryFile('a') }]);
    setTimeout(() => controller.abort(), 20);
    const [report] = await running;
    expect(report.results['wait']).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
    const [late] = await runAll(engine, [{ file: memoryFile('b') }]);
    expect(late.results['wait']).toMatchObject({ status: 'error', error: { code: 'ABORTED' } });
  });

  it('reports a listing problem as an error of every check, without calling them', async () => {
    const check = vi.fn(async () => 'never');
    const engine = await started({ checks: [fakeCheck('one', check), fakeCheck('two', check)] });
    const problem = { id: 'root/loop', path: 'loop', error: { code: 'SYMLINK_LOOP', message: 'loop → ..', retryable: false } };
    const [report] = await runAll(engine, [{ problem }]);
    expect(check).not.toHaveBeenCalled();
    expect(report).toMatchObject({ id: 'root/loop', path: 'loop', size: null });
    expect(report.results['one']).toMatchObject({ status: 'error', error: problem.error, check: 'one' });
    expect(report.results['two']).toMatchObject({ status: 'error', error: problem.error, check: 'two' });
  });

  it('closes each file once all its checks are done, and counts progress', async () => {
    const closed: string[] = [];
    const engine = await started({
      checks: [
        fakeCheck('reader', async (file, ctx) => {
          ctx.progress(file.size / 2);
          expect(closed).not.toContain(file.path);
          return 1;
        }),
      ],
    });
    const files: FileRef[] = ['a', 'bb', 'ccc'].map((text) => memoryFile(text, { path: text, onClose: () => closed.push(text) }));
    await runAll(engine, files.map((file) => ({ file })));
    expect(closed.sort()).toEqual(['a', 'bb', 'ccc']);
    expect(engine.progress).toEqual({ filesDone: 3, bytesDone: 6 });
  });

  it('gives the same reports in the same order from batches as from single items', async () => {
    const slowFirst = fakeCheck('size', async (file) => {
      await new Promise((resolve) => setTimeout(resolve, file.path === 'f0' ? 20 : 0));
      return file.size;
    });
    const engine = await started({ checks: [slowFirst], concurrency: 4 });
    const items = (): SourceItem[] => Array.from({ length: 25 }, (_, i) => ({ file: memoryFile('x'.repeat(i), { path: `f${i}` }) }));
    const single = (await runAll(engine, items())).map((report) => [report.path, report.results['size']]);
    const all = items();
    const batched: FileReport[][] = [];
    for await (const reports of engine.runBatches([all.slice(0, 10), all.slice(10, 11), all.slice(11)])) batched.push(reports);
    expect(batched.flat().map((report) => [report.path, report.results['size']])).toEqual(
      single.map(([path, envelope]) => [path, { ...(envelope as object), startedAt: expect.any(String), durationMs: expect.any(Number) }]),
    );
    expect(batched.length).toBeLessThan(25);
    await engine.close();
  });

  it('closes checks already initialised when a later init fails, and refuses to run before init', async () => {
    const close = vi.fn(async () => undefined);
    const engine = new CheckEngine({
      checks: [
        fakeCheck('ok', async () => 1, { init: async () => undefined, close }),
        fakeCheck('broken', async () => 1, {
          init: async () => {
            throw new Error('no signatures');
          },
        }),
      ],
    });
    expect(() => engine.run([])).toThrow(/init\(\)/);
    await expect(engine.init()).rejects.toThrow('no signatures');
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('rejects two checks with the same name and a bad concurrency', () => {
    const a = fakeCheck('same', async () => 1);
    expect(() => new CheckEngine({ checks: [a, a] })).toThrow(/twice/);
    expect(() => new CheckEngine({ checks: [a], concurrency: 0 })).toThrow(RangeError);
  });
});
