import { describe, expect, it } from 'vitest';
import { openCfb } from './cfb.js';
import { buildCfb, containerError, getU32, memorySource, same, setU32, text, type CfbLayout } from './test-support.js';

const open = (bytes: Uint8Array, limits?: Parameters<typeof openCfb>[1]) => openCfb(memorySource(bytes), limits);

/** Bytes that differ at every position, so a sector read from the wrong place shows. */
function pattern(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed + (i >>> 8)) & 0xff;
  return out;
}

/** A Word-like file: property sets with control-character names, a big stream, nested storages. */
function wordLike(version: 3 | 4, extra: Partial<Parameters<typeof buildCfb>[0]> = {}): CfbLayout {
  return buildCfb({
    version,
    streams: [
      { path: '\u0001CompObj', data: 'compobj' },
      { path: '\u0005SummaryInformation', data: pattern(300, 1) },
      { path: '\u0005DocumentSummaryInformation', data: pattern(4095, 2) },
      { path: 'WordDocument', data: pattern(20_000, 3) },
      { path: '1Table', data: pattern(4096, 4) },
      { path: 'ObjectPool/_1234/\u0001Ole', data: 'ole' },
      { path: 'ObjectPool/_1234/CONTENTS', data: pattern(9000, 5) },
    ],
    ...extra,
  });
}

describe('openCfb: reading', () => {
  for (const version of [3, 4] as const) {
    it(`reads a version ${version} file: mini stream and regular streams, nested storages`, async () => {
      const layout = wordLike(version);
      const ole = await open(layout.bytes);
      expect(ole.type).toBe('OLE2');
      expect(ole.majorVersion).toBe(version);
      expect(ole.sectorSize).toBe(version === 3 ? 512 : 4096);
      expect([...ole.paths()].sort()).toEqual(
        ['1Table', 'CompObj', 'DocumentSummaryInformation', 'ObjectPool', 'ObjectPool/_1234', 'ObjectPool/_1234/CONTENTS', 'ObjectPool/_1234/Ole', 'SummaryInformation', 'WordDocument'].sort(),
      );
      expect(text(await ole.read('CompObj', 100))).toBe('compobj');
      expect(text(await ole.read('ObjectPool/_1234/Ole', 100))).toBe('ole');
      // 4095 bytes: the last size in the mini stream; 4096: the first in regular sectors.
      expect(layout.streams.get('\u0005DocumentSummaryInformation')?.mini).toBe(true);
      expect(layout.streams.get('1Table')?.mini).toBe(false);
      expect(same(await ole.read('DocumentSummaryInformation', Infinity), pattern(4095, 2))).toBe(true);
      expect(same(await ole.read('1Table', Infinity), pattern(4096, 4))).toBe(true);
      expect(same(await ole.read('WordDocument', Infinity), pattern(20_000, 3))).toBe(true);
      expect(same(await ole.read('WordDocument', 1000), pattern(1000, 3))).toBe(true);
      expect(same(await ole.read('ObjectPool/_1234/CONTENTS', 5000), pattern(5000, 5))).toBe(true);
      expect(same(await ole.read('SummaryInformation', 70), pattern(70, 1))).toBe(true);
      expect(ole.entry('ObjectPool')).toEqual({ path: 'ObjectPool', name: 'ObjectPool', type: 'storage', size: 0 });
      expect(await ole.read('ObjectPool', 10)).toEqual(new Uint8Array(0));
    });
  }

  it('names paths as DROID does: trimmed names (control characters and spaces gone), case kept, compared exactly', async () => {
    const ole = await open(
      buildCfb({
        streams: [
          { path: '\u0005SummaryInformation', data: 's' },
          { path: '\u0001CompObj', data: 'c' },
          { path: ' Padded Name \u0000', data: 'p' },
          { path: 'Macros/VBA/\u0003VBA_PROJECT', data: 'v' },
          { path: 'PowerPoint Document', data: 'pp' },
        ],
      }).bytes,
    );
    expect(ole.has('SummaryInformation')).toBe(true);
    expect(ole.has('\u0005SummaryInformation')).toBe(false);
    expect(ole.has('CompObj')).toBe(true);
    expect(ole.has('Padded Name')).toBe(true);
    expect(ole.has('Macros/VBA/VBA_PROJECT')).toBe(true);
    expect(ole.has('macros/vba/VBA_PROJECT')).toBe(false);
    expect(ole.has('PowerPoint Document')).toBe(true);
    expect(ole.has('Root Entry')).toBe(false);
    expect(ole.entry('SummaryInformation')?.name).toBe('\u0005SummaryInformation');
    expect(text(await ole.read('Padded Name', 10))).toBe('p');
  });

  it('follows a DIFAT chain: 300 FAT sectors, stored out of order, covering data past the first 109', async () => {
    const layout = wordLike(3, { minFatSectors: 300, reverseFat: true, leadingFreeSectors: 14_500 });
    expect(layout.difatSectors.length).toBe(2);
    // The data sits beyond what the header's 109 FAT sectors describe (109 × 128 sectors).
    expect(layout.streams.get('WordDocument')?.start).toBeGreaterThan(109 * 128);
    const ole = await open(layout.bytes);
    expect(same(await ole.read('WordDocument', Infinity), pattern(20_000, 3))).toBe(true);
    expect(same(await ole.read('SummaryInformation', Infinity), pattern(300, 1))).toBe(true);
  });

  it('reads only the sectors a read needs', async () => {
    const layout = buildCfb({ streams: [{ path: 'Big', data: pattern(2 * 1024 * 1024) }, { path: 'small', data: pattern(3000) }] });
    const source = memorySource(layout.bytes);
    const ole = await openCfb(source);
    const afterOpen = source.bytesRead;
    expect(afterOpen).toBeLessThan(4096);
    expect(same(await ole.read('Big', 1024), pattern(1024))).toBe(true);
    // Two data sectors and the one FAT sector describing them.
    expect(source.bytesRead - afterOpen).toBeLessThanOrEqual(1024 + 512);
    const beforeSmall = source.bytesRead;
    expect(same(await ole.read('small', 100), pattern(100))).toBe(true);
    // Two mini sectors, the mini FAT sector, and (first use) nothing else: the mini stream's chain is in the cached FAT.
    expect(source.bytesRead - beforeSmall).toBeLessThanOrEqual(128 + 512);
  });

  it('skips entries of unknown type and sibling numbers outside the directory, as POI does', async () => {
    const layout = buildCfb({ streams: [{ path: 'a', data: 'A' }, { path: 'bb', data: 'B' }, { path: 'ccc', data: 'C' }] });
    // The tree of the root's children is bb (a, ccc); make ccc of unknown type and point a's right at entry 1000.
    layout.bytes[layout.entryOffset(layout.indexOf('ccc')) + 66] = 7;
    setU32(layout.bytes, layout.entryOffset(layout.indexOf('a')) + 72, 1000);
    const ole = await open(layout.bytes);
    expect([...ole.paths()].sort()).toEqual(['a', 'bb']);
  });

  it('serves concurrent reads (they share the mini stream’s chain)', async () => {
    const streams = Array.from({ length: 40 }, (_, i) => ({ path: `s${i}`, data: pattern(100 + i * 97, i) }));
    for (const version of [3, 4] as const) {
      const ole = await open(buildCfb({ version, streams: [...streams, { path: 'big', data: pattern(50_000, 99) }] }).bytes);
      const all = await Promise.all([...streams, { path: 'big', data: pattern(50_000, 99) }].map(async (s) => same(await ole.read(s.path, Infinity), s.data)));
      expect(all.every(Boolean)).toBe(true);
    }
  });

  it('says RangeError for a path it does not have or a bad maxBytes', async () => {
    const ole = await open(buildCfb({ streams: [{ path: 'a', data: 'A' }] }).bytes);
    await expect(ole.read('b', 1)).rejects.toBeInstanceOf(RangeError);
    await expect(ole.read('a', Number.NaN)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('openCfb: broken and hostile files', () => {
  it('is NOT_A_CONTAINER without the signature, MALFORMED with a truncated header', async () => {
    await containerError(open(new TextEncoder().encode('PK\u0003\u0004 not an OLE2 file at all')), 'NOT_A_CONTAINER');
    await containerError(open(new Uint8Array(0)), 'NOT_A_CONTAINER');
    const { bytes } = wordLike(3);
    for (const cut of [4, 8, 300, 511]) {
      await containerError(open(bytes.subarray(0, cut)), 'MALFORMED', /header is truncated/);
    }
    await containerError(open(wordLike(4).bytes.subarray(0, 3000)), 'MALFORMED', /header sector is truncated/);
  });

  it('checks the header fields', async () => {
    const version = wordLike(3).bytes;
    version[26] = 5;
    await containerError(open(version), 'UNSUPPORTED', /major version 5/);
    const shift = wordLike(3).bytes;
    shift[30] = 10;
    await containerError(open(shift), 'MALFORMED', /sector shift is 10/);
    const order = wordLike(3).bytes;
    order[28] = 0;
    await containerError(open(order), 'MALFORMED', /byte order/);
  });

  it('is MALFORMED when the directory tree has a cycle', async () => {
    const layout = wordLike(3);
    // A leaf's right sibling pointing back at the root of its own tree.
    const rootChild = getU32(layout.bytes, layout.entryOffset(0) + 76);
    setU32(layout.bytes, layout.entryOffset(layout.indexOf('\u0001CompObj')) + 72, rootChild);
    await containerError(open(layout.bytes), 'MALFORMED', /reached twice: the directory tree has a cycle/);
    const toRoot = wordLike(3);
    setU32(toRoot.bytes, toRoot.entryOffset(toRoot.indexOf('ObjectPool/_1234')) + 76, 0);
    await containerError(open(toRoot.bytes), 'MALFORMED', /cycle/);
    const self = wordLike(4);
    setU32(self.bytes, self.entryOffset(self.indexOf('ObjectPool')) + 76, self.indexOf('ObjectPool'));
    await containerError(open(self.bytes), 'MALFORMED', /cycle/);
  });

  it('is MALFORMED when a FAT chain loops, but only if a read walks into the loop', async () => {
    const layout = wordLike(3);
    const start = layout.streams.get('WordDocument')?.start as number;
    setU32(layout.bytes, layout.fatEntryOffset(start + 5), start + 2); // sector 6 of the stream leads back to sector 3
    const ole = await open(layout.bytes);
    expect(same(await ole.read('WordDocument', 6 * 512), pattern(6 * 512, 3))).toBe(true);
    await containerError(ole.read('WordDocument', Infinity), 'MALFORMED', /loops: it reaches sector \d+ twice/);
  });

  it('is MALFORMED when a mini FAT chain loops', async () => {
    const layout = wordLike(3);
    const start = layout.streams.get('\u0005DocumentSummaryInformation')?.start as number;
    // The mini FAT is the sector after the directory in this layout; find it through the header.
    const miniFat = getU32(layout.bytes, 60);
    setU32(layout.bytes, layout.sectorOffset(miniFat) + 4 * (start + 3), start);
    const ole = await open(layout.bytes);
    await containerError(ole.read('DocumentSummaryInformation', Infinity), 'MALFORMED', /mini sector chain .* loops/);
  });

  it('is MALFORMED for sector numbers past the end of the file', async () => {
    const stream = wordLike(3);
    setU32(stream.bytes, stream.entryOffset(stream.indexOf('WordDocument')) + 116, 99_999);
    await containerError((await open(stream.bytes)).read('WordDocument', 10), 'MALFORMED', /sector 99999, past the end of the file/);
    const fat = wordLike(3);
    setU32(fat.bytes, 76, 50_000);
    await containerError(open(fat.bytes), 'MALFORMED', /FAT sector 0 is at sector 50000, past the end/);
    const directory = wordLike(3);
    setU32(directory.bytes, 48, 70_000);
    await containerError(open(directory.bytes), 'MALFORMED', /directory chain points at sector 70000/);
    const marker = wordLike(3);
    setU32(marker.bytes, marker.entryOffset(marker.indexOf('1Table')) + 116, 0xfffffffd);
    await containerError((await open(marker.bytes)).read('1Table', 10), 'MALFORMED', /reserved sector number/);
    const fatCount = wordLike(3);
    setU32(fatCount.bytes, 44, 100_000);
    await containerError(open(fatCount.bytes), 'MALFORMED', /100000 FAT sectors but the file has only/);
  });

  it('is MALFORMED when a chain ends before the stream does, or the file ends inside a stream', async () => {
    const layout = wordLike(3);
    const start = layout.streams.get('WordDocument')?.start as number;
    setU32(layout.bytes, layout.fatEntryOffset(start + 1), 0xfffffffe);
    await containerError((await open(layout.bytes)).read('WordDocument', Infinity), 'MALFORMED', /ends after 2 sectors/);
    const truncated = wordLike(3);
    const cut = truncated.sectorOffset(truncated.streams.get('ObjectPool/_1234/CONTENTS')?.start as number) + 100;
    const ole = await open(truncated.bytes.subarray(0, cut));
    expect(same(await ole.read('ObjectPool/_1234/CONTENTS', 100), pattern(100, 5))).toBe(true);
    await containerError(ole.read('ObjectPool/_1234/CONTENTS', 1000), 'MALFORMED');
  });

  it('is MALFORMED for two entries of one name in a storage (POI refuses them too)', async () => {
    const layout = buildCfb({ streams: [{ path: 'aa', data: 'A' }, { path: 'ab', data: 'B' }] });
    const at = layout.entryOffset(layout.indexOf('ab'));
    layout.bytes[at + 2] = 'a'.charCodeAt(0);
    await containerError(open(layout.bytes), 'MALFORMED', /two entries named "aa"/);
  });

  it('holds the directory, the FAT and the bytes read to their limits', async () => {
    const many = buildCfb({ streams: Array.from({ length: 40 }, (_, i) => ({ path: `s${i}`, data: 'x' })) });
    await containerError(open(many.bytes, { maxDirectoryEntries: 16 }), 'LIMIT_EXCEEDED', /more than 16 entries/);
    await containerError(open(wordLike(3, { minFatSectors: 300 }).bytes, { maxFatBytes: 100 * 512 }), 'LIMIT_EXCEEDED', /FAT has 300 sectors/);
    const ole = await open(wordLike(3).bytes, { maxEntryBytes: 10_000, maxTotalBytes: 15_000 });
    await containerError(ole.read('WordDocument', Infinity), 'LIMIT_EXCEEDED', /per-entry limit/);
    await ole.read('WordDocument', 10_000);
    await containerError(ole.read('WordDocument', 10_000), 'LIMIT_EXCEEDED', /per-file limit/);
    expect(ole.producedBytes()).toBe(10_000);
  });

  it('bounds a root entry that claims a huge mini stream', async () => {
    const layout = wordLike(3);
    setU32(layout.bytes, layout.entryOffset(0) + 120, 0xfffffff0);
    const start = layout.streams.get('\u0005SummaryInformation')?.start as number;
    // Point a mini stream at a mini sector far beyond anything the directory could need.
    setU32(layout.bytes, layout.entryOffset(layout.indexOf('\u0005SummaryInformation')) + 116, start + 10_000_000);
    const ole = await open(layout.bytes);
    await containerError(ole.read('SummaryInformation', 10), 'MALFORMED', /past the end of the mini stream/);
  });
});
