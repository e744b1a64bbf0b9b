import { describe, expect, it } from 'vitest';
import { droidExtension, identify } from './identify.js';
import { compileSignatures } from './load.js';
import { buildBinarySignatureXml, buildContainerSignatureXml, type TestFormat, type TestSignature } from './test-support.js';
import type { ByteWindow } from './types.js';

function bof(id: number, hex: string, offset = 0): TestSignature {
  return { id, byteSequences: [{ reference: 'BOFoffset', subSequences: [{ sequence: hex, min: offset, max: offset }] }] };
}

function whole(hex: string): ByteWindow {
  const bytes = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  return { size: bytes.length, head: bytes, tail: bytes };
}

function puids(result: { matches: readonly { puid: string }[] }): string[] {
  return result.matches.map((match) => match.puid);
}

describe('droidExtension', () => {
  it.each([
    ['report.PDF', 'PDF'],
    ['dir.v2/archive.tar.gz', 'gz'],
    ['C:\\docs\\letter.doc', 'doc'],
    ['.bashrc', ''],
    ['README', ''],
    ['trailing.', ''],
    ['fmt-650-signature-id-979.qxp report', 'qxp report'],
  ])('%s → %j', (name, extension) => {
    expect(droidExtension(name)).toBe(extension);
  });
});

describe('identify', () => {
  const formats: TestFormat[] = [
    { id: 1, puid: 'x-fmt/1', signatureIds: [10], extensions: ['aaa'] },
    { id: 2, puid: 'x-fmt/2', signatureIds: [20], extensions: ['bbb'], hasPriorityOver: [1] },
    { id: 3, puid: 'x-fmt/3', signatureIds: [30], extensions: ['ccc'], hasPriorityOver: [2] },
    { id: 4, puid: 'x-fmt/4', extensions: ['txt', 'aaa'] }, // no signature: a "tentative" format
    { id: 5, puid: 'x-fmt/5', extensions: ['TXT'] },
    { id: 6, puid: 'x-fmt/6', signatureIds: [60], extensions: ['txt'] }, // has a signature: not tentative
    { id: 7, puid: 'x-fmt/7', signatureIds: [70] }, // no extension
  ];
  const signatures = compileSignatures(
    buildBinarySignatureXml(
      [bof(10, 'AA'), bof(20, 'AABB'), bof(30, 'AABBCC'), bof(60, 'EEEE'), bof(70, 'FF')],
      formats,
    ),
  );

  it('reports every matching format after DROID priorities', () => {
    const result = identify(signatures, whole('AA 00'), 'a.aaa');
    expect(puids(result)).toEqual(['x-fmt/1']);
    expect(result.matches[0]).toMatchObject({ method: 'Signature', basis: 'byte match at [[0 1]] (signature 10)', signatureIds: [10] });
  });

  it('drops a format another matching format has priority over', () => {
    const result = identify(signatures, whole('AABB'), 'a.bbb');
    expect(puids(result)).toEqual(['x-fmt/2']);
    expect(result.lowerPriority).toEqual([{ puid: 'x-fmt/1', below: ['x-fmt/2'] }]);
  });

  it('applies priorities without transitivity, as DROID does', () => {
    // 3 > 2 > 1: all three match; 1 is dropped only because 2 matched too.
    expect(puids(identify(signatures, whole('AABBCC'), 'a.ccc'))).toEqual(['x-fmt/3']);
  });

  it('falls back to extension matches of formats without signatures only', () => {
    const result = identify(signatures, whole('1234'), 'notes.TXT');
    expect(puids(result)).toEqual(['x-fmt/4', 'x-fmt/5']);
    expect(result.matches[0]).toMatchObject({ method: 'Extension', basis: 'extension match TXT', extensionMismatch: false });
    expect(result.extensionMismatch).toBe(false);
  });

  it('matches all formats with the extension when asked (DROID "match all extensions")', () => {
    expect(puids(identify(signatures, whole('1234'), 'notes.txt', { matchAllExtensions: true }))).toEqual([
      'x-fmt/4',
      'x-fmt/5',
      'x-fmt/6',
    ]);
  });

  it('does not report extension matches alongside signature matches', () => {
    expect(puids(identify(signatures, whole('EEEE'), 'notes.txt'))).toEqual(['x-fmt/6']);
  });

  it('leaves a file with neither unidentified', () => {
    const result = identify(signatures, whole('1234'), 'notes.zzz');
    expect(result.matches).toEqual([]);
    expect(result.extensionMismatch).toBe(false);
  });

  it("flags an extension mismatch as DROID does", () => {
    expect(identify(signatures, whole('AA'), 'a.aaa').extensionMismatch).toBe(false);
    expect(identify(signatures, whole('AA'), 'a.AAA').extensionMismatch).toBe(false);
    expect(identify(signatures, whole('AA'), 'a.bbb').extensionMismatch).toBe(true);
    expect(identify(signatures, whole('AA'), 'no-extension').extensionMismatch).toBe(true);
    // A format without extensions never mismatches.
    expect(identify(signatures, whole('FF'), 'a.whatever').matches[0]?.extensionMismatch).toBe(false);
    expect(identify(signatures, whole('FF'), 'none').extensionMismatch).toBe(false);
  });

  it('matches no signature in a zero-byte file (extension only)', () => {
    expect(puids(identify(signatures, whole(''), 'empty.aaa'))).toEqual(['x-fmt/4']);
  });

  it('rejects a window that does not fit the size', () => {
    expect(() => identify(signatures, { size: 1, head: Buffer.alloc(2), tail: Buffer.alloc(0) }, 'x')).toThrow(RangeError);
  });

  it('costs the same for a 1 GiB file as for its window, and finds BOF and EOF parts in it', () => {
    const both = compileSignatures(
      buildBinarySignatureXml(
        [
          {
            id: 1,
            byteSequences: [
              { reference: 'BOFoffset', subSequences: [{ sequence: '25504446', min: 0, max: 0 }] },
              { reference: 'EOFoffset', subSequences: [{ sequence: '2525454F46', min: 0, max: 1024 }] },
            ],
          },
        ],
        [{ id: 1, puid: 'fmt/pdf', signatureIds: [1], extensions: ['pdf'] }],
      ),
    );
    const head = Buffer.alloc(65_536);
    head.write('%PDF-1.7', 0, 'latin1');
    const tail = Buffer.alloc(65_536);
    tail.write('%%EOF\n', 65_536 - 6, 'latin1');
    const result = identify(both, { size: 2 ** 30, head, tail }, 'big.pdf');
    expect(result.matches[0]?.basis).toBe(`byte match at [[0 4] [${2 ** 30 - 6} 5]] (signature 1)`);
  });
});

describe("DROID's max bytes to scan: anchors within it, fragments anywhere", () => {
  // Sig 200 (x-fmt/263, ZIP) in miniature: an end record anchored at EOF, a
  // central directory entry as its left fragment up to 65,531 bytes before it.
  const formats: TestFormat[] = [
    { id: 1, puid: 'x-fmt/eof', signatureIds: [1], extensions: ['eof'] },
    { id: 2, puid: 'x-fmt/bof', signatureIds: [2], extensions: ['bof'] },
    { id: 3, puid: 'x-fmt/var', signatureIds: [3], extensions: ['var'] },
  ];
  const signatures = compileSignatures(
    buildBinarySignatureXml(
      [
        {
          id: 1,
          byteSequences: [
            { reference: 'EOFoffset', subSequences: [{ sequence: '504B0506', min: 0, max: 10, left: [{ position: 1, min: 0, max: 65531, text: '504B0102' }] }] },
          ],
        },
        {
          id: 2,
          byteSequences: [
            { reference: 'BOFoffset', subSequences: [{ sequence: 'CAFED00D', min: 0, max: 0, right: [{ position: 1, min: 0, max: 100_000, text: 'F00DFACE' }] }] },
          ],
        },
        { id: 3, byteSequences: [{ subSequences: [{ sequence: 'DEADBEEF', right: [{ position: 1, min: 0, max: 50_000, text: '0BADC0DE' }] }] }] },
      ],
      formats,
    ),
  );
  const scanLimit = 1000;
  function fileWith(size: number, parts: [number, string][]): Buffer {
    const bytes = Buffer.alloc(size, 0x20);
    for (const [offset, hex] of parts) Buffer.from(hex, 'hex').copy(bytes, offset);
    return bytes;
  }
  const wholeFile = (bytes: Buffer): ByteWindow => ({ size: bytes.length, head: bytes, tail: bytes, scanLimit });
  const windows = (bytes: Buffer): ByteWindow => ({
    size: bytes.length,
    head: bytes.subarray(0, scanLimit),
    tail: bytes.subarray(bytes.length - scanLimit),
  });

  it('finds a left fragment far before an EOF anchor when the window holds the whole file', () => {
    const bytes = fileWith(20_000, [[4, '504B0102'], [20_000 - 4, '504B0506']]);
    const result = identify(signatures, wholeFile(bytes), 'a.eof');
    expect(puids(result)).toEqual(['x-fmt/eof']);
    expect(result.matches[0]?.basis).toBe('byte match at [[4 19996]] (signature 1)');
    // Only the two windows: the fragment is not in them.
    expect(puids(identify(signatures, windows(bytes), 'a.eof'))).toEqual([]);
  });

  it('finds a right fragment far after a BOF anchor, and one after a variable anchor', () => {
    const bof = fileWith(60_000, [[0, 'CAFED00D'], [50_000, 'F00DFACE']]);
    expect(puids(identify(signatures, wholeFile(bof), 'a.bof'))).toEqual(['x-fmt/bof']);
    const variable = fileWith(60_000, [[900, 'DEADBEEF'], [40_000, '0BADC0DE']]);
    expect(puids(identify(signatures, wholeFile(variable), 'a.var'))).toEqual(['x-fmt/var']);
  });

  it('does not look for an anchor beyond the scan limit, even in a whole file', () => {
    const late = fileWith(60_000, [[2000, 'DEADBEEF'], [2004, '0BADC0DE']]);
    expect(puids(identify(signatures, wholeFile(late), 'a.xyz'))).toEqual([]);
    expect(puids(identify(signatures, { ...wholeFile(late), scanLimit: 4000 }, 'a.xyz'))).toEqual(['x-fmt/var']);
    const early = fileWith(60_000, [[0, '504B0102'], [30_000, '504B0506']]); // end record 30,000 bytes from the end
    expect(puids(identify(signatures, wholeFile(early), 'a.xyz'))).toEqual([]);
  });

  it('rejects a scan limit that is not a positive byte count', () => {
    const bytes = fileWith(10, []);
    expect(() => identify(signatures, { ...wholeFile(bytes), scanLimit: 0 }, 'a')).toThrow(RangeError);
  });
});

describe('container formats and triggers', () => {
  const binary = buildBinarySignatureXml(
    [bof(111, 'D0CF11E0A1B11AE1'), bof(40, 'D0CF11E0A1B11AE1 ', 0), bof(500, '504B0304')],
    [
      { id: 111, puid: 'fmt/111', signatureIds: [111], extensions: ['ole'] },
      { id: 40, puid: 'fmt/40', signatureIds: [40], extensions: ['doc'], hasPriorityOver: [111] },
      { id: 263, puid: 'x-fmt/263', signatureIds: [500], extensions: ['zip'] },
      { id: 999, puid: 'fmt/999', extensions: ['zip'] }, // container-only format without signatures
    ],
  );
  const container = buildContainerSignatureXml(
    [
      { id: 1, containerType: 'OLE2', files: [{ path: 'WordDocument' }] },
      { id: 2, containerType: 'ZIP', files: [{ path: 'thing.xml' }] },
    ],
    [
      { signatureId: 1, puid: 'fmt/40' },
      { signatureId: 2, puid: 'fmt/999' },
    ],
  );
  const signatures = compileSignatures(binary, container);
  const ole = whole('D0CF11E0A1B11AE1 00000000');

  it('ignores binary signatures of formats with container signatures (DROID)', () => {
    const result = identify(signatures, ole, 'a.doc');
    expect(puids(result)).toEqual(['fmt/111']);
    expect(result.containerType).toBe('OLE2');
  });

  it('uses them on request (siegfried), with priorities', () => {
    const result = identify(signatures, ole, 'a.doc', { containerFormatBinarySignatures: 'use' });
    expect(puids(result)).toEqual(['fmt/40']);
    expect(result.containerType).toBe('OLE2'); // decided before priorities, as DROID does
  });

  it('names the container to open for a ZIP trigger', () => {
    expect(identify(signatures, whole('504B0304 0000'), 'a.zip').containerType).toBe('ZIP');
    expect(identify(signatures, whole('0000'), 'a.zip').containerType).toBeUndefined();
  });

  it('keeps formats with container signatures out of extension matches', () => {
    expect(puids(identify(signatures, whole('0000'), 'a.zip'))).toEqual([]);
  });
});

describe('versions', () => {
  it('expose the Version attribute as written and a display form', () => {
    const v = compileSignatures(buildBinarySignatureXml([], [], 'V97'), undefined, { binary: 'DROID_SignatureFile_V97.xml' });
    expect(v.versions.binary).toMatchObject({ version: 'V97', display: 'V97', fileName: 'DROID_SignatureFile_V97.xml' });
    const w = compileSignatures(
      buildBinarySignatureXml([], [], '122'),
      buildContainerSignatureXml([], [], [], '40'),
      { binary: 'DROID_SignatureFile_V122.xml', container: 'container-signature-20260119.xml' },
    );
    expect(w.versions.binary).toMatchObject({ version: '122', display: 'V122', dateCreated: '2026-01-01T00:00:00' });
    expect(w.versions.container).toMatchObject({ signatureVersion: '40', date: '2026-01-19', display: '20260119' });
    expect(w.describe()).toBe('PRONOM binary V122 / container 20260119');
  });
});
