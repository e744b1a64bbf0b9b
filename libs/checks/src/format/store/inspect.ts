import { createHash } from 'node:crypto';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoException } from '../../errors.js';
import {
  BINARY_ROOT,
  CONTAINER_ROOT,
  type SignatureKind,
  binaryVersionOf,
  containerDateOf,
  isoDate,
} from './names.js';
import { BINARY_COUNTED, CONTAINER_COUNTED, ROOT_SCAN_BYTES, countElements, readRootElement, type RootElement } from './scan.js';

/** What every signature file in the folder is known by. */
export interface SignatureFileFacts {
  readonly kind: SignatureKind;
  /** File name (`DROID_SignatureFile_V122.xml`). */
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the bytes, lowercase hex. */
  readonly sha256: string;
  /** Last modification (ISO 8601): when it was downloaded or copied in. */
  readonly modified: string;
}

export interface BinarySignatureFile extends SignatureFileFacts {
  readonly kind: 'binary';
  /** The file's own `Version` attribute (the number in the name when the attribute is missing). */
  readonly version: number;
  /** The number in the file name (`V122`). */
  readonly nameVersion: number;
  /** The file's `DateCreated` attribute, as written (`2026-01-19T10:53:18`). */
  readonly dateCreated?: string;
  readonly counts: {
    /** `FileFormat` elements. */
    readonly formats: number;
    /** `InternalSignature` elements. */
    readonly internalSignatures: number;
  };
}

export interface ContainerSignatureFile extends SignatureFileFacts {
  readonly kind: 'container';
  /** The date in the file name, `yyyy-mm-dd`: the container file's version as DROID counts it. */
  readonly date: string;
  /** The file's `signatureVersion` attribute, when it has one. */
  readonly signatureVersion?: number;
  /** The file's `schemaVersion` attribute, when it has one. */
  readonly schemaVersion?: string;
  readonly counts: {
    /** `ContainerSignature` elements. */
    readonly containerSignatures: number;
    /** `FileFormatMapping` elements (container signature → PUID). */
    readonly formatMappings: number;
    /** `TriggerPuid` elements (formats that make DROID open a container). */
    readonly triggerPuids: number;
  };
}

/**
 * - `ok`: both files are there (and look whole);
 * - `missing`: the folder does not exist;
 * - `not-a-directory`: the path is something else;
 * - `unreadable`: the folder cannot be listed (permissions, I/O);
 * - `empty`: no usable signature file of either kind;
 * - `incomplete`: one kind is there, the other is not.
 */
export type SignatureDirStatus = 'ok' | 'missing' | 'not-a-directory' | 'unreadable' | 'empty' | 'incomplete';

export interface SignatureDirInspection {
  readonly dir: string;
  readonly status: SignatureDirStatus;
  /** The newest usable binary signature file: what the format check would load. */
  readonly binary?: BinarySignatureFile;
  /** The newest usable container signature file. */
  readonly container?: ContainerSignatureFile;
  /** Other signature files in the folder (older versions, kept for rollback), newest first. */
  readonly others: readonly string[];
  /** Files named like signature files that cannot be used, and disagreements between a name and the file's own version. */
  readonly problems: readonly string[];
  /** When `status` is not `ok`: what is wrong and how to get the files. */
  readonly message?: string;
}

/** What a user can do about a folder without signature files. */
export const HOW_TO_GET_SIGNATURES =
  'Get them with `tdr-checks signatures update`, or point --signatures or TDR_SIGNATURES_DIR at a folder that holds ' +
  'DROID_SignatureFile_V<n>.xml and container-signature-<yyyymmdd>.xml (from The National Archives: https://www.nationalarchives.gov.uk/pronom/).';

interface Candidate {
  readonly kind: SignatureKind;
  readonly name: string;
  readonly path: string;
  /** Version from the name: the binary file's number, the container file's date as a number. */
  readonly nameRank: number;
  /** Version from the file itself (binary `Version`); container files have no date inside. */
  readonly fileRank?: number;
  readonly root: RootElement;
}

/**
 * Looks at a signature folder without parsing the files: which signature
 * files it holds, the newest of each kind (binary: highest `Version`, then
 * the number in the name; container: latest date in the name), their
 * versions, sizes, SHA-256 and element counts. A folder without the files is
 * a result with a `message`, never an exception; only a bug throws.
 */
export async function inspectSignatureDir(dir: string): Promise<SignatureDirInspection> {
  let names: string[];
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) return failed(dir, 'not-a-directory', `${dir} is not a folder, so it holds no PRONOM signature files.`);
    names = await readdir(dir);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) {
      return failed(dir, 'missing', `No PRONOM signature files: the folder ${dir} does not exist.`);
    }
    const detail = isErrnoException(error) ? `${error.code}: ${error.message}` : String(error);
    return failed(dir, 'unreadable', `Cannot read the signature folder ${dir} (${detail}).`);
  }

  const problems: string[] = [];
  const candidates: Candidate[] = [];
  for (const name of names.sort()) {
    const nameVersion = binaryVersionOf(name);
    const containerDate = containerDateOf(name);
    if (nameVersion === undefined && containerDate === undefined) continue;
    const kind: SignatureKind = nameVersion === undefined ? 'container' : 'binary';
    const candidate = await readCandidate(dir, name, kind, nameVersion ?? Number(containerDate), problems);
    if (candidate) candidates.push(candidate);
  }

  const byRank = (a: Candidate, b: Candidate) => (b.fileRank ?? b.nameRank) - (a.fileRank ?? a.nameRank) || b.nameRank - a.nameRank;
  const binaries = candidates.filter((candidate) => candidate.kind === 'binary').sort(byRank);
  const containers = candidates.filter((candidate) => candidate.kind === 'container').sort(byRank);
  const binary = await firstWhole(binaries, problems);
  const container = await firstWhole(containers, problems);
  const chosen = new Set([binary?.name, container?.name]);
  const others = [...binaries, ...containers].map((candidate) => candidate.name).filter((name) => !chosen.has(name));

  const base = {
    dir,
    ...(binary ? { binary: binary as BinarySignatureFile } : {}),
    ...(container ? { container: container as ContainerSignatureFile } : {}),
    others,
    problems,
  };
  if (binary && container) return { ...base, status: 'ok' };
  const unusable = problems.length > 0 ? ` Not usable: ${problems.join('; ')}.` : '';
  if (!binary && !container) {
    return { ...base, status: 'empty', message: `No PRONOM signature files in ${dir}.${unusable} ${HOW_TO_GET_SIGNATURES}` };
  }
  const lacking = binary ? 'container signature file (container-signature-<yyyymmdd>.xml)' : 'binary signature file (DROID_SignatureFile_V<n>.xml)';
  return { ...base, status: 'incomplete', message: `No ${lacking} in ${dir}.${unusable} ${HOW_TO_GET_SIGNATURES}` };
}

function failed(dir: string, status: SignatureDirStatus, what: string): SignatureDirInspection {
  return { dir, status, others: [], problems: [], message: `${what} ${HOW_TO_GET_SIGNATURES}` };
}

/** Reads the start of a file named like a signature file; undefined (and a problem noted) when it is not one. */
async function readCandidate(dir: string, name: string, kind: SignatureKind, nameRank: number, problems: string[]): Promise<Candidate | undefined> {
  const path = join(dir, name);
  let head: string;
  try {
    const handle = await open(path, 'r');
    try {
      if (!(await handle.stat()).isFile()) {
        problems.push(`${name} is not a regular file`);
        return undefined;
      }
      const buffer = Buffer.alloc(ROOT_SCAN_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    problems.push(`${name} cannot be read (${isErrnoException(error) ? error.code : String(error)})`);
    return undefined;
  }
  if (head.length === 0) {
    problems.push(`${name} is empty`);
    return undefined;
  }
  const root = readRootElement(head);
  const expected = kind === 'binary' ? BINARY_ROOT : CONTAINER_ROOT;
  if (root?.name !== expected) {
    problems.push(`${name} is not a ${kind === 'binary' ? 'DROID binary' : 'DROID container'} signature file (root element ${root ? `<${root.name}>` : 'not found'}, expected <${expected}>)`);
    return undefined;
  }
  if (kind === 'container') return { kind, name, path, nameRank, root };
  const attribute = root.attributes['Version'];
  const fileRank = attribute !== undefined && /^\d{1,9}$/.test(attribute) ? Number(attribute) : undefined;
  if (fileRank === undefined) problems.push(`${name} has no usable Version attribute (${attribute === undefined ? 'none' : JSON.stringify(attribute)}); going by its name`);
  else if (fileRank !== nameRank) problems.push(`${name} says Version="${attribute}" inside; going by that`);
  return { kind, name, path, nameRank, root, ...(fileRank === undefined ? {} : { fileRank }) };
}

/**
 * The first candidate (newest first) that reads whole: it ends with the
 * closing tag of its root element. A file cut short (a copy still running, a
 * full disk) is passed over and noted.
 */
async function firstWhole(candidates: readonly Candidate[], problems: string[]): Promise<BinarySignatureFile | ContainerSignatureFile | undefined> {
  for (const candidate of candidates) {
    let bytes: Buffer;
    let modified: Date;
    try {
      [bytes, modified] = await Promise.all([readFile(candidate.path), stat(candidate.path).then((stats) => stats.mtime)]);
    } catch (error) {
      problems.push(`${candidate.name} cannot be read (${isErrnoException(error) ? error.code : String(error)})`);
      continue;
    }
    // Latin-1: one character per byte, so counting is exact and no byte is rejected.
    const text = bytes.toString('latin1');
    if (!new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${candidate.root.name}\\s*>\\s*$`).test(text.slice(-256))) {
      problems.push(`${candidate.name} is incomplete (it does not end with </${candidate.root.name}>)`);
      continue;
    }
    const facts = {
      name: candidate.name,
      path: candidate.path,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      modified: modified.toISOString(),
    };
    const attributes = candidate.root.attributes;
    if (candidate.kind === 'binary') {
      const counts = countElements(text, BINARY_COUNTED);
      const dateCreated = attributes['DateCreated'];
      return {
        kind: 'binary',
        ...facts,
        version: candidate.fileRank ?? candidate.nameRank,
        nameVersion: candidate.nameRank,
        ...(dateCreated === undefined ? {} : { dateCreated }),
        counts: { formats: counts.FileFormat, internalSignatures: counts.InternalSignature },
      };
    }
    const counts = countElements(text, CONTAINER_COUNTED);
    const signatureVersion = attributes['signatureVersion'];
    const schemaVersion = attributes['schemaVersion'];
    return {
      kind: 'container',
      ...facts,
      date: isoDate(String(candidate.nameRank)),
      ...(signatureVersion !== undefined && /^\d{1,9}$/.test(signatureVersion) ? { signatureVersion: Number(signatureVersion) } : {}),
      ...(schemaVersion === undefined ? {} : { schemaVersion }),
      counts: { containerSignatures: counts.ContainerSignature, formatMappings: counts.FileFormatMapping, triggerPuids: counts.TriggerPuid },
    };
  }
  return undefined;
}
