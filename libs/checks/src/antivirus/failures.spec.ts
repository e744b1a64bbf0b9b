import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localFile, memoryFile } from '../test-support/memory-file.js';
import type { FileRef } from '../types.js';
import { antivirusCheck } from './antivirusCheck.js';
import { ClamdSession } from './clamd/session.js';
import { CLAMD_MISSING, EICAR_SIGNATURE, eicarBytes, startTestClamd, type TestClamd } from './testing/test-clamd.js';
import { CheckEngine } from '../engine/CheckEngine.js';
import type { FileReport } from '../engine/report.js';
import { checkContext } from '../test-support/check-context.js';

const ignore = (): void => undefined;
const quiet = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Never a false clean: every way a scan can fail is an error with a code. The last tests stop and kill this clamd. */
describe('antivirus check: when clamd cannot answer', () => {
  let clamd: TestClamd;
  const socket = () => ({ kind: 'socket' as const, path: clamd.socket });

  beforeAll(async () => {
    if (CLAMD_MISSING) return;
    // MaxFileSize 10K without AlertExceedsMax: clamd's default behaviour at its limits.
    clamd = await startTestClamd({ MaxFileSize: '10K' });
  });
  afterAll(async () => {
    await clamd?.stop();
  });
  beforeEach((test) => test.skip(CLAMD_MISSING !== undefined, CLAMD_MISSING));

  it('is CLAMD_UNAVAILABLE (retryable) when nothing listens at the socket or port', async () => {
    for (const clamdAddress of [
      { kind: 'socket' as const, path: join(clamd.dir, 'no-such.sock') },
      { kind: 'tcp' as const, host: '127.0.0.1', port: 1 },
    ]) {
      const check = antivirusCheck({ clamd: clamdAddress });
      await check.init?.({ logger: quiet, signal: new AbortController().signal });
      await expect(check.check(memoryFile('x'), checkContext())).rejects.toMatchObject({ code: 'CLAMD_UNAVAILABLE', retryable: true });
      expect(check.describe()).toEqual({ name: 'ClamAV', version: 'unknown' });
      await check.close?.();
    }
  });

  it('shows why the size guard exists: past MaxFileSize clamd answers OK, so the check reports SCAN_LIMIT_EXCEEDED', async () => {
    const path = join(clamd.dir, 'eicar-past-the-limit.txt');
    writeFileSync(path, Buffer.concat([Buffer.alloc(20 * 1024, 0x20), eicarBytes()]));
    const session = await ClamdSession.open(socket(), { timeoutMs: 5000 });
    expect(await session.command(`SCAN ${path}`, { timeoutMs: 5000 })).toBe(`${path}: OK`); // a false clean
    session.close();
    const check = antivirusCheck({ clamd: socket(), maxFileSize: 10 * 1024 });
    await expect(check.check(await localFile(path), checkContext())).rejects.toMatchObject({ code: 'SCAN_LIMIT_EXCEEDED', retryable: false });
    await check.close?.();
  });

  it('is ABORTED when the file’s time budget runs out mid-scan, and releases the session', async () => {
    const check = antivirusCheck({ clamd: socket(), maxInFlight: 1 });
    const controller = new AbortController();
    const pending = check.check(stalledStream(), checkContext(controller.signal));
    setTimeout(() => controller.abort(new Error('time budget spent')), 50);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await check.check(memoryFile(eicarBytes()), checkContext())).toMatchObject({ infected: true });
    await check.close?.();
  });

  it('counts a file’s time budget from when a clamd connection is its own, not while it waits for one', async () => {
    // One connection. Two stalled streams hold it in turn, each until its budget of 300 ms is spent;
    // the EICAR file waits ~600 ms for it, twice its budget: counted, the wait would time it out unscanned.
    const engine = new CheckEngine({ checks: [antivirusCheck({ clamd: socket(), maxInFlight: 1 })], timeoutMs: 300, logger: quiet });
    await engine.init();
    try {
      const reports: FileReport[] = [];
      const files = [stalledStream('first'), stalledStream('second'), memoryFile(eicarBytes(), { path: 'waiting.com' })];
      for await (const report of engine.run(files.map((file) => ({ file })))) reports.push(report);
      expect(reports.map((report) => report.results['antivirus'])).toMatchObject([
        { status: 'error', error: { code: 'TIMEOUT' } },
        { status: 'error', error: { code: 'TIMEOUT' } },
        { status: 'completed', result: { infected: true, signatures: [EICAR_SIGNATURE] } },
      ]);
      // The second stream had its whole budget once the connection was its own, and its envelope
      // times that (~300 ms), not the ~300 ms it waited before.
      const second = reports[1]?.results['antivirus']?.durationMs ?? 0;
      expect(second).toBeGreaterThan(290);
      expect(second).toBeLessThan(550);
    } finally {
      await engine.close();
    }
  });

  it('is CLAMD_TIMEOUT (retryable) when clamd stops answering', async () => {
    const check = antivirusCheck({ clamd: socket(), timeoutMs: 300 });
    await check.init?.({ logger: quiet, signal: new AbortController().signal });
    clamd.process.kill('SIGSTOP');
    try {
      const started = performance.now();
      await expect(check.check(memoryFile('x'), checkContext())).rejects.toMatchObject({ code: 'CLAMD_TIMEOUT', retryable: true });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      clamd.process.kill('SIGCONT');
      await check.close?.();
    }
  });

  it('is CLAMD_CONNECTION_LOST (retryable) when clamd dies mid-scan, then CLAMD_UNAVAILABLE', async () => {
    const check = antivirusCheck({ clamd: socket() });
    const path = join(clamd.dir, 'clean.txt');
    writeFileSync(path, 'clean');
    const started = check.check(stalledStream(), checkContext());
    await new Promise((resolve) => setTimeout(resolve, 100));
    clamd.process.kill('SIGKILL');
    await expect(started).rejects.toMatchObject({ code: 'CLAMD_CONNECTION_LOST', retryable: true });
    await expect(check.check(await localFile(path), checkContext())).rejects.toMatchObject({ code: 'CLAMD_UNAVAILABLE', retryable: true });
    await check.close?.();
  });
});

/** A file whose bytes arrive slowly: one chunk, then nothing until the reader gives up. */
function stalledStream(path?: string): FileRef {
  return {
    ...memoryFile('', path === undefined ? {} : { path }),
    size: 1024,
    async *stream(signal) {
      yield new Uint8Array(512);
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
  };
}
