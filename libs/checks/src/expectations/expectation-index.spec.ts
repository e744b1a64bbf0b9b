import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpectationIndex, chooseManifestBase } from './expectation-index.js';
import { ManifestError } from './manifest-error.js';
import type { ManifestEntry, ManifestFormat, ParsedManifest } from './manifest-types.js';
import { parseManifest } from './parse-manifest.js';
import { A64, B64, C32 } from '../test-support/manifests.js';

function manifestOf(entries: Array<[string, Record<string, string>]>, format: ManifestFormat = 'gnu'): ParsedManifest {
  return {
    format,
    fileName: 'SHA256SUMS',
    algorithms: ['sha256'],
    entries: entries.map(([entryPath, checksums], i) => ({ path: entryPath, checksums, line: i + 1 })),
  };
}

describe('ExpectationIndex', () => {
  const manifest = parseManifest(
    [`${A64}  in/a.txt`, `${B64}  in/sub/b.txt`, `${A64}  in/missing.txt`, `${B64}  elsewhere/c.txt`, `${A64}  /abs/d.txt`].join(
      '\n',
    ),
    { fileName: 'SHA256SUMS' },
  );

  it('returns the listed checksums with file and line as the source, and only the source for unlisted files', () => {
    const index = new ExpectationIndex({ manifest, base: '/base', roots: ['/base/in'] });
    expect(index.lookup('/base/in/sub/b.txt')).toEqual({ checksums: { sha256: B64 }, source: 'SHA256SUMS:2' });
    expect(index.lookup('/abs/d.txt')).toEqual({ checksums: { sha256: A64 }, source: 'SHA256SUMS:5' });
    expect(index.lookup('/base/in/unlisted.txt')).toEqual({ source: 'SHA256SUMS' });
  });

  it('reports entries never looked up, in manifest order, as not-found inside a root or outside-folder', () => {
    const index = new ExpectationIndex({ manifest, base: '/base', roots: ['/base/in'] });
    index.lookup('/base/in/a.txt');
    index.lookup('/base/in/sub/b.txt');
    index.lookup('/base/in/sub/b.txt');
    expect(index.unmatched()).toEqual([
      { entry: manifest.entries[2], absolutePath: '/base/in/missing.txt', reason: 'not-found' },
      { entry: manifest.entries[3], absolutePath: '/base/elsewhere/c.txt', reason: 'outside-folder' },
      { entry: manifest.entries[4], absolutePath: '/abs/d.txt', reason: 'outside-folder' },
    ]);
  });

  it('treats a root that is a file as containing only itself, and accepts several roots', () => {
    const index = new ExpectationIndex({ manifest, base: '/base', roots: ['/base/in/a.txt', '/abs'] });
    expect(index.unmatched().map((u) => [u.entry.path, u.reason])).toEqual([
      ['in/a.txt', 'not-found'],
      ['in/sub/b.txt', 'outside-folder'],
      ['in/missing.txt', 'outside-folder'],
      ['elsewhere/c.txt', 'outside-folder'],
      ['/abs/d.txt', 'not-found'],
    ]);
  });

  it('does not take a sibling with the root as a name prefix to be inside the root', () => {
    const index = new ExpectationIndex({ manifest: manifestOf([['in-other/x', { sha256: A64 }]]), base: '/b', roots: ['/b/in'] });
    expect(index.unmatched()[0]?.reason).toBe('outside-folder');
  });

  it('treats the file-system root as containing everything', () => {
    const index = new ExpectationIndex({ manifest, base: '/base', roots: ['/'] });
    expect(index.unmatched().every((u) => u.reason === 'not-found')).toBe(true);
  });

  it('resolves relative paths with . and .. and matches lookups given unnormalised paths', () => {
    const m = manifestOf([
      ['./in/x.txt', { sha256: A64 }],
      ['in/deep/../y.txt', { sha256: B64 }],
      ['../up.txt', { sha256: A64 }],
    ]);
    const index = new ExpectationIndex({ manifest: m, base: '/b', roots: ['/b'] });
    expect(index.lookup('/b/in/x.txt').checksums).toEqual({ sha256: A64 });
    expect(index.lookup('/b/in/./y.txt').checksums).toEqual({ sha256: B64 });
    expect(index.unmatched()).toEqual([{ entry: m.entries[2], absolutePath: '/up.txt', reason: 'outside-folder' }]);
  });

  it('matches NFD names on disk to NFC names in the manifest, and the reverse', () => {
    const nfc = 'caf\u00e9/na\u00efve.txt';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    const m = manifestOf([
      [nfc, { sha256: A64 }],
      [`other-${nfd}`, { sha256: B64 }],
    ]);
    const index = new ExpectationIndex({ manifest: m, base: '/b', roots: [`/b`] });
    expect(index.lookup(`/b/${nfd}`)).toEqual({ checksums: { sha256: A64 }, source: 'SHA256SUMS:1' });
    expect(index.lookup(`/b/other-${nfc}`)).toEqual({ checksums: { sha256: B64 }, source: 'SHA256SUMS:2' });
    expect(index.unmatched()).toEqual([]);
  });

  it('matches roots given in NFD against manifest paths in NFC', () => {
    const m = manifestOf([['d\u00e9p\u00f4t/a.txt', { sha256: A64 }]]);
    const index = new ExpectationIndex({ manifest: m, base: '/b', roots: ['/b/d\u00e9p\u00f4t'.normalize('NFD')] });
    expect(index.unmatched()[0]?.reason).toBe('not-found');
  });

  it('compares case exactly', () => {
    const index = new ExpectationIndex({ manifest: manifestOf([['A.txt', { sha256: A64 }]]), base: '/b', roots: ['/b'] });
    expect(index.lookup('/b/a.txt')).toEqual({ source: 'SHA256SUMS' });
  });

  it('merges entries that name the same file in different spellings', () => {
    const m = manifestOf([
      ['x/a.txt', { sha256: A64 }],
      ['./x//a.txt', { md5: C32 }],
      ['caf\u00e9', { sha256: B64 }],
      ['cafe\u0301', { sha256: B64 }],
    ]);
    const index = new ExpectationIndex({ manifest: m, base: '/b', roots: ['/b'] });
    expect(index.lookup('/b/x/a.txt')).toEqual({ checksums: { sha256: A64, md5: C32 }, source: 'SHA256SUMS:1' });
    expect(index.unmatched()).toEqual([
      { entry: { path: 'caf\u00e9', checksums: { sha256: B64 }, line: 3 }, absolutePath: '/b/caf\u00e9', reason: 'not-found' },
    ]);
  });

  it('rejects two spellings of one file with different checksums, naming both lines', () => {
    const m = manifestOf([
      ['caf\u00e9', { sha256: A64 }],
      ['other', { sha256: A64 }],
      ['cafe\u0301', { sha256: B64 }],
    ]);
    let error: unknown;
    try {
      new ExpectationIndex({ manifest: m, base: '/b', roots: ['/b'] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).line).toBe(3);
    expect((error as ManifestError).message).toContain('(line 1) name the same file but give different sha256 checksums');
  });

  it('resolves a relative base and roots against the working directory', () => {
    const index = new ExpectationIndex({ manifest: manifestOf([['a', { sha256: A64 }]]), base: 'rel', roots: ['rel'] });
    expect(index.lookup(path.resolve('rel/a')).checksums).toEqual({ sha256: A64 });
  });

  it('copes with a million entries: builds, looks up and lists the unmatched in linear time', () => {
    const count = 1_000_000;
    const entries: ManifestEntry[] = new Array(count);
    const checksums = { sha256: A64 };
    for (let i = 0; i < count; i++) entries[i] = { path: `d${i % 1000}/f${i}.bin`, checksums, line: i + 1 };
    const big: ParsedManifest = { format: 'gnu', fileName: 'BIG', algorithms: ['sha256'], entries };
    const started = performance.now();
    const index = new ExpectationIndex({ manifest: big, base: '/b', roots: ['/b'] });
    for (let i = 0; i < count; i += 2) index.lookup(`/b/d${i % 1000}/f${i}.bin`);
    const unmatched = index.unmatched();
    const elapsed = performance.now() - started;
    expect(unmatched).toHaveLength(count / 2);
    expect(unmatched[0]?.entry.line).toBe(2);
    expect(unmatched.every((u) => u.reason === 'not-found')).toBe(true);
    // Generous: a quadratic implementation would take hours, not seconds.
    expect(elapsed).toBeLessThan(20_000);
  });
});

describe('chooseManifestBase', () => {
  const inside = manifestOf([
    ['a.txt', { sha256: A64 }],
    ['sub/b.txt', { sha256: A64 }],
    ['/abs/x', { sha256: A64 }],
  ]);
  const fromParent = manifestOf([
    ['folder/a.txt', { sha256: A64 }],
    ['folder/sub/b.txt', { sha256: A64 }],
  ]);
  const disk = new Set(['/p/folder/a.txt', '/p/folder/sub/b.txt']);
  const exists = (p: string) => disk.has(p);

  it('picks the folder itself for sha256sum output made inside it', () => {
    expect(chooseManifestBase(inside, ['/p/folder', '/p'], exists)).toBe('/p/folder');
  });

  it('picks the parent for sha256sum output made from the parent', () => {
    expect(chooseManifestBase(fromParent, ['/p/folder', '/p'], exists)).toBe('/p');
  });

  it('breaks ties in favour of the earlier candidate', () => {
    expect(chooseManifestBase(inside, ['/nowhere', '/elsewhere'], exists)).toBe('/nowhere');
    expect(chooseManifestBase(inside, ['/elsewhere', '/nowhere'], exists)).toBe('/elsewhere');
  });

  it('returns the first candidate for BagIt without looking', () => {
    let calls = 0;
    const bag = manifestOf([['data/folder/a.txt', { sha256: A64 }]], 'bagit');
    expect(chooseManifestBase(bag, ['/bag', '/p'], () => ++calls > 0)).toBe('/bag');
    expect(calls).toBe(0);
  });

  it('looks at no more than `sample` relative entries per candidate, skipping absolute ones', () => {
    const entries: Array<[string, Record<string, string>]> = [['/abs/first', { sha256: A64 }]];
    for (let i = 0; i < 500; i++) entries.push([`f${i}`, { sha256: A64 }]);
    const asked: string[] = [];
    const result = chooseManifestBase(manifestOf(entries), ['/one', '/two'], (p) => {
      asked.push(p);
      return p.startsWith('/two/') && Number(p.slice(6)) < 7;
    }, 10);
    expect(result).toBe('/two');
    expect(asked).toHaveLength(20);
    expect(asked).not.toContain('/abs/first');
    expect(asked[0]).toBe('/one/f0');
  });

  it('stops early once a candidate has every sampled entry', () => {
    let calls = 0;
    chooseManifestBase(fromParent, ['/p', '/q', '/r'], (p) => {
      calls++;
      return exists(p);
    });
    expect(calls).toBe(2);
  });

  it('needs at least one candidate', () => {
    expect(() => chooseManifestBase(inside, [], exists)).toThrow(RangeError);
  });
});
