import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSignatures } from './load.js';
import { sharedTestDataDir } from './test-support.js';
import {
  parseBinarySignatureXml,
  parseContainerSignatureXml,
  type RawBinaryFile,
  type RawContainerFile,
  SignatureXmlError,
} from './xml.js';

describe('parsing the real signature files (counts from shared/pronom/README.md)', () => {
  let binary: RawBinaryFile;
  let container: RawContainerFile;
  let binaryXml: string;
  let containerXml: string;
  beforeAll(() => {
    const pronom = join(sharedTestDataDir(), 'pronom');
    binaryXml = readFileSync(join(pronom, 'DROID_SignatureFile_V122.xml'), 'utf8');
    containerXml = readFileSync(join(pronom, 'container-signature-20260119.xml'), 'utf8');
    binary = parseBinarySignatureXml(binaryXml);
    container = parseContainerSignatureXml(containerXml);
  }, 30_000);

  it('reads every format with its attributes and children', () => {
    const formats = binary.formats;
    expect(binary.version).toBe('122');
    expect(binary.dateCreated).toBe('2026-01-19T10:53:18');
    expect(formats).toHaveLength(2544);
    expect(formats.filter((format) => format.puid.startsWith('fmt/'))).toHaveLength(2091);
    expect(formats.filter((format) => format.signatureIds.length > 0)).toHaveLength(1901);
    expect(formats.filter((format) => format.hasPriorityOver.length > 0)).toHaveLength(662);
    expect(formats.reduce((sum, format) => sum + format.hasPriorityOver.length, 0)).toBe(1216);
    expect(formats.reduce((sum, format) => sum + format.extensions.length, 0)).toBe(3336);
    expect(formats.filter((format) => format.mimeType !== '')).toHaveLength(777);
    expect(formats.find((format) => format.puid === 'x-fmt/1')).toEqual({
      id: 8,
      puid: 'x-fmt/1',
      name: 'Microsoft Word for Macintosh Document',
      version: '3.0',
      mimeType: 'application/msword',
      extensions: ['mcw'],
      signatureIds: [485],
      hasPriorityOver: [],
    });
  });

  it('reads every internal signature, sequence and fragment', () => {
    const sequences = binary.signatures.flatMap((signature) => signature.byteSequences);
    const subs = sequences.flatMap((sequence) => sequence.subSequences);
    expect(binary.signatures).toHaveLength(2242);
    expect(sequences).toHaveLength(2643);
    expect(sequences.filter((sequence) => sequence.reference === 'BOFoffset')).toHaveLength(2250);
    expect(sequences.filter((sequence) => sequence.reference === 'EOFoffset')).toHaveLength(295);
    expect(sequences.filter((sequence) => sequence.reference === undefined)).toHaveLength(98);
    expect(sequences.filter((sequence) => sequence.endianness !== undefined)).toHaveLength(145);
    expect(subs).toHaveLength(3029);
    expect(subs.filter((sub) => sub.maxOffset === undefined)).toHaveLength(484);
    expect(subs.flatMap((sub) => sub.left)).toHaveLength(2319);
    expect(subs.flatMap((sub) => sub.right)).toHaveLength(4286);
    // Entities are decoded: [!&amp;01] is [!&01].
    expect(subs.flatMap((sub) => sub.right).filter((fragment) => fragment.text.startsWith('[!&01]'))).toHaveLength(2);
  });

  it('reads the container file', () => {
    expect(container.signatureVersion).toBe('40');
    expect(container.schemaVersion).toBe('1.0');
    expect(container.signatures).toHaveLength(310);
    expect(container.signatures.filter((signature) => signature.containerType === 'OLE2')).toHaveLength(169);
    expect(container.mappings).toHaveLength(310);
    expect(new Set(container.mappings.map((mapping) => mapping.puid)).size).toBe(279);
    expect(container.triggers).toEqual([
      { containerType: 'OLE2', puid: 'fmt/111' },
      { containerType: 'ZIP', puid: 'fmt/189' },
      { containerType: 'ZIP', puid: 'x-fmt/263' },
    ]);
    const files = container.signatures.flatMap((signature) => signature.files);
    expect(files).toHaveLength(441);
    expect(files.filter((file) => file.path.includes('/'))).toHaveLength(72);
    // 327 InternalSignatures in the file, but in signatures 39510 and 39515 a <BinarySignatures> sits
    // in <Files> instead of a <File>: DROID's JAXB mapping (and siegfried's) never sees those two.
    expect(files.flatMap((file) => file.signatures)).toHaveLength(325);
    const bdoc = container.signatures.find((signature) => signature.id === 39510);
    expect(bdoc?.files).toEqual([
      { path: 'mimetype', signatures: [expect.objectContaining({ id: 39510 })] },
      { path: 'META-INF/signatures1.xml', signatures: [] },
    ]);
    const powerPoint = files.flatMap((file) => file.signatures).flatMap((signature) => signature.byteSequences);
    expect(powerPoint.flatMap((sequence) => sequence.subSequences).map((sub) => sub.sequence)).toContain(
      "'Microsoft (R) PowerPoint (R) Windows  ' 00 07 (00|01) 00 00 f0 03 00 00 5f",
    );
  });

  it('compiles every signature of both files (none is invalid)', () => {
    const signatures = compileSignatures(binaryXml, containerXml);
    expect(signatures.warnings).toEqual([]);
    expect(signatures.model.signatures).toHaveLength(2242);
    const list = signatures.containerSignatureList();
    expect(list).toHaveLength(310);
    expect(list.find((signature) => signature.id === 1020)).toEqual({
      id: 1020,
      containerType: 'OLE2',
      description: 'Microsoft Word 97 OLE2',
      files: [
        { path: 'WordDocument', binarySignatureIds: [] },
        { path: 'CompObj', binarySignatureIds: [300] },
      ],
      puids: ['fmt/40'],
    });
  }, 30_000);
});

describe('parsing errors', () => {
  it('names the wrong root element', () => {
    expect(() => parseBinarySignatureXml('<ContainerSignatureMapping/>')).toThrow(SignatureXmlError);
    expect(() => parseContainerSignatureXml('<FFSignatureFile/>')).toThrow(/not a DROID container signature file/);
  });

  it('names a malformed record', () => {
    const xml = '<FFSignatureFile Version="1"><FileFormatCollection><FileFormat ID="x" PUID="fmt/1"/></FileFormatCollection></FFSignatureFile>';
    expect(() => parseBinarySignatureXml(xml)).toThrow('FileFormat: ID="x" is not an integer');
  });

  it('keeps a signature that does not compile out, with a warning, as DROID does', () => {
    const xml =
      '<FFSignatureFile Version="1"><InternalSignatureCollection>' +
      '<InternalSignature ID="1"><ByteSequence Reference="BOFoffset"><SubSequence SubSeqMinOffset="0"><Sequence>ZZ</Sequence></SubSequence></ByteSequence></InternalSignature>' +
      '<InternalSignature ID="2"><ByteSequence Reference="BOFoffset"><SubSequence SubSeqMinOffset="0"><Sequence>CAFE</Sequence></SubSequence></ByteSequence></InternalSignature>' +
      '</InternalSignatureCollection><FileFormatCollection/></FFSignatureFile>';
    const signatures = compileSignatures(xml);
    expect(signatures.model.signatures.map((signature) => signature.id)).toEqual([2]);
    expect(signatures.warnings).toEqual([expect.stringMatching(/^signature 1 dropped: unexpected character 'Z'/)]);
  });
});
