import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckEngine } from '../engine/CheckEngine.js';
import { localFile, memoryFile } from '../test-support/memory-file.js';
import type { FileCheck } from '../types.js';
import { antivirusCheck } from './antivirusCheck.js';
import type { AntivirusResult } from './result.js';
import { CLAMD_MISSING, EICAR_SIGNATURE, GENERATED_SIGNATURE, eicarBytes, startTestClamd, type TestClamd } from './testing/test-clamd.js';
import { checkContext } from '../test-support/check-context.js';

const ignore = (): void => undefined;
const quiet = { debug: ignore, info: ignore, warn: ignore, error: ignore };

describe('antivirus check against a real clamd', () => {
  let clamd: TestClamd;
  let bySocket: FileCheck<AntivirusResult>;
  let byTcp: FileCheck<AntivirusResult>;
  const file = (name: string, bytes: Uint8Array | string): string => {
    const path = join(clamd.dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    if (CLAMD_MISSING) return;
    clamd = await startTestClamd();
    bySocket = antivirusCheck({ clamd: { kind: 'socket', path: clamd.socket }, maxInFlight: 2 });
    byTcp = antivirusCheck({ clamd: { kind: 'tcp', host: '127.0.0.1', port: clamd.port } });
    const init = { logger: quiet, signal: new AbortController().signal };
    await bySocket.init?.(init);
    await byTcp.init?.(init);
  });
  afterAll(async () => {
    await bySocket?.close?.();
    await byTcp?.close?.();
    await clamd?.stop();
  });
  beforeEach((test) => test.skip(CLAMD_MISSING !== undefined, CLAMD_MISSING));

  it('reads the engine version at init', () => {
    const tool = bySocket.describe();
    expect(tool.name).toBe('ClamAV');
    expect(tool.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('finds a clean local file clean, scanned by path, with TDR’s metadata fields', async () => {
    const result = await bySocket.check(await localFile(file('clean.txt', 'nothing to see here\n')), checkContext());
    expect(result).toMatchObject({ infected: false, signatures: [], software: 'ClamAV', result: '', method: 'path' });
    expect(result.softwareVersion).toBe(bySocket.describe().version);
    expect(Math.abs(result.datetime - Date.now())).toBeLessThan(10_000);
  });

  it('finds EICAR by path, with the signature name', async () => {
    const result = await bySocket.check(await localFile(file('eicar.com', eicarBytes())), checkContext());
    expect(result).toMatchObject({ infected: true, signatures: [EICAR_SIGNATURE], result: EICAR_SIGNATURE, method: 'path' });
  });

  it('finds a file by its hash signature, and EICAR deep inside a larger file', async () => {
    expect((await bySocket.check(await localFile(file('generated.bin', clamd.generated)), checkContext())).signatures).toEqual([GENERATED_SIGNATURE]);
    const padded = Buffer.concat([Buffer.alloc(300_000, 0x20), eicarBytes(), Buffer.alloc(1000, 0x20)]);
    expect((await bySocket.check(await localFile(file('padded.txt', padded)), checkContext())).infected).toBe(true);
  });

  it('keeps odd names intact (unicode, two spaces, a newline, names that look like answers)', async () => {
    const infected = await bySocket.check(await localFile(file('é 日本  two\nlines: OK', eicarBytes())), checkContext());
    expect(infected).toMatchObject({ infected: true, method: 'path', signatures: [EICAR_SIGNATURE] });
    expect(await bySocket.check(await localFile(file('evil: Tdr.Test.EICAR FOUND', 'clean')), checkContext())).toMatchObject({ infected: false, method: 'path' });
  });

  it('streams (INSTREAM) over TCP, and for files that are not local', async () => {
    const overTcp = await byTcp.check(await localFile(file('eicar2.com', eicarBytes())), checkContext());
    expect(overTcp).toMatchObject({ infected: true, method: 'stream', signatures: [EICAR_SIGNATURE] });
    const big = Buffer.concat([Buffer.alloc(3 * 1024 * 1024, 0x41), eicarBytes()]);
    expect(await bySocket.check(memoryFile(big, { chunkSize: 100_000 }), checkContext())).toMatchObject({ infected: true, method: 'stream' });
    expect(await byTcp.check(memoryFile('clean bytes'), checkContext())).toMatchObject({ infected: false, method: 'stream' });
  });

  it('scans many files at once over a few reused sessions, each verdict its own', async () => {
    const names = Array.from({ length: 40 }, (_, i) => file(`many-${i}.txt`, i % 5 === 0 ? eicarBytes() : `file ${i}\n`));
    const results = await Promise.all(names.map(async (path) => bySocket.check(await localFile(path), checkContext())));
    expect(results.map((result) => result.infected)).toEqual(names.map((_, i) => i % 5 === 0));
  });

  it('reports a file that vanished after listing as FILE_NOT_FOUND, never clean', async () => {
    const path = file('gone.txt', 'soon gone');
    const ref = await localFile(path);
    rmSync(path);
    await expect(bySocket.check(ref, checkContext())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('reports a file rewritten since listing as FILE_CHANGED', async () => {
    const ref = await localFile(file('changed.txt', 'longer than it was'), { size: 3 });
    await expect(bySocket.check(ref, checkContext())).rejects.toMatchObject({ code: 'FILE_CHANGED', retryable: true });
  });

  it('refuses a file larger than maxFileSize without sending it (clamd would say OK after its MaxFileSize)', async () => {
    const check = antivirusCheck({ clamd: { kind: 'socket', path: clamd.socket }, maxFileSize: 1000 });
    try {
      await expect(check.check(await localFile(file('large.bin', Buffer.alloc(1001))), checkContext())).rejects.toMatchObject({
        code: 'SCAN_LIMIT_EXCEEDED',
        retryable: false,
      });
    } finally {
      await check.close?.();
    }
  });

  it('puts the verdict or the error in the engine’s envelope', async () => {
    const engine = new CheckEngine({ checks: [antivirusCheck({ clamd: { kind: 'socket', path: clamd.socket } })], logger: quiet });
    await engine.init();
    try {
      const gone = await localFile(file('gone2.txt', 'x'));
      rmSync(join(clamd.dir, 'gone2.txt'));
      const reports = [];
      for await (const report of engine.run([{ file: await localFile(file('e.com', eicarBytes())) }, { file: gone }])) reports.push(report);
      expect(reports[0].results['antivirus']).toMatchObject({ status: 'completed', result: { infected: true }, tool: { name: 'ClamAV' } });
      expect(reports[1].results['antivirus']).toMatchObject({ status: 'error', error: { code: 'FILE_NOT_FOUND' } });
    } finally {
      await engine.close();
    }
  });
});
