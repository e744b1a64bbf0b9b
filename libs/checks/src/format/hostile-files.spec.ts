import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckEngine } from '../engine/CheckEngine.js';
import type { FileReport } from '../engine/report.js';
import { flagsCheck } from '../flags/flagsCheck.js';
import { localFile } from '../test-support/memory-file.js';
import { buildZip, deflatedZeros } from './containers/test-support.js';
import { formatCheck } from './formatCheck.js';

const PRONOM = fileURLToPath(new URL('../../../../../shared/pronom', import.meta.url));

/** The format and flags checks as a run uses them (worker threads, compiled signatures), on hostile ZIP files. */
describe('format and flags checks on hostile ZIP files', () => {
  let dir: string;
  let engine: CheckEngine;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tdr-hostile-'));
    engine = new CheckEngine({ checks: [formatCheck({ signaturesDir: PRONOM, cacheDir: join(dir, 'cache') }), flagsCheck()] });
    await engine.init();
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function check(name: string, bytes: Uint8Array): Promise<FileReport> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return engine.checkItem({ file: await localFile(path, { path: name }) });
  }

  it('identifies a zip bomb (1 GiB of zeros in 1 MB) quickly, with bounded memory, and inspects it', async () => {
    const { compressed, crc } = deflatedZeros(1024 ** 3);
    // Named as entries container signatures read (ODF's mimetype, OOXML's content types), so they are inflated.
    const bomb = buildZip([
      { name: 'mimetype', compressed, crc, uncompressedSize: 1024 ** 3 },
      { name: '[Content_Types].xml', compressed, crc, uncompressedSize: 1024 ** 3 },
    ]);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const report = await check('bomb.zip', bomb);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(report.results['format']).toMatchObject({ status: 'completed', result: { puid: 'x-fmt/263' } });
    expect(report.results['flags']).toMatchObject({ status: 'completed', result: { passwordProtected: false } });
  });

  it('gives a clear result for a ZIP whose central directory points past its end', async () => {
    const zip = buildZip([{ name: 'a.txt', data: 'a' }]);
    const broken = zip.slice();
    new DataView(broken.buffer).setUint32(broken.length - 22 + 16, broken.length + 1000, true);
    const report = await check('broken.zip', broken);
    // The format falls back to the bytes (as DROID does) and says why; the flags cannot tell, and say so.
    expect(report.results['format']).toMatchObject({ status: 'completed', result: { puid: 'x-fmt/263' } });
    expect((report.results['format'] as { result: { containerProblem?: string } }).result.containerProblem).toMatch(/MALFORMED/);
    expect(report.results['flags']).toMatchObject({ status: 'error', error: { code: 'CONTAINER_UNREADABLE' } });
  });
});
