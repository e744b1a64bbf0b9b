/**
 * Reads the two DROID signature files into plain records (nothing compiled
 * yet). Element and attribute names are DROID's; what each means is in
 * ./compile.ts.
 *
 * - Binary file (`DROID_SignatureFile_V*.xml`, parsed in DROID by
 *   droid-core `signature/xml/SAXModelBuilder` into `FFSignatureFile`):
 *   `InternalSignatureCollection` and `FileFormatCollection`.
 * - Container file (`container-signature-*.xml`, droid-container
 *   `ContainerSignatureDefinitions`): `ContainerSignatures`,
 *   `FileFormatMappings`, `TriggerPuids`.
 */
import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';

export interface RawFragment {
  readonly position: number;
  readonly minOffset: number;
  readonly maxOffset: number | undefined;
  readonly text: string;
}

export interface RawSubSequence {
  readonly minOffset: number;
  /** Absent in the XML: see compile.ts for what DROID makes of it. */
  readonly maxOffset: number | undefined;
  readonly sequence: string;
  readonly left: readonly RawFragment[];
  readonly right: readonly RawFragment[];
}

export interface RawByteSequence {
  /** `BOFoffset`, `EOFoffset`, `IndirectBOFoffset`, `IndirectEOFoffset`, `Variable` or absent. */
  readonly reference: string | undefined;
  readonly endianness: string | undefined;
  readonly indirectOffsetLocation: number | undefined;
  readonly indirectOffsetLength: number | undefined;
  /** A whole PRONOM expression given as a `Sequence` attribute (DROID compiles it; not used by current files). */
  readonly expression: string | undefined;
  readonly subSequences: readonly RawSubSequence[];
}

export interface RawInternalSignature {
  readonly id: number;
  readonly byteSequences: readonly RawByteSequence[];
}

export interface RawFileFormat {
  readonly id: number;
  readonly puid: string;
  readonly name: string;
  readonly version: string;
  readonly mimeType: string;
  readonly extensions: readonly string[];
  readonly signatureIds: readonly number[];
  readonly hasPriorityOver: readonly number[];
}

export interface RawBinaryFile {
  /** The `Version` attribute as written (`122`, or `V122` in some files). */
  readonly version: string;
  readonly dateCreated: string | undefined;
  readonly signatures: readonly RawInternalSignature[];
  readonly formats: readonly RawFileFormat[];
}

export interface RawContainerFile {
  readonly schemaVersion: string | undefined;
  readonly signatureVersion: string | undefined;
  readonly signatures: readonly RawContainerSignature[];
  readonly mappings: readonly { readonly signatureId: number; readonly puid: string }[];
  readonly triggers: readonly { readonly containerType: string; readonly puid: string }[];
}

export interface RawContainerSignature {
  readonly id: number;
  readonly containerType: string;
  readonly description: string;
  readonly files: readonly RawContainerFileEntry[];
}

export interface RawContainerFileEntry {
  readonly path: string;
  /** The embedded binary signatures; empty when the file need only exist. */
  readonly signatures: readonly RawInternalSignature[];
}

/** The XML is not a signature file of the expected kind. */
export class SignatureXmlError extends Error {
  override readonly name = 'SignatureXmlError';
}

const ARRAY_ELEMENTS = new Set([
  'InternalSignature',
  'ByteSequence',
  'SubSequence',
  'LeftFragment',
  'RightFragment',
  'FileFormat',
  'InternalSignatureID',
  'Extension',
  'HasPriorityOverFileFormatID',
  'ContainerSignature',
  'File',
  'FileFormatMapping',
  'TriggerPuid',
]);

/**
 * fast-xml-parser, loaded on first use: the XML is parsed only when the
 * compiled cache is missing or stale, and loading the parser costs every
 * start-up ~25 ms. Synchronous (its CommonJS build) because parsing is.
 */
let Parser: typeof XMLParser | undefined;

function newParser(): XMLParser {
  Parser ??= (createRequire(import.meta.url)('fast-xml-parser') as { XMLParser: typeof XMLParser }).XMLParser;
  return new Parser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    removeNSPrefix: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name, _jpath, _isLeaf, isAttribute) => !isAttribute && ARRAY_ELEMENTS.has(name),
  });
}

type Node = Record<string, unknown>;

function asNode(value: unknown): Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : {};
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? { '#text': item } : asNode(item))) : [];
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const node = asNode(value);
  const inner = node['#text'];
  return typeof inner === 'string' || typeof inner === 'number' ? String(inner) : '';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => text(item).trim()).filter((item) => item !== '') : [];
}

function attr(node: Node, name: string): string | undefined {
  const value = node[name];
  return typeof value === 'string' ? value : undefined;
}

function intAttr(node: Node, name: string, where: string): number | undefined {
  const value = attr(node, name);
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  if (!Number.isSafeInteger(parsed)) throw new SignatureXmlError(`${where}: ${name}="${value}" is not an integer`);
  return parsed;
}

function requiredInt(node: Node, name: string, where: string): number {
  const value = intAttr(node, name, where);
  if (value === undefined) throw new SignatureXmlError(`${where}: missing ${name}`);
  return value;
}

function parseInternalSignature(node: Node): RawInternalSignature {
  const id = requiredInt(node, 'ID', 'InternalSignature');
  const where = `InternalSignature ${id}`;
  return {
    id,
    byteSequences: list(node['ByteSequence']).map((sequence) => ({
      reference: attr(sequence, 'Reference'),
      endianness: attr(sequence, 'Endianness'),
      indirectOffsetLocation: intAttr(sequence, 'IndirectOffsetLocation', where),
      indirectOffsetLength: intAttr(sequence, 'IndirectOffsetLength', where),
      expression: attr(sequence, 'Sequence'),
      subSequences: list(sequence['SubSequence']).map((sub) => ({
        minOffset: intAttr(sub, 'SubSeqMinOffset', where) ?? 0,
        maxOffset: intAttr(sub, 'SubSeqMaxOffset', where),
        sequence: text(sub['Sequence']),
        left: parseFragments(sub['LeftFragment'], where),
        right: parseFragments(sub['RightFragment'], where),
      })),
    })),
  };
}

function parseFragments(value: unknown, where: string): RawFragment[] {
  return list(value).map((fragment) => ({
    position: requiredInt(fragment, 'Position', `${where} fragment`),
    minOffset: intAttr(fragment, 'MinOffset', where) ?? 0,
    maxOffset: intAttr(fragment, 'MaxOffset', where),
    text: text(fragment),
  }));
}

/**
 * Parses a DROID binary signature file.
 * @throws SignatureXmlError when the root element is not `FFSignatureFile` or a record is malformed.
 */
export function parseBinarySignatureXml(xml: string): RawBinaryFile {
  const root = asNode(newParser().parse(xml))['FFSignatureFile'];
  if (root === undefined) throw new SignatureXmlError('no <FFSignatureFile> root element: not a DROID binary signature file');
  const file = asNode(root);
  const signatures = list(asNode(file['InternalSignatureCollection'])['InternalSignature']).map(parseInternalSignature);
  const formats = list(asNode(file['FileFormatCollection'])['FileFormat']).map((format): RawFileFormat => {
    const id = requiredInt(format, 'ID', 'FileFormat');
    const where = `FileFormat ${id}`;
    return {
      id,
      puid: attr(format, 'PUID') ?? '',
      name: attr(format, 'Name') ?? '',
      version: attr(format, 'Version') ?? '',
      mimeType: attr(format, 'MIMEType') ?? '',
      extensions: stringList(format['Extension']),
      signatureIds: stringList(format['InternalSignatureID']).map((value) => toInt(value, where)),
      hasPriorityOver: stringList(format['HasPriorityOverFileFormatID']).map((value) => toInt(value, where)),
    };
  });
  return {
    version: (attr(file, 'Version') ?? '').trim(),
    dateCreated: attr(file, 'DateCreated'),
    signatures,
    formats,
  };
}

function toInt(value: string, where: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new SignatureXmlError(`${where}: "${value}" is not an integer`);
  return parsed;
}

/**
 * Parses a DROID container signature file.
 * @throws SignatureXmlError when the root element is not `ContainerSignatureMapping` or a record is malformed.
 */
export function parseContainerSignatureXml(xml: string): RawContainerFile {
  const root = asNode(newParser().parse(xml))['ContainerSignatureMapping'];
  if (root === undefined) {
    throw new SignatureXmlError('no <ContainerSignatureMapping> root element: not a DROID container signature file');
  }
  const file = asNode(root);
  const signatures = list(asNode(file['ContainerSignatures'])['ContainerSignature']).map(
    (signature): RawContainerSignature => {
      const id = requiredInt(signature, 'Id', 'ContainerSignature');
      return {
        id,
        containerType: attr(signature, 'ContainerType') ?? '',
        description: text(signature['Description']).trim(),
        files: list(asNode(signature['Files'])['File']).map((entry) => ({
          // DROID (ContainerSignature.getFiles) keys a File without a Path as ".".
          path: entry['Path'] === undefined ? '.' : text(entry['Path']),
          signatures: list(asNode(asNode(entry['BinarySignatures'])['InternalSignatureCollection'])['InternalSignature']).map(
            parseInternalSignature,
          ),
        })),
      };
    },
  );
  const mappings = list(asNode(file['FileFormatMappings'])['FileFormatMapping']).map((mapping) => ({
    signatureId: requiredInt(mapping, 'signatureId', 'FileFormatMapping'),
    puid: attr(mapping, 'Puid') ?? '',
  }));
  const triggers = list(asNode(file['TriggerPuids'])['TriggerPuid']).map((trigger) => ({
    containerType: attr(trigger, 'ContainerType') ?? '',
    puid: attr(trigger, 'Puid') ?? '',
  }));
  return {
    schemaVersion: attr(file, 'schemaVersion'),
    signatureVersion: attr(file, 'signatureVersion'),
    signatures,
    mappings,
    triggers,
  };
}
