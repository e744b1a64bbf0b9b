/**
 * A ZIP reader for container signatures (DOCX, XLSX, ODF, EPUB, JAR, …),
 * written for files from strangers: every structure is checked against the
 * file size before it is used, every count and size against a limit, and
 * entries are inflated only as far as the caller asks.
 *
 * What it trusts: the central directory (found through the end of central
 * directory record, searched backwards from the end of the file, and ZIP64
 * records where present). Local headers are read only to find where an
 * entry's data starts: their sizes are zero when a data descriptor follows
 * (general purpose bit 3) and may disagree with the central directory in
 * damaged files, so they are never used for sizes.
 *
 * Paths are compared the way DROID does: DROID's ZipIdentifierEngine looks a
 * signature's path up with TrueVFS `ZipFile.entry(name)`, an exact,
 * case-sensitive lookup of the entry name (directory entries included, e.g.
 * SIARD's `header/siardversion/2.2/`); when two entries share a name, the
 * later one is the one TrueVFS keeps, and so do we. (DROID falls back to glob
 * and `{containerFileName}` patterns over the non-directory entries; that is
 * the signature matcher's business, done over `paths()`.)
 *
 * One known difference: for names without the UTF-8 flag, TrueVFS (as DROID
 * calls it) decodes UTF-8, while this reader follows the specification and
 * decodes CP437, as Python's zipfile does. Both agree on ASCII, and every
 * path in the container signature file is ASCII, so matching is unaffected;
 * only non-ASCII names written unflagged (Debian's Info-ZIP `zip` does this)
 * read differently.
 */
import { crc32 } from 'node:zlib';
import { checkMaxBytes, limitExceeded, malformed, readExact, resolveLimits, u16, u32, u64 } from './bytes.js';
import { decodeCp437 } from './cp437.js';
import { inflatePrefix, type InflateGuard } from './inflate.js';
import { ContainerError, type ContainerView, type RandomAccess } from './types.js';

/** One entry as the central directory describes it. */
export interface ZipEntry {
  /**
   * The entry's name: UTF-8 when general purpose bit 11 is set; otherwise
   * the UTF-8 name of an Info-ZIP Unicode Path extra field whose CRC-32
   * matches, failing that UTF-8 when valid, else CP437 (APPNOTE appendix D). The path `has()` and
   * `read()` take.
   */
  readonly name: string;
  /** A directory entry: its name ends with `/`. */
  readonly directory: boolean;
  /** Compression method: 0 stored, 8 deflate; anything else cannot be read here. */
  readonly method: number;
  /** The general purpose bit flags. */
  readonly flags: number;
  /** General purpose bit 0 (encrypted) or bit 6 (strong encryption) is set. */
  readonly encrypted: boolean;
  /** Compressed size from the central directory (ZIP64 extra field when saturated). */
  readonly compressedSize: number;
  /** Uncompressed size from the central directory (ZIP64 extra field when saturated). */
  readonly uncompressedSize: number;
  /** CRC-32 of the uncompressed data, as recorded. */
  readonly crc32: number;
  /**
   * Where the entry's local header starts in the file. When bytes were
   * prepended to the archive (a self-extractor, a launcher script before a
   * JAR), this is the recorded offset shifted by their length.
   */
  readonly localHeaderOffset: number;
}

/**
 * What a ZIP reader may spend on one archive. The defaults suit format
 * identification, which reads a few entries' first kilobytes; a caller that
 * extracts more can raise them.
 */
export interface ZipLimits {
  /**
   * Most central directory entries. 65,536 is the most a ZIP without ZIP64
   * can hold; an OOXML or ODF document has tens, an EPUB hundreds. Past it
   * the archive is LIMIT_EXCEEDED rather than listed in part, so no
   * signature is matched against half a directory.
   */
  maxEntries: number;
  /**
   * Most bytes of central directory, read in one piece: 64 MiB is about
   * 65,536 entries with 1 KB names and extra fields each.
   */
  maxCentralDirectoryBytes: number;
  /**
   * Most bytes one `read()` may return: 64 MiB. Signature matching asks for
   * far less; a request for more fails before anything is inflated.
   */
  maxEntryBytes: number;
  /**
   * Most bytes all reads of this archive together may produce, inflated or
   * stored, including what zlib inflates past a prefix: 256 MiB, four
   * maximal entries. This is what stops overlapping-entry bombs (thousands
   * of central directory entries pointing at one highly compressed local
   * entry): each read is cheap, their sum is not.
   */
  maxTotalBytes: number;
  /**
   * Most uncompressed bytes per compressed byte within one entry, once it
   * has produced `ratioGraceBytes`: 1000. Deflate cannot exceed about
   * 1032:1, which only long runs of one byte reach; real documents stay
   * under 100:1, and a highly repetitive XML part under a few hundred.
   */
  maxCompressionRatio: number;
  /**
   * Output an entry may produce before the ratio applies: 4 MiB, so that a
   * small, highly compressible part (a blank sheet, an empty bitmap) reads
   * in full whatever its ratio.
   */
  ratioGraceBytes: number;
}

/** The limits `openZip` applies unless told otherwise (see {@link ZipLimits}). */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 65_536,
  maxCentralDirectoryBytes: 64 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxCompressionRatio: 1000,
  ratioGraceBytes: 4 * 1024 * 1024,
});

/** An opened ZIP archive. */
export interface ZipContainer extends ContainerView {
  readonly type: 'ZIP';
  /** The archive comment: UTF-8 when it is valid UTF-8, CP437 otherwise. */
  readonly comment: string;
  /** The limits in force for this archive. */
  readonly limits: Readonly<ZipLimits>;
  /** Every central directory entry, in directory order (duplicates included). */
  entries(): readonly ZipEntry[];
  /** The entry `has()`/`read()` use for this path (the last of that name), if any. */
  entry(path: string): ZipEntry | undefined;
  /** Bytes produced so far by reads of this archive (counted against `maxTotalBytes`). */
  producedBytes(): number;
  /**
   * Up to `maxBytes` bytes from the start of the entry, decompressed
   * (`Infinity`: all of it, within the limits). Inflates only as far as
   * needed. A wrong CRC-32 is not an error (DROID reads such entries).
   *
   * @throws ContainerError `ENCRYPTED`, `UNSUPPORTED` (a method other than
   *   stored or deflate), `LIMIT_EXCEEDED` (more than `maxEntryBytes` asked
   *   of an entry that big, the archive's `maxTotalBytes` spent, the
   *   compression ratio limit, or deflate data that yields almost nothing),
   *   `MALFORMED` (no local header where the central directory points, data
   *   past the central directory, corrupt deflate data).
   * @throws RangeError when there is no entry with this path (ask `has()`
   *   first) or `maxBytes` is not a whole number ≥ 0 or Infinity.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_LENGTH = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_LENGTH = 56;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_LENGTH = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_LENGTH = 30;
const ZIP64_EXTRA_ID = 0x0001;
const UNICODE_PATH_EXTRA_ID = 0x7075;
const MAX_COMMENT = 0xffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;

const STORED = 0;
const DEFLATED = 8;
const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'Zstandard',
  95: 'xz',
  98: 'PPMd',
  99: 'AES',
};

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a ZIP archive: finds its end records, reads and checks its central
 * directory. Entry data is read only by `read()`.
 *
 * @throws ContainerError `NOT_A_CONTAINER` when there is no end of central
 *   directory record (and the file does not start like a ZIP), `MALFORMED`
 *   when the records are inconsistent or point outside the file,
 *   `LIMIT_EXCEEDED` past the entry or directory limits, `UNSUPPORTED` for
 *   split or spanned archives.
 * @example
 * ```ts
 * const zip = await openZip({ size: file.size, read: (p, n) => file.read(p, n) });
 * if (zip.has('[Content_Types].xml')) {
 *   const head = await zip.read('[Content_Types].xml', 4096);
 * }
 * ```
 */
export async function openZip(source: RandomAccess, limits?: Partial<ZipLimits>): Promise<ZipContainer> {
  const resolved = resolveLimits(DEFAULT_ZIP_LIMITS, limits, 'ZIP');
  const end = await findEnd(source);
  const directory = await locateCentralDirectory(source, end, resolved);
  const entries = parseCentralDirectory(directory, resolved);
  return new OpenedZip(source, resolved, entries, decodeComment(end.comment), directory.start);
}

interface EndRecord {
  /** Offset of the end of central directory record. */
  readonly position: number;
  readonly disk: number;
  readonly directoryDisk: number;
  readonly entryCount: number;
  readonly directorySize: number;
  readonly directoryOffset: number;
  readonly comment: Uint8Array;
  /** The 20 bytes before the record (where a ZIP64 locator would be), if the file has them. */
  readonly before: Uint8Array | undefined;
}

/**
 * The end of central directory record: the last 22 bytes of the file unless
 * there is a comment, so search backwards over at most 65,535 bytes of
 * comment. Prefer a record whose comment ends exactly at the end of the
 * file; failing that, the last one whose comment fits (some tools leave
 * bytes after the archive).
 */
async function findEnd(source: RandomAccess): Promise<EndRecord> {
  const tailLength = Math.min(source.size, EOCD_LENGTH + MAX_COMMENT + ZIP64_LOCATOR_LENGTH);
  const tailStart = source.size - tailLength;
  const tail = await readExact(source, tailStart, tailLength, 'the end of the file');
  let found = -1;
  for (let at = tailLength - EOCD_LENGTH; at >= 0; at--) {
    if (tail[at] !== 0x50 || u32(tail, at) !== EOCD_SIGNATURE) continue;
    const recordEnd = at + EOCD_LENGTH + u16(tail, at + 20);
    if (recordEnd === tailLength) {
      found = at;
      break;
    }
    if (recordEnd < tailLength && found < 0) found = at;
  }
  if (found < 0) {
    const head = source.size >= 4 ? await readExact(source, 0, 4, 'the start of the file') : new Uint8Array(0);
    if (head.byteLength === 4 && u32(head, 0) === LOCAL_SIGNATURE) {
      throw malformed('the file starts like a ZIP but has no end of central directory record: truncated?');
    }
    throw new ContainerError('NOT_A_CONTAINER', 'not a ZIP archive: no end of central directory record');
  }
  return {
    position: tailStart + found,
    disk: u16(tail, found + 4),
    directoryDisk: u16(tail, found + 6),
    entryCount: u16(tail, found + 10),
    directorySize: u32(tail, found + 12),
    directoryOffset: u32(tail, found + 16),
    comment: tail.subarray(found + EOCD_LENGTH, found + EOCD_LENGTH + u16(tail, found + 20)),
    before: found >= ZIP64_LOCATOR_LENGTH ? tail.subarray(found - ZIP64_LOCATOR_LENGTH, found) : undefined,
  };
}

interface CentralDirectory {
  /** Where the central directory actually starts in the file. */
  readonly start: number;
  readonly bytes: Uint8Array;
  readonly declaredCount: number;
  /** The declared count came from the 16-bit field (it may have wrapped past 65,535). */
  readonly countMayWrap: boolean;
  /** Bytes prepended to the archive: add to every recorded offset. */
  readonly shift: number;
}

async function locateCentralDirectory(source: RandomAccess, end: EndRecord, limits: ZipLimits): Promise<CentralDirectory> {
  let { disk, directoryDisk, entryCount: count, directorySize: size, directoryOffset: offset } = end;
  /** Where the central directory must end: at the ZIP64 end record if there is one, else at the end record. */
  let directoryEnd = end.position;
  let countMayWrap = true;
  const saturated =
    count === 0xffff || size === 0xffffffff || offset === 0xffffffff || disk === 0xffff || directoryDisk === 0xffff;
  const zip64 = await readZip64End(source, end, saturated);
  if (zip64 !== undefined) {
    ({ disk, directoryDisk, count, size, offset } = zip64);
    directoryEnd = zip64.position;
    countMayWrap = false;
  }
  if (disk !== 0 || directoryDisk !== 0) {
    throw new ContainerError('UNSUPPORTED', `split or spanned ZIP archives are not supported (this is disk ${disk}, the central directory is on disk ${directoryDisk})`);
  }
  if (count > limits.maxEntries) {
    throw limitExceeded(`the ZIP declares ${count} entries; the limit is ${limits.maxEntries}`);
  }
  if (size > limits.maxCentralDirectoryBytes) {
    throw limitExceeded(`the ZIP central directory is ${size} bytes; the limit is ${limits.maxCentralDirectoryBytes}`);
  }
  if (offset + size > source.size) {
    throw malformed(`the central directory (${size} bytes at offset ${offset}) points past the end of the file (${source.size} bytes)`);
  }
  if (offset + size > directoryEnd) {
    throw malformed(`the central directory (${size} bytes at offset ${offset}) overlaps the end of central directory record at offset ${directoryEnd}`);
  }
  if (count * CENTRAL_LENGTH > size) {
    throw malformed(`${count} central directory entries cannot fit in ${size} bytes`);
  }
  let shift = 0;
  if (size >= 4) {
    const head = await readExact(source, offset, 4, 'the central directory');
    if (u32(head, 0) !== CENTRAL_SIGNATURE) {
      // Bytes prepended to the archive (a self-extractor stub, a launcher
      // script before a JAR) shift everything by their length; the central
      // directory then sits right before the end records instead.
      const actual = directoryEnd - size;
      const there = actual > offset ? await readExact(source, actual, 4, 'the central directory') : undefined;
      if (there === undefined || u32(there, 0) !== CENTRAL_SIGNATURE) {
        throw malformed(`no central directory at offset ${offset}, where the end of central directory record says it starts`);
      }
      shift = actual - offset;
    }
  }
  return {
    start: offset + shift,
    bytes: await readExact(source, offset + shift, size, 'the central directory'),
    declaredCount: count,
    countMayWrap,
    shift,
  };
}

interface Zip64End {
  readonly position: number;
  readonly disk: number;
  readonly directoryDisk: number;
  readonly count: number;
  readonly size: number;
  readonly offset: number;
}

/**
 * The ZIP64 end of central directory record, through the locator just
 * before the end record. The record is looked for where the locator says
 * and, failing that, right before the locator (where it is when bytes were
 * prepended to the archive). Without a locator, or with a broken one when no
 * 32-bit field is saturated, the 32-bit values stand.
 */
async function readZip64End(source: RandomAccess, end: EndRecord, saturated: boolean): Promise<Zip64End | undefined> {
  const locator = end.before;
  if (locator === undefined || u32(locator, 0) !== ZIP64_LOCATOR_SIGNATURE) {
    if (saturated && locator === undefined) {
      throw malformed('the end of central directory record has ZIP64 markers but no room for a ZIP64 locator');
    }
    return undefined;
  }
  const locatorPosition = end.position - ZIP64_LOCATOR_LENGTH;
  const recordDisk = u32(locator, 4);
  const recorded = u64(locator, 8);
  const totalDisks = u32(locator, 16);
  if (recordDisk !== 0 || totalDisks > 1) {
    throw new ContainerError('UNSUPPORTED', `split or spanned ZIP archives are not supported (${totalDisks} disks)`);
  }
  for (const position of [recorded, locatorPosition - ZIP64_EOCD_LENGTH]) {
    if (position < 0 || position + ZIP64_EOCD_LENGTH > locatorPosition) continue;
    const record = await readExact(source, position, ZIP64_EOCD_LENGTH, 'the ZIP64 end of central directory record');
    if (u32(record, 0) !== ZIP64_EOCD_SIGNATURE) continue;
    return {
      position,
      disk: u32(record, 16),
      directoryDisk: u32(record, 20),
      count: u64(record, 32),
      size: u64(record, 40),
      offset: u64(record, 48),
    };
  }
  if (saturated) {
    throw malformed(`no ZIP64 end of central directory record at offset ${recorded}, where the ZIP64 locator points`);
  }
  return undefined;
}

function parseCentralDirectory(directory: CentralDirectory, limits: ZipLimits): ZipEntry[] {
  const { bytes, declaredCount, shift } = directory;
  const entries: ZipEntry[] = [];
  let at = 0;
  for (;;) {
    const more = entries.length < declaredCount;
    // Past the declared count, go on only while central headers follow and
    // the count came from the 16-bit field: archives written without ZIP64
    // but with more than 65,535 entries wrap it (TrueVFS tolerates this too).
    if (!more && !(directory.countMayWrap && at + 4 <= bytes.byteLength && u32(bytes, at) === CENTRAL_SIGNATURE)) break;
    const number = entries.length + 1;
    if (number > limits.maxEntries) {
      throw limitExceeded(`the ZIP has more than ${limits.maxEntries} entries (the limit)`);
    }
    if (at + CENTRAL_LENGTH > bytes.byteLength) {
      throw malformed(`central directory entry ${number} of ${declaredCount} runs past the end of the central directory (${bytes.byteLength} bytes)`);
    }
    if (u32(bytes, at) !== CENTRAL_SIGNATURE) {
      throw malformed(`central directory entry ${number} of ${declaredCount} (offset ${directory.start + at}) has no central header signature`);
    }
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    const recordLength = CENTRAL_LENGTH + nameLength + extraLength + commentLength;
    if (at + recordLength > bytes.byteLength) {
      throw malformed(`central directory entry ${number} (${recordLength} bytes) runs past the end of the central directory`);
    }
    const flags = u16(bytes, at + 8);
    const rawName = bytes.subarray(at + CENTRAL_LENGTH, at + CENTRAL_LENGTH + nameLength);
    const extra = bytes.subarray(at + CENTRAL_LENGTH + nameLength, at + CENTRAL_LENGTH + nameLength + extraLength);
    const name = (flags & FLAG_UTF8) !== 0 ? utf8.decode(rawName) : (unicodePath(extra, rawName) ?? decodeLegacyName(rawName));
    const sizes = applyZip64Extra(
      {
        compressedSize: u32(bytes, at + 20),
        uncompressedSize: u32(bytes, at + 24),
        localHeaderOffset: u32(bytes, at + 42),
        diskStart: u16(bytes, at + 34),
      },
      extra,
      name,
    );
    entries.push(
      Object.freeze({
        name,
        directory: name.endsWith('/'),
        method: u16(bytes, at + 10),
        flags,
        encrypted: (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0,
        compressedSize: sizes.compressedSize,
        uncompressedSize: sizes.uncompressedSize,
        crc32: u32(bytes, at + 16),
        localHeaderOffset: sizes.localHeaderOffset + shift,
      }),
    );
    at += recordLength;
  }
  if (directory.countMayWrap && (entries.length - declaredCount) % 0x1_0000 !== 0) {
    throw malformed(`the end of central directory record declares ${declaredCount} entries but the central directory holds ${entries.length}`);
  }
  return entries;
}

/**
 * The Info-ZIP Unicode Path extra field (0x7075, APPNOTE 4.6.9): a UTF-8
 * name for an entry whose bit 11 is clear, valid only while its CRC-32 still
 * matches the name in the header (a tool that renamed the entry without
 * knowing the field leaves a stale one behind).
 */
function unicodePath(extra: Uint8Array, rawName: Uint8Array): string | undefined {
  for (let at = 0; at + 4 <= extra.byteLength; ) {
    const id = u16(extra, at);
    const length = u16(extra, at + 2);
    const data = extra.subarray(at + 4, Math.min(extra.byteLength, at + 4 + length));
    at += 4 + length;
    if (id === UNICODE_PATH_EXTRA_ID && data.byteLength >= 5 && data[0] === 1 && u32(data, 1) === crc32(rawName)) {
      return utf8.decode(data.subarray(5));
    }
  }
  return undefined;
}

interface Sizes {
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  diskStart: number;
}

/**
 * Replaces the saturated 32-bit fields (0xFFFFFFFF, and 0xFFFF for the
 * disk) with the ZIP64 extended information extra field's 64-bit values,
 * which appear in this fixed order and only for the saturated fields. A
 * saturated field with no ZIP64 field keeps its value (a real 4 GiB − 1);
 * the checks at read time judge it against the file.
 */
function applyZip64Extra(sizes: Sizes, extra: Uint8Array, name: string): Sizes {
  const wanted = [sizes.uncompressedSize, sizes.compressedSize, sizes.localHeaderOffset].some((v) => v === 0xffffffff);
  if (!wanted && sizes.diskStart !== 0xffff) return sizes;
  for (let at = 0; at + 4 <= extra.byteLength; ) {
    const id = u16(extra, at);
    const length = u16(extra, at + 2);
    const data = extra.subarray(at + 4, Math.min(extra.byteLength, at + 4 + length));
    at += 4 + length;
    if (id !== ZIP64_EXTRA_ID) continue;
    const result = { ...sizes };
    let field = 0;
    const next = (bytes: number, what: string): number => {
      if (field + bytes > data.byteLength) {
        throw malformed(`the ZIP64 extra field of ${JSON.stringify(name)} is too short to hold its ${what}`);
      }
      const value = bytes === 8 ? u64(data, field) : u32(data, field);
      field += bytes;
      return value;
    };
    if (sizes.uncompressedSize === 0xffffffff) result.uncompressedSize = next(8, 'uncompressed size');
    if (sizes.compressedSize === 0xffffffff) result.compressedSize = next(8, 'compressed size');
    if (sizes.localHeaderOffset === 0xffffffff) result.localHeaderOffset = next(8, 'local header offset');
    if (sizes.diskStart === 0xffff) result.diskStart = next(4, 'disk number');
    return result;
  }
  return sizes;
}

/**
 * A name without the UTF-8 flag: UTF-8 when it is valid UTF-8 (as DROID's
 * TrueVFS reads every name, and as Debian's `zip` and macOS write them
 * unflagged), otherwise CP437, the encoding APPNOTE assigns.
 */
function decodeLegacyName(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeCp437(bytes);
  }
}

function decodeComment(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeCp437(bytes);
  }
}

class OpenedZip implements ZipContainer {
  readonly type = 'ZIP' as const;
  readonly #source: RandomAccess;
  readonly #entries: readonly ZipEntry[];
  readonly #byName = new Map<string, ZipEntry>();
  /** Entry data must end here: local entries come before the central directory. */
  readonly #dataEnd: number;
  #produced = 0;

  constructor(
    source: RandomAccess,
    readonly limits: Readonly<ZipLimits>,
    entries: readonly ZipEntry[],
    readonly comment: string,
    directoryStart: number,
  ) {
    this.#source = source;
    this.#entries = Object.freeze(entries);
    // Later entries of the same name win, as in TrueVFS (Map.set keeps the first position for paths()).
    for (const entry of entries) this.#byName.set(entry.name, entry);
    this.#dataEnd = directoryStart;
  }

  paths(): readonly string[] {
    return [...this.#byName.keys()];
  }

  has(path: string): boolean {
    return this.#byName.has(path);
  }

  entries(): readonly ZipEntry[] {
    return this.#entries;
  }

  entry(path: string): ZipEntry | undefined {
    return this.#byName.get(path);
  }

  producedBytes(): number {
    return this.#produced;
  }

  async read(path: string, maxBytes: number): Promise<Uint8Array> {
    const limit = checkMaxBytes(maxBytes);
    const entry = this.#byName.get(path);
    if (entry === undefined) throw new RangeError(`this ZIP has no entry ${JSON.stringify(path)}; ask has() first`);
    const what = `ZIP entry ${JSON.stringify(entry.name)}`;
    if (entry.encrypted) throw new ContainerError('ENCRYPTED', `${what} is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      const known = METHOD_NAMES[entry.method];
      throw new ContainerError(
        'UNSUPPORTED',
        `${what} uses compression method ${entry.method}${known === undefined ? '' : ` (${known})`}; only stored and deflate can be read`,
      );
    }
    const want = Math.min(limit, entry.uncompressedSize);
    if (want === 0) return new Uint8Array(0);
    if (want > this.limits.maxEntryBytes) {
      throw limitExceeded(`reading ${want} bytes of ${what} is more than the per-entry limit of ${this.limits.maxEntryBytes}`);
    }
    const dataStart = await this.#locateData(entry, what);
    const guard = this.#guard(what);
    const readData = (offset: number, length: number): Promise<Uint8Array> =>
      readExact(this.#source, dataStart + offset, length, `the data of ${what}`);
    let bytes: Uint8Array;
    if (entry.method === STORED) {
      const length = Math.min(want, entry.compressedSize);
      guard.charge(length, length);
      bytes = await readData(0, length);
    } else {
      bytes = await inflatePrefix(readData, entry.compressedSize, entry.uncompressedSize, want, guard, what);
    }
    // No CRC-32 check, even when the whole entry was read: DROID (TrueVFS,
    // which checks CRCs only of encrypted entries) identifies such files, and
    // integrity is not what a container signature asks about.
    return bytes;
  }

  /** Checks the local header the central directory points at; returns where the data starts. */
  async #locateData(entry: ZipEntry, what: string): Promise<number> {
    const offset = entry.localHeaderOffset;
    if (offset + LOCAL_LENGTH > this.#dataEnd) {
      throw malformed(`the local header of ${what} (offset ${offset}) is not before the central directory (offset ${this.#dataEnd})`);
    }
    const header = await readExact(this.#source, offset, LOCAL_LENGTH, `the local header of ${what}`);
    if (u32(header, 0) !== LOCAL_SIGNATURE) {
      throw malformed(`no local file header at offset ${offset}, where the central directory says ${what} starts`);
    }
    // The local name and extra lengths, not the central ones: they may differ (alignment padding, ZIP64 fields).
    const dataStart = offset + LOCAL_LENGTH + u16(header, 26) + u16(header, 28);
    if (dataStart + entry.compressedSize > this.#dataEnd) {
      throw malformed(
        `the data of ${what} (${entry.compressedSize} bytes at offset ${dataStart}) runs past the start of the central directory (offset ${this.#dataEnd})`,
      );
    }
    return dataStart;
  }

  #guard(what: string): InflateGuard {
    const limits = this.limits;
    let produced = 0;
    return {
      remaining: () => limits.maxTotalBytes - this.#produced,
      charge: (bytes: number, consumed: number) => {
        produced += bytes;
        this.#produced += bytes;
        if (this.#produced > limits.maxTotalBytes) {
          throw limitExceeded(
            `reading ${what} takes the bytes read from this ZIP past ${limits.maxTotalBytes} (the per-archive limit; many entries sharing one compressed stream?)`,
          );
        }
        if (produced > limits.ratioGraceBytes && produced > consumed * limits.maxCompressionRatio) {
          throw limitExceeded(
            `${what} inflates to more than ${limits.maxCompressionRatio} times its compressed size (${produced} bytes from ${consumed}): a zip bomb?`,
          );
        }
      },
    };
  }
}

