import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localFile } from '../test-support/memory-file.js';
import type { FileCheck } from '../types.js';
import { antivirusCheck } from './antivirusCheck.js';
import type { AntivirusResult } from './result.js';
import { CLAMD_MISSING, EICAR_SIGNATURE, eicarBytes, startTestClamd, type TestClamd } from './testing/test-clamd.js';
import { checkContext } from '../test-support/check-context.js';

const ignore = (): void => undefined;
const SKIP = CLAMD_MISSING ?? (process.getuid?.() === 0 ? undefined : 'needs root, to start clamd as another user (nobody)');

/** Debian's clamd runs as user clamav and cannot open most people's files: those are streamed to it instead. */
describe('antivirus check: a clamd that may not read the file (runs as nobody)', () => {
  let clamd: TestClamd;
  let check: FileCheck<AntivirusResult>;
  const warnings: string[] = [];
  let privateDir: string;

  beforeAll(async () => {
    if (SKIP) return;
    clamd = await startTestClamd({}, { runAs: 'nobody' });
    privateDir = join(clamd.dir, 'private');
    mkdirSync(privateDir, { mode: 0o700 });
    check = antivirusCheck({ clamd: { kind: 'socket', path: clamd.socket } });
    await check.init?.({ logger: { debug: ignore, info: ignore, warn: (line) => warnings.push(line), error: ignore }, signal: new AbortController().signal });
  });
  afterAll(async () => {
    await check?.close?.();
    await clamd?.stop();
  });
  beforeEach((test) => test.skip(SKIP !== undefined, SKIP));

  it('streams a file clamd cannot open, finds EICAR, and says once that it does so', async () => {
    const path = join(privateDir, 'eicar.com');
    writeFileSync(path, eicarBytes());
    expect(await check.check(await localFile(path), checkContext())).toMatchObject({ infected: true, method: 'stream', signatures: [EICAR_SIGNATURE] });
    writeFileSync(join(privateDir, 'clean.txt'), 'clean');
    expect(await check.check(await localFile(join(privateDir, 'clean.txt')), checkContext())).toMatchObject({ infected: false, method: 'stream' });
    expect(warnings.filter((line) => line.includes('cannot read'))).toHaveLength(1);
  });

  it('reports a vanished file as FILE_NOT_FOUND, not as one to stream', async () => {
    const path = join(privateDir, 'gone.txt');
    writeFileSync(path, 'x');
    const ref = await localFile(path);
    rmSync(path);
    await expect(check.check(ref, checkContext())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
