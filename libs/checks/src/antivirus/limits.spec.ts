import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localFile, memoryFile } from '../test-support/memory-file.js';
import type { FileCheck } from '../types.js';
import { antivirusCheck } from './antivirusCheck.js';
import type { AntivirusResult } from './result.js';
import { CLAMD_MISSING, eicarBytes, startTestClamd, type TestClamd } from './testing/test-clamd.js';
import { checkContext } from '../test-support/check-context.js';

const ignore = (): void => undefined;
const quiet = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * A clamd with tiny limits that says when it hits one (AlertExceedsMax):
 * a limit hit is SCAN_LIMIT_EXCEEDED, an error, neither infected nor clean.
 */
describe('antivirus check: clamd limits (MaxFileSize 10K, StreamMaxLength 20K, AlertExceedsMax yes)', () => {
  let clamd: TestClamd;
  let check: FileCheck<AntivirusResult>;

  beforeAll(async () => {
    if (CLAMD_MISSING) return;
    clamd = await startTestClamd({ MaxFileSize: '10K', StreamMaxLength: '20K', AlertExceedsMax: 'yes' });
    // serverAlertsOnLimits: clamd's own answer is trusted, so our size guard stands aside.
    check = antivirusCheck({ clamd: { kind: 'socket', path: clamd.socket }, serverAlertsOnLimits: true, maxInFlight: 1 });
    await check.init?.({ logger: quiet, signal: new AbortController().signal });
  });
  afterAll(async () => {
    await check?.close?.();
    await clamd?.stop();
  });
  beforeEach((test) => test.skip(CLAMD_MISSING !== undefined, CLAMD_MISSING));

  it('reports Heuristics.Limits.Exceeded as SCAN_LIMIT_EXCEEDED, not as a virus', async () => {
    const path = join(clamd.dir, 'over-max-file-size.bin');
    writeFileSync(path, Buffer.alloc(15 * 1024, 0x41));
    await expect(check.check(await localFile(path), checkContext())).rejects.toMatchObject({
      code: 'SCAN_LIMIT_EXCEEDED',
      retryable: false,
      message: expect.stringContaining('Heuristics.Limits.Exceeded.MaxFileSize'),
    });
  });

  it('reports a stream past StreamMaxLength as SCAN_LIMIT_EXCEEDED, and the next scan still works', async () => {
    await expect(check.check(memoryFile(Buffer.alloc(40 * 1024, 0x41), { chunkSize: 4096 }), checkContext())).rejects.toMatchObject({
      code: 'SCAN_LIMIT_EXCEEDED',
      retryable: false,
      message: expect.stringContaining('StreamMaxLength'),
    });
    // clamd closed that session; the pool opens another.
    expect(await check.check(memoryFile(eicarBytes()), checkContext())).toMatchObject({ infected: true });
  });

  it('still finds a virus under the limits', async () => {
    const path = join(clamd.dir, 'small-eicar.com');
    writeFileSync(path, eicarBytes());
    expect(await check.check(await localFile(path), checkContext())).toMatchObject({ infected: true, method: 'path' });
  });
});
