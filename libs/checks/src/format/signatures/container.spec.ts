import { beforeAll, describe, expect, it } from 'vitest';
import { ContainerError } from '../containers/types.js';
import { identifyContainer, resolveIdentification } from './container.js';
import { identify } from './identify.js';
import { compileSignatures } from './load.js';
import type { PronomSignatures } from './model.js';
import {
  buildBinarySignatureXml,
  buildContainerSignatureXml,
  MemoryContainerView,
  type TestSignature,
  useSharedSignatures,
} from './test-support.js';

function bofText(id: number, text: string, min = 0, max = min): TestSignature {
  return { id, byteSequences: [{ reference: 'BOFoffset', subSequences: [{ sequence: `'${text}'`, min, max }] }] };
}

function puids(result: { matches: readonly { puid: string }[] }): string[] {
  return result.matches.map((match) => match.puid);
}

describe('identifyContainer (synthetic signatures, in-memory containers)', () => {
  const binary = buildBinarySignatureXml(
    [],
    [
      { id: 1, puid: 'fmt/1', extensions: ['one'] },
      { id: 2, puid: 'fmt/2', extensions: ['two'], hasPriorityOver: [1] },
      { id: 3, puid: 'fmt/3', extensions: ['three'] },
      { id: 4, puid: 'fmt/4' },
    ],
  );
  const container = buildContainerSignatureXml(
    [
      { id: 100, containerType: 'OLE2', files: [{ path: 'WordDocument' }, { path: 'CompObj', signatures: [bofText(1, 'Word.Document.8', 4, 40)] }] },
      { id: 101, containerType: 'OLE2', files: [{ path: 'ObjectPool' }] },
      { id: 200, containerType: 'ZIP', files: [{ path: 'mimetype', signatures: [bofText(2, 'application/x-one')] }] },
      { id: 201, containerType: 'ZIP', files: [{ path: '[Content_Types].xml', signatures: [bofText(3, '<Types', 0, 100)] }] },
      {
        id: 202,
        containerType: 'ZIP',
        files: [
          { path: 'a/tail.bin', signatures: [{ id: 4, byteSequences: [{ reference: 'EOFoffset', subSequences: [{ sequence: "'END'", min: 0, max: 0 }] }] }] },
        ],
      },
      { id: 203, containerType: 'ZIP', files: [{ path: 'header/version/2.1/' }] },
      { id: 204, containerType: 'ZIP', files: [{ path: 'mimetype', signatures: [bofText(5, 'application/x-one'), bofText(6, 'application/x-two')] }] },
    ],
    [
      { signatureId: 100, puid: 'fmt/1' },
      { signatureId: 101, puid: 'fmt/3' },
      { signatureId: 200, puid: 'fmt/1' },
      { signatureId: 201, puid: 'fmt/3' },
      { signatureId: 202, puid: 'fmt/4' },
      { signatureId: 203, puid: 'fmt/4' },
      { signatureId: 204, puid: 'fmt/2' },
      { signatureId: 204, puid: 'fmt/9' }, // a PUID the binary file does not list
    ],
  );
  let signatures: PronomSignatures;
  beforeAll(() => {
    signatures = compileSignatures(binary, container);
  });

  const compObj = (text: string, at = 8) => {
    const bytes = Buffer.alloc(64);
    bytes.write(text, at, 'latin1');
    return bytes;
  };

  it('finds OLE2 streams by their trimmed names (\\x01CompObj is CompObj) and checks their bytes', async () => {
    const view = new MemoryContainerView('OLE2', { WordDocument: 'x', '\x01CompObj': compObj('Word.Document.8') });
    const result = await identifyContainer(signatures, view, { fileName: 'letter.one' });
    expect(puids(result)).toEqual(['fmt/1']);
    expect(result.matches[0]).toMatchObject({
      method: 'Container',
      basis: 'container OLE2: name WordDocument, CompObj with byte match at [[8 15]] (signature 100)',
      extensionMismatch: false,
      signatureIds: [100],
    });
    expect(view.reads).toEqual([{ path: '\x01CompObj', maxBytes: 40 + 15 }]);
  });

  it('requires every File, and the bytes where the signature says', async () => {
    expect(puids(await identifyContainer(signatures, new MemoryContainerView('OLE2', { '\x01CompObj': compObj('Word.Document.8') })))).toEqual([]);
    expect(puids(await identifyContainer(signatures, new MemoryContainerView('OLE2', { WordDocument: '', '\x01CompObj': compObj('Word.Document.8', 41) })))).toEqual([]);
    expect(puids(await identifyContainer(signatures, new MemoryContainerView('OLE2', { WordDocument: '', '\x01CompObj': compObj('Word.Document.7') })))).toEqual([]);
  });

  it('compares names case-sensitively', async () => {
    const view = new MemoryContainerView('OLE2', { worddocument: '', '\x01CompObj': compObj('Word.Document.8') });
    expect(puids(await identifyContainer(signatures, view))).toEqual([]);
  });

  it('matches OLE2 storages by name, and treats an unreadable OLE2 stream as not matching', async () => {
    const view = new MemoryContainerView('OLE2', { ObjectPool: null, WordDocument: '', '\x01CompObj': new ContainerError('LIMIT_EXCEEDED', 'too big') });
    expect(puids(await identifyContainer(signatures, view))).toEqual(['fmt/3']);
  });

  it('reports every matching signature, after priorities, once per PUID', async () => {
    const view = new MemoryContainerView('ZIP', { mimetype: 'application/x-one', '[Content_Types].xml': '<?xml?><Types>' });
    const result = await identifyContainer(signatures, view, { fileName: 'x.three' });
    // 200 → fmt/1, 201 → fmt/3, 204 → fmt/2 (priority over fmt/1) and fmt/9.
    expect(puids(result)).toEqual(['fmt/3', 'fmt/2', 'fmt/9']);
    expect(result.lowerPriority).toEqual([{ puid: 'fmt/1', below: ['fmt/2'] }]);
    expect(result.matches.map((match) => match.extensionMismatch)).toEqual([false, true, false]);
    expect(result.extensionMismatch).toBe(true);
    expect(result.matches[2]?.name).toBe('container 204'); // unknown to the binary file: the description
    // One read per entry, as far as the furthest signature reaches.
    expect(view.reads).toEqual([
      { path: 'mimetype', maxBytes: 17 },
      { path: '[Content_Types].xml', maxBytes: 106 },
    ]);
  });

  it('accepts any one of a File’s binary signatures', async () => {
    const view = new MemoryContainerView('ZIP', { mimetype: 'application/x-two' });
    expect(puids(await identifyContainer(signatures, view))).toEqual(['fmt/2', 'fmt/9']);
  });

  it('falls back to DROID’s glob when no ZIP entry has the exact name', async () => {
    const view = new MemoryContainerView('ZIP', { 'C.xml': '<Types' });
    expect(puids(await identifyContainer(signatures, view))).toEqual(['fmt/3']);
    const directory = new MemoryContainerView('ZIP', { 'C.xml/': null });
    expect(puids(await identifyContainer(signatures, directory))).toEqual([]);
  });

  it('finds explicit ZIP directory entries by exact name', async () => {
    const view = new MemoryContainerView('ZIP', { 'header/version/2.1/': null });
    expect(puids(await identifyContainer(signatures, view))).toEqual(['fmt/4']);
  });

  it('reads a whole entry (up to maxEntryBytes) for an EOF signature', async () => {
    const entry = Buffer.alloc(5000);
    entry.write('END', 4997, 'latin1');
    const view = new MemoryContainerView('ZIP', { 'a/tail.bin': entry });
    expect(puids(await identifyContainer(signatures, view))).toEqual(['fmt/4']);
    expect(view.reads).toEqual([{ path: 'a/tail.bin', maxBytes: 1024 * 1024 + 1 }]);
    // Cut short by the limit: the end is unknown, so the EOF signature cannot match.
    const limited = new MemoryContainerView('ZIP', { 'a/tail.bin': entry });
    expect(puids(await identifyContainer(signatures, limited, { maxEntryBytes: 4999 }))).toEqual([]);
    // Exactly at the limit: known to be whole.
    const exact = new MemoryContainerView('ZIP', { 'a/tail.bin': entry });
    expect(puids(await identifyContainer(signatures, exact, { maxEntryBytes: 5000 }))).toEqual(['fmt/4']);
  });

  it('never matches a zero-byte entry against binary signatures', async () => {
    expect(puids(await identifyContainer(signatures, new MemoryContainerView('ZIP', { mimetype: '' })))).toEqual([]);
  });

  it('rejects when a ZIP entry cannot be read (DROID then keeps the binary result)', async () => {
    const view = new MemoryContainerView('ZIP', { mimetype: new ContainerError('ENCRYPTED', 'mimetype is encrypted') });
    await expect(identifyContainer(signatures, view)).rejects.toThrow('encrypted');
  });

  it('resolveIdentification prefers container matches, else keeps the binary result', async () => {
    const binaryResult = identify(signatures, { size: 1, head: Buffer.from([0]), tail: Buffer.from([0]) }, 'a.two');
    const none = await identifyContainer(signatures, new MemoryContainerView('ZIP', {}));
    expect(resolveIdentification(binaryResult, none)).toBe(binaryResult);
    expect(resolveIdentification(binaryResult, undefined)).toBe(binaryResult);
    const some = await identifyContainer(signatures, new MemoryContainerView('ZIP', { mimetype: 'application/x-two' }));
    expect(resolveIdentification(binaryResult, some)).toBe(some);
  });
});

describe('identifyContainer with the real container signature file (checked by hand)', () => {
  let signatures: PronomSignatures;
  const sharedSignatures = useSharedSignatures();
  beforeAll(() => {
    signatures = sharedSignatures();
  });

  it('knows the trigger PUIDs', () => {
    expect([...signatures.containerTriggers]).toEqual([
      ['fmt/111', 'OLE2'],
      ['fmt/189', 'ZIP'],
      ['x-fmt/263', 'ZIP'],
    ]);
  });

  it('identifies a Word 97 document (container signature 1020 → fmt/40)', async () => {
    const compObj = Buffer.alloc(128);
    Buffer.from([0x10, 0, 0, 0, ...Buffer.from('Word.Document.8', 'latin1'), 0]).copy(compObj, 60);
    const view = new MemoryContainerView('OLE2', { WordDocument: Buffer.alloc(512), '\x01CompObj': compObj, '\x05SummaryInformation': Buffer.alloc(64) });
    const result = await identifyContainer(signatures, view, { fileName: 'letter.doc' });
    expect(puids(result)).toEqual(['fmt/40']);
    expect(result.matches[0]).toMatchObject({ name: 'Microsoft Word Document', version: '97-2003', extensionMismatch: false });
  });

  it('identifies a Word OOXML document (container signature 1030 → fmt/412)', async () => {
    const types =
      '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
    const view = new MemoryContainerView('ZIP', { '[Content_Types].xml': types, 'word/document.xml': '<w:document/>' });
    const result = await identifyContainer(signatures, view, { fileName: 'report.docx' });
    expect(puids(result)).toEqual(['fmt/412']);
    expect(result.matches[0]?.basis).toMatch(/^container ZIP: \[Content_Types\]\.xml with byte match at \[\[\d+ \d+\]\]/);
    // Read once, as far as the furthest of the 30-odd signatures on this entry reaches (some search it all).
    const paths = view.reads.map((read) => read.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('identifies an OpenDocument text with its binary fallback chain', async () => {
    const zipHead = Buffer.concat([
      Buffer.from('PK\x03\x04', 'latin1'),
      Buffer.alloc(26),
      Buffer.from('mimetypeapplication/vnd.oasis.opendocument.text', 'latin1'),
      Buffer.from('PK\x01\x02', 'latin1'), // central directory
      Buffer.alloc(50),
      Buffer.from('PK\x05\x06', 'latin1'), // end of central directory
      Buffer.alloc(18),
    ]);
    const binaryResult = identify(signatures, { size: zipHead.length, head: zipHead, tail: zipHead }, 'essay.odt');
    expect(binaryResult.containerType).toBe('ZIP');
    const manifest = '<manifest:manifest manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>';
    const content = '<office:document-content office:version="1.2">';
    const view = new MemoryContainerView('ZIP', {
      mimetype: 'application/vnd.oasis.opendocument.text',
      'META-INF/manifest.xml': manifest,
      'content.xml': content,
    });
    const result = resolveIdentification(binaryResult, await identifyContainer(signatures, view, { fileName: 'essay.odt' }));
    expect(puids(result)).toEqual(['fmt/291']); // OpenDocument Text 1.2
    expect(result.matches.every((match) => match.method === 'Container')).toBe(true);
  });
});
