import { CheckError } from '../errors.js';
import { ContainerError, openCfb, openZip, type RandomAccess } from '../format/containers/index.js';
import type { ByteWindow } from '../format/signatures/index.js';
import { detectExecutable } from './executable.js';
import { hasEncryptEntry, looksLikePdf } from './pdf.js';
import type { FlagsResult } from './result.js';

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** An ODF manifest is a few KB; one this size is not a manifest anyone wrote by hand. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((byte, i) => bytes[i] === byte);

/**
 * The flags of one file from its structure: executable header, and
 * encryption where the format shows it — ZIP entries (general purpose bit
 * 0), ODF (`manifest:encryption-data`), encrypted OOXML (an OLE2 file with
 * an `EncryptedPackage` stream), Word and Excel 97–2003 (FIB `fEncrypted`,
 * a `FILEPASS` record), PowerPoint (`EncryptedSummary`), PDF (`/Encrypt`).
 * TDR finds password protection only through the PUIDs DROID's container
 * signatures give; this also catches the ones they miss.
 *
 * @throws CheckError `CONTAINER_UNREADABLE` when a ZIP or OLE2 file cannot
 *   be read far enough to tell (malformed, or over the readers' limits).
 */
export function inspectFile(file: RandomAccess, window: ByteWindow): FlagsResult | Promise<FlagsResult> {
  if (window.size === 0) return { passwordProtected: false, executable: false, zeroBytes: true };
  const executableKind = detectExecutable(window.head);
  const head = window.head;
  const container = startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY) ? 'ZIP' : startsWith(head, OLE2) ? 'OLE2' : undefined;
  // Synchronous unless there is a container to open: most files are done without a promise.
  if (!container) return flags(executableKind, looksLikePdf(head) && hasEncryptEntry(head, window.tail) ? 'PDF has an /Encrypt dictionary' : undefined);
  return containerEncryption(file, container).then((encrypted) => flags(executableKind, encrypted));
}

function flags(executableKind: ReturnType<typeof detectExecutable>, encrypted: string | undefined): FlagsResult {
  const executable = executableKind === undefined ? {} : { executableKind };
  return {
    passwordProtected: encrypted !== undefined,
    ...(encrypted === undefined ? {} : { passwordProtectedBasis: encrypted }),
    executable: executableKind !== undefined,
    ...executable,
    zeroBytes: false,
  };
}

/** Why a ZIP or OLE2 file is encrypted, or undefined when nothing shows it. */
async function containerEncryption(file: RandomAccess, container: 'ZIP' | 'OLE2'): Promise<string | undefined> {
  try {
    return container === 'ZIP' ? await zipEncryption(file) : await ole2Encryption(file);
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    if (error.code === 'NOT_A_CONTAINER') return undefined;
    if (error.code === 'ENCRYPTED') return `encrypted content: ${error.message}`;
    throw new CheckError('CONTAINER_UNREADABLE', `cannot tell whether it is password protected: ${error.message} (${error.code})`);
  }
}

async function zipEncryption(file: RandomAccess): Promise<string | undefined> {
  const zip = await openZip(file);
  const encrypted = zip.entries().find((entry) => entry.encrypted);
  if (encrypted) return `ZIP entry ${JSON.stringify(encrypted.name)} is encrypted`;
  // OpenDocument encrypts entries itself and says so in its manifest.
  if (zip.has('META-INF/manifest.xml') && zip.has('mimetype')) {
    const manifest = new TextDecoder().decode(await zip.read('META-INF/manifest.xml', MAX_MANIFEST_BYTES));
    if (/<manifest:encryption-data\b/.test(manifest)) return 'OpenDocument manifest lists encryption data';
  }
  return undefined;
}

async function ole2Encryption(file: RandomAccess): Promise<string | undefined> {
  const cfb = await openCfb(file);
  if (cfb.has('EncryptedPackage')) return 'OLE2 EncryptedPackage stream (encrypted Office Open XML)';
  if (cfb.has('EncryptedSummary')) return 'PowerPoint EncryptedSummary stream';
  if (cfb.has('WordDocument')) {
    // [MS-DOC] FibBase: wIdent 0xA5EC at 0, flags at 0x0A with fEncrypted = bit 8.
    const fib = await cfb.read('WordDocument', 12);
    if (fib.length >= 12 && fib[0] === 0xec && fib[1] === 0xa5 && (fib[0x0b] & 0x01) !== 0) return 'Word document is encrypted (FIB fEncrypted)';
  }
  for (const stream of ['Workbook', 'Book']) {
    if (cfb.has(stream) && hasFilePass(await cfb.read(stream, 4096))) return `Excel workbook has a FILEPASS record (${stream} stream)`;
  }
  return undefined;
}

/** [MS-XLS]: FILEPASS (0x002F) follows BOF among the first records of the workbook globals. */
function hasFilePass(records: Uint8Array): boolean {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let offset = 0, seen = 0; offset + 4 <= records.length && seen < 64; seen++) {
    const type = view.getUint16(offset, true);
    if (type === 0x002f) return true;
    offset += 4 + view.getUint16(offset + 2, true);
  }
  return false;
}
