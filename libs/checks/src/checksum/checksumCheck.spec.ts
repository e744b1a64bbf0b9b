import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFile, memoryFile } from '../test-support/memory-file.js';
import type { CheckContext, FileCheck } from '../types.js';
import { CHECKSUM_ALGORITHMS } from './algorithms.js';
import { checksumCheck, type ChecksumResult } from './checksumCheck.js';
import { WHOLE_FILE_HASH_LIMIT } from './hash-local-file.js';
import { checkContext } from '../test-support/check-context.js';

/** Published test vectors (FIPS 180, RFC 1321, BLAKE3, xxHash and iSCSI CRC-32C references). */
const VECTORS: Record<string, Record<string, string>> = {
  '': {
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    blake3: 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    xxh64: 'ef46db3751d8e999',
    crc32c: '00000000',
  },
  abc: {
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    md5: '900150983cd24fb0d6963f7d28e17f72',
    sha224: '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
    sha384: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    sha512:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    blake3: '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
    xxh64: '44bc2cf5ad770999',
  },
  '123456789': { crc32c: 'e3069283' },
};

function ctx(signal = new AbortController().signal): CheckContext {
  return checkContext(signal, console);
}

/** The digest as an independent tool (GNU coreutils) computes it. */
function coreutils(tool: 'sha256sum' | 'md5sum' | 'sha1sum' | 'sha512sum', path: string): string {
  return execFileSync(tool, ['--', path], { encoding: 'utf8' }).split(' ')[0];
}

describe('checksum check, reading through FileRef.stream()', () => {
  let check: FileCheck<ChecksumResult>;
  beforeAll(async () => {
    check = checksumCheck({ algorithms: [...CHECKSUM_ALGORITHMS], inWorkers: false });
    await check.init?.({ logger: console, signal: new AbortController().signal });
  });

  it.each(Object.entries(VECTORS))('computes every algorithm in one pass (%j)', async (text, expected) => {
    const result = await check.check(memoryFile(text, { chunkSize: 1 }), ctx());
    expect(result).toMatchObject(expected);
    expect(Object.keys(result).sort()).toEqual([...CHECKSUM_ALGORITHMS].sort());
  });
});

describe('checksum check, hashing local files in worker threads', () => {
  let dir: string;
  let check: FileCheck<ChecksumResult>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tdr-checksum-'));
    check = checksumCheck({ algorithms: ['sha256', 'md5'] });
    await check.init?.({ logger: console, signal: new AbortController().signal });
  });
  afterAll(async () => {
    await check.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  // Sizes around the whole-read scratch buffer and the switch from whole-file to block-by-block hashing.
  const sizes = [0, 1, 1024 * 1024 - 1, 1024 * 1024 + 1, WHOLE_FILE_HASH_LIMIT, WHOLE_FILE_HASH_LIMIT + 1, 3 * WHOLE_FILE_HASH_LIMIT + 12345];
  it.each(sizes)('agrees with coreutils for %i bytes', async (size) => {
    const path = join(dir, `file-${size}`);
    writeFileSync(path, randomBytes(size));
    const result = await check.check(await localFile(path), ctx());
    expect(result.sha256).toBe(coreutils('sha256sum', path));
    expect(result.md5).toBe(coreutils('md5sum', path));
  });

  it('hashes many files at once correctly', async () => {
    const paths = Array.from({ length: 60 }, (_, i) => {
      const path = join(dir, `many-${i}`);
      writeFileSync(path, randomBytes(1 + ((i * 7919) % 70_000)));
      return path;
    });
    const results = await Promise.all(paths.map(async (path) => check.check(await localFile(path), ctx())));
    expect(results.map((result) => result.sha256)).toEqual(paths.map((path) => coreutils('sha256sum', path)));
  });

  it('compares with declared checksums, computing the declared algorithms too', async () => {
    const path = join(dir, 'declared');
    writeFileSync(path, 'abc');
    const good = await check.check(
      await localFile(path, { expected: { checksums: { sha1: VECTORS['abc'].sha1.toUpperCase() }, source: 'm.txt:1' } }),
      ctx(),
    );
    expect(good).toMatchObject({ sha1: VECTORS['abc'].sha1, expected: { sha1: VECTORS['abc'].sha1 }, matches: true });
    const bad = await check.check(await localFile(path, { expected: { checksums: { sha256: '0'.repeat(64) } } }), ctx());
    expect(bad).toMatchObject({ sha256: VECTORS['abc'].sha256, expected: { sha256: '0'.repeat(64) }, matches: false });
    const unlisted = await check.check(await localFile(path, { expected: { source: 'manifest-sha256.txt' } }), ctx());
    expect(unlisted).toMatchObject({ unlisted: true });
    expect(unlisted).not.toHaveProperty('matches');
  });

  it('refuses a declared algorithm it cannot compute', async () => {
    const path = join(dir, 'whirlpool');
    writeFileSync(path, 'abc');
    await expect(check.check(await localFile(path, { expected: { checksums: { whirlpool: 'ab' } } }), ctx())).rejects.toMatchObject({
      code: 'UNSUPPORTED_ALGORITHM',
    });
  });

  it('reports a vanished file, a file that changed since listing, and a FIFO without hanging', async () => {
    const gone = join(dir, 'gone');
    writeFileSync(gone, 'x');
    const ref = await localFile(gone, { path: 'gone' });
    rmSync(gone);
    await expect(check.check(ref, ctx())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });

    const grown = join(dir, 'grown');
    writeFileSync(grown, 'abcdef');
    await expect(check.check(await localFile(grown, { size: 3 }), ctx())).rejects.toMatchObject({ code: 'FILE_CHANGED', retryable: true });

    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(check.check(await localFile(fifo, { size: 0 }), ctx())).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
  });

  it('stops hashing when aborted and keeps serving other files', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, randomBytes(64 * 1024 * 1024));
    const controller = new AbortController();
    const pending = check.check(await localFile(big), ctx(controller.signal));
    controller.abort(new Error('budget spent'));
    await expect(pending).rejects.toThrow('budget spent');
    const small = join(dir, 'after-abort');
    writeFileSync(small, 'abc');
    expect((await check.check(await localFile(small), ctx())).sha256).toBe(VECTORS['abc'].sha256);
  });
});
