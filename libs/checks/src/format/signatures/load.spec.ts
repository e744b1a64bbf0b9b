import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckError } from '../../errors.js';
import { identify } from './identify.js';
import { findSignatureFiles, loadSignatures } from './load.js';
import { buildBinarySignatureXml, buildContainerSignatureXml, sharedTestDataDir } from './test-support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tdr-pronom-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function writeSignatureFiles(version = '7', hex = 'CAFE') {
  const binary = join(dir, `DROID_SignatureFile_V${version}.xml`);
  const container = join(dir, 'container-signature-20250101.xml');
  await writeFile(
    binary,
    buildBinarySignatureXml(
      [{ id: 1, byteSequences: [{ reference: 'BOFoffset', subSequences: [{ sequence: hex, min: 0, max: 0 }] }] }],
      [{ id: 1, puid: 'fmt/1', signatureIds: [1], extensions: ['caf'] }],
      version,
    ),
  );
  await writeFile(container, buildContainerSignatureXml([{ id: 9, containerType: 'ZIP', files: [{ path: 'x' }] }], [{ signatureId: 9, puid: 'fmt/2' }]));
  return { binary, container };
}

const cafe = { size: 3, head: Buffer.from([0xca, 0xfe, 0]), tail: Buffer.from([0xca, 0xfe, 0]) };

describe('findSignatureFiles', () => {
  it('picks the highest binary version and the latest container date', async () => {
    for (const name of [
      'DROID_SignatureFile_V99.xml',
      'DROID_SignatureFile_V122.xml',
      'DROID_SignatureFile_V1000.txt',
      'container-signature-20240501.xml',
      'container-signature-20260119.xml',
      'container-signature-2027.xml',
      'notes.md',
    ]) {
      await writeFile(join(dir, name), '');
    }
    expect(findSignatureFiles(dir)).toEqual({
      binary: join(dir, 'DROID_SignatureFile_V122.xml'),
      container: join(dir, 'container-signature-20260119.xml'),
    });
  });

  it('returns no container file when there is none', async () => {
    await writeFile(join(dir, 'DROID_SignatureFile_V1.xml'), '');
    expect(findSignatureFiles(dir)).toEqual({ binary: join(dir, 'DROID_SignatureFile_V1.xml') });
  });

  it('names the folder when there is no binary signature file', async () => {
    await writeFile(join(dir, 'container-signature-20260119.xml'), '');
    expect(() => findSignatureFiles(dir)).toThrow(`no DROID binary signature file (DROID_SignatureFile_V<n>.xml) in ${dir}`);
    expect(() => findSignatureFiles(join(dir, 'missing'))).toThrow(CheckError);
    expect(() => findSignatureFiles(join(dir, 'missing'))).toThrow(`cannot read the signature folder ${join(dir, 'missing')}`);
  });
});

describe('loadSignatures', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('compiles the XML once, then loads the cache', async () => {
    const files = await writeSignatureFiles();
    const cacheDir = join(dir, 'cache');
    const first = await loadSignatures(files, { cacheDir });
    expect(first.loadInfo?.from).toBe('xml');
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const second = await loadSignatures(files, { cacheDir });
    expect(second.loadInfo).toMatchObject({ from: 'cache', cacheFile: first.loadInfo?.cacheFile });
    expect(second.versions).toEqual(first.versions);
    expect(second.describe()).toBe('PRONOM binary V7 / container 20250101');
    expect(identify(second, cafe, 'a.caf')).toEqual(identify(first, cafe, 'a.caf'));
    expect(identify(second, cafe, 'a.caf').matches[0]?.puid).toBe('fmt/1');
  });

  it('ignores and rebuilds a corrupted cache', async () => {
    const files = await writeSignatureFiles();
    const cacheDir = join(dir, 'cache');
    const { loadInfo } = await loadSignatures(files, { cacheDir });
    const cacheFile = loadInfo?.cacheFile as string;
    const bytes = readFileSync(cacheFile);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(cacheFile, bytes);
    const warn = vi.fn();
    const rebuilt = await loadSignatures(files, { cacheDir, logger: { warn } });
    expect(rebuilt.loadInfo?.from).toBe('xml');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ignoring PRONOM signature cache .*payload damaged/));
    expect((await loadSignatures(files, { cacheDir })).loadInfo?.from).toBe('cache');
  });

  it('ignores a truncated or foreign cache file', async () => {
    const files = await writeSignatureFiles();
    const cacheDir = join(dir, 'cache');
    const cacheFile = (await loadSignatures(files, { cacheDir })).loadInfo?.cacheFile as string;
    writeFileSync(cacheFile, readFileSync(cacheFile).subarray(0, 100));
    expect((await loadSignatures(files, { cacheDir })).loadInfo?.from).toBe('xml');
    writeFileSync(cacheFile, 'hello');
    expect((await loadSignatures(files, { cacheDir })).loadInfo?.from).toBe('xml');
    expect(identify(await loadSignatures(files, { cacheDir }), cafe, 'a').matches[0]?.puid).toBe('fmt/1');
  });

  it('does not use the cache of other signature files (stale)', async () => {
    const cacheDir = join(dir, 'cache');
    const files = await writeSignatureFiles('7', 'CAFE');
    await loadSignatures(files, { cacheDir });
    await writeSignatureFiles('7', 'BEEF'); // same names, new content
    const changed = await loadSignatures(files, { cacheDir });
    expect(changed.loadInfo?.from).toBe('xml');
    expect(identify(changed, cafe, 'a').matches).toEqual([]);
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('removes caches of other compiled formats when it writes one, and keeps those of other signature files', async () => {
    const cacheDir = join(dir, 'cache');
    const files = await writeSignatureFiles('7', 'CAFE');
    const first = (await loadSignatures(files, { cacheDir })).loadInfo?.cacheFile as string;
    const name = basename(first);
    const outdated = [name.replace(/-c\d+\.v8$/, '-c1.v8'), 'pronom-0123456789abcdef-none-c2.v8'];
    for (const old of outdated) writeFileSync(join(cacheDir, old), 'an old compiled format');
    writeFileSync(join(cacheDir, 'notes.txt'), 'not ours');
    await writeSignatureFiles('7', 'BEEF'); // new content: a new cache is written
    await loadSignatures(files, { cacheDir });
    const left = readdirSync(cacheDir).sort();
    expect(left).toHaveLength(3);
    expect(left).toContain(name); // the other signature files' cache stays
    expect(left).toContain('notes.txt');
    for (const old of outdated) expect(left).not.toContain(old);
  });

  it('works when the cache cannot be written, and without a cache', async () => {
    const files = await writeSignatureFiles();
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, 'not a folder');
    const warn = vi.fn();
    const signatures = await loadSignatures(files, { cacheDir: join(blocked, 'cache'), logger: { warn } });
    expect(signatures.loadInfo?.from).toBe('xml');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not write PRONOM signature cache/));
    expect((await loadSignatures(files, { cacheDir: false })).loadInfo).toMatchObject({ from: 'xml', cacheFile: undefined });
  });

  it('uses $TDR_CHECKS_CACHE_DIR by default', async () => {
    const files = await writeSignatureFiles();
    const cacheDir = join(dir, 'env-cache');
    vi.stubEnv('TDR_CHECKS_CACHE_DIR', cacheDir);
    expect((await loadSignatures(files)).loadInfo?.cacheFile?.startsWith(cacheDir)).toBe(true);
  });

  it('says which file is missing or not a signature file', async () => {
    const files = await writeSignatureFiles();
    await expect(loadSignatures({ binary: join(dir, 'nope.xml') }, { cacheDir: false })).rejects.toThrow(
      `cannot read the binary signature file ${join(dir, 'nope.xml')}`,
    );
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'x.xml'), '<html/>');
    await expect(loadSignatures({ binary: join(dir, 'bad', 'x.xml') }, { cacheDir: false })).rejects.toThrow(CheckError);
    await expect(loadSignatures({ ...files, container: join(dir, 'bad', 'x.xml') }, { cacheDir: false })).rejects.toThrow(
      /x\.xml is not a usable DROID container signature file: no <ContainerSignatureMapping>/,
    );
  });

  it('loads the real V122 files from the cache quickly', async () => {
    const files = findSignatureFiles(join(sharedTestDataDir(), 'pronom'));
    const cacheDir = join(dir, 'cache');
    const compiled = await loadSignatures(files, { cacheDir });
    const cached = await loadSignatures(files, { cacheDir });
    console.log(`PRONOM V122 + container 20260119: compile from XML ${compiled.loadInfo?.ms.toFixed(0)} ms, load from cache ${cached.loadInfo?.ms.toFixed(0)} ms`);
    expect(cached.loadInfo?.from).toBe('cache');
    expect(cached.loadInfo?.ms).toBeLessThan(1000); // ~50 ms here; generous for slow CI machines
    expect(cached.formats).toHaveLength(2544);
    expect(cached.warnings).toEqual([]);
    expect(cached.versions).toMatchObject({
      binary: { version: '122', display: 'V122', dateCreated: '2026-01-19T10:53:18', sha256: '9f94d948a8ea4a9f63d6a8a40b273a5b0cd23ff65b5bb614867e78120967343a' },
      container: { signatureVersion: '40', schemaVersion: '1.0', date: '2026-01-19', display: '20260119' },
    });
  }, 60_000);
});
