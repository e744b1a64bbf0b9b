/**
 * Test support for the container readers: small writers of ZIP and OLE2
 * (CFB) files, with the knobs hostile files turn (lying sizes, overlapping
 * entries, saturated ZIP64 fields, shuffled FAT sectors, …), and a memory
 * `RandomAccess` that counts what is read. Used only by the specs here.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import { ContainerError, type ContainerErrorCode, type RandomAccess } from './types.js';

// ---------------------------------------------------------------- sources

/** A RandomAccess over bytes in memory that counts the reads made through it. */
export interface CountingSource extends RandomAccess {
  /** Number of `read` calls. */
  reads: number;
  /** Bytes returned by all `read` calls. */
  bytesRead: number;
}

export function memorySource(bytes: Uint8Array): CountingSource {
  const source: CountingSource = {
    size: bytes.byteLength,
    reads: 0,
    bytesRead: 0,
    async read(position, length) {
      const out = bytes.subarray(position, Math.min(bytes.byteLength, position + length));
      source.reads++;
      source.bytesRead += out.byteLength;
      return out;
    },
  };
  return source;
}

// ---------------------------------------------------------------- bytes

/** A little-endian byte writer that grows as needed. */
export class ByteWriter {
  #buffer = new Uint8Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #room(n: number): number {
    if (this.#length + n > this.#buffer.byteLength) {
      const bigger = new Uint8Array(Math.max(this.#buffer.byteLength * 2, this.#length + n));
      bigger.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = bigger;
    }
    const at = this.#length;
    this.#length += n;
    return at;
  }

  // `#room` may replace the buffer: take the offset before touching it.
  u8(value: number): this {
    const at = this.#room(1);
    this.#buffer[at] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    const at = this.#room(2);
    this.#buffer[at] = value & 0xff;
    this.#buffer[at + 1] = (value >>> 8) & 0xff;
    return this;
  }

  u32(value: number): this {
    const at = this.#room(4);
    new DataView(this.#buffer.buffer).setUint32(at, value >>> 0, true);
    return this;
  }

  u64(value: number): this {
    return this.u32(value % 0x1_0000_0000).u32(Math.floor(value / 0x1_0000_0000));
  }

  bytes(value: Uint8Array): this {
    const at = this.#room(value.byteLength);
    this.#buffer.set(value, at);
    return this;
  }

  toBytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

export function setU32(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset, value >>> 0, true);
}

export function getU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

const encoder = new TextEncoder();
const asBytes = (value: Uint8Array | string): Uint8Array => (typeof value === 'string' ? encoder.encode(value) : value);

// ---------------------------------------------------------------- ZIP

/** One entry for {@link buildZip}. */
export interface ZipSpec {
  /** The name; raw bytes are written as they are (e.g. CP437). */
  name: string | Uint8Array;
  data?: Uint8Array | string;
  /** 0 stored, 8 deflate (default), anything else written as given. */
  method?: number;
  /** Compressed bytes to write instead of compressing `data` (sizes and CRC then come from the other fields). */
  compressed?: Uint8Array;
  /** Sets general purpose bit 11. Default: when a string name has non-ASCII characters. */
  utf8?: boolean;
  /** Bit 3: zero sizes and CRC in the local header, a data descriptor after the data. */
  dataDescriptor?: boolean;
  /** Bit 0 (the data is not really encrypted). */
  encrypted?: boolean;
  /** More general purpose bits. */
  flags?: number;
  /** Saturate this entry's 32-bit central fields and give the values in a ZIP64 extra field. */
  zip64?: boolean;
  /** Overrides of what the central directory records. */
  uncompressedSize?: number;
  compressedSize?: number;
  crc?: number;
  /** Sizes to write in the local header instead of the true ones (damaged files). */
  localSizes?: { compressed: number; uncompressed: number };
  /** Extra bytes in the local header only (alignment padding, as zipalign writes). */
  localExtra?: Uint8Array;
  /** Extra fields in the central header (after any ZIP64 field). */
  centralExtra?: Uint8Array;
}

/** Archive-wide knobs for {@link buildZip}. */
export interface ZipOptions {
  comment?: string | Uint8Array;
  /** Write a ZIP64 end of central directory record and locator, and saturate the end record's fields. */
  zip64?: boolean;
  /** Bytes before the archive; offsets are not adjusted (as `cat stub archive.zip` makes). */
  prefix?: Uint8Array;
  /** Bytes after the end record. */
  trailing?: Uint8Array;
  /** Overrides the central directory offset recorded in the end record. */
  directoryOffset?: number;
  /** Overrides the entry count recorded in the end record. */
  entryCount?: number;
  /** More central directory entries, each pointing at the local entry of `specs[of]`. */
  aliases?: Array<{ name: string; of: number }>;
}

interface CentralRecord {
  name: Uint8Array;
  extra: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  zip64: boolean;
}

/** Writes a ZIP archive, the way the specs need it. */
export function buildZip(specs: readonly ZipSpec[], options: ZipOptions = {}): Uint8Array {
  const w = new ByteWriter();
  const records: CentralRecord[] = [];
  for (const spec of specs) {
    const data = asBytes(spec.data ?? '');
    const method = spec.method ?? 8;
    const compressed = spec.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const name = asBytes(spec.name);
    const utf8 = spec.utf8 ?? (typeof spec.name === 'string' && /[^\x20-\x7e]/.test(spec.name));
    const dd = spec.dataDescriptor ?? false;
    const zip64 = spec.zip64 ?? false;
    const flags = (spec.flags ?? 0) | (utf8 ? 0x800 : 0) | (dd ? 0x8 : 0) | (spec.encrypted ? 0x1 : 0);
    const record: CentralRecord = {
      name,
      extra: spec.centralExtra ?? new Uint8Array(0),
      flags,
      method,
      crc: spec.crc ?? crc32(data),
      compressedSize: spec.compressedSize ?? compressed.byteLength,
      uncompressedSize: spec.uncompressedSize ?? data.byteLength,
      offset: w.length,
      zip64,
    };
    records.push(record);
    const localCompressed = spec.localSizes?.compressed ?? record.compressedSize;
    const localUncompressed = spec.localSizes?.uncompressed ?? record.uncompressedSize;
    const localZip64 = zip64 && !dd ? new ByteWriter().u16(1).u16(16).u64(localUncompressed).u64(localCompressed).toBytes() : new Uint8Array(0);
    const extra = concat(localZip64, spec.localExtra ?? new Uint8Array(0));
    w.u32(0x04034b50)
      .u16(zip64 ? 45 : 20)
      .u16(flags)
      .u16(method)
      .u16(0)
      .u16(0x21)
      .u32(dd ? 0 : record.crc)
      .u32(dd ? 0 : zip64 ? 0xffffffff : localCompressed)
      .u32(dd ? 0 : zip64 ? 0xffffffff : localUncompressed)
      .u16(name.byteLength)
      .u16(extra.byteLength)
      .bytes(name)
      .bytes(extra)
      .bytes(compressed);
    if (dd) {
      w.u32(0x08074b50).u32(record.crc);
      if (zip64) w.u64(record.compressedSize).u64(record.uncompressedSize);
      else w.u32(record.compressedSize).u32(record.uncompressedSize);
    }
  }
  for (const alias of options.aliases ?? []) {
    records.push({ ...records[alias.of], name: asBytes(alias.name) });
  }
  const directoryOffset = w.length;
  for (const r of records) {
    const zip64 = r.zip64 ? new ByteWriter().u16(1).u16(24).u64(r.uncompressedSize).u64(r.compressedSize).u64(r.offset).toBytes() : new Uint8Array(0);
    const extra = concat(zip64, r.extra);
    w.u32(0x02014b50)
      .u16(0x031e)
      .u16(r.zip64 ? 45 : 20)
      .u16(r.flags)
      .u16(r.method)
      .u16(0)
      .u16(0x21)
      .u32(r.crc)
      .u32(r.zip64 ? 0xffffffff : r.compressedSize)
      .u32(r.zip64 ? 0xffffffff : r.uncompressedSize)
      .u16(r.name.byteLength)
      .u16(extra.byteLength)
      .u16(0)
      .u16(0)
      .u16(0)
      .u32(0)
      .u32(r.zip64 ? 0xffffffff : r.offset)
      .bytes(r.name)
      .bytes(extra);
  }
  const directorySize = w.length - directoryOffset;
  const count = options.entryCount ?? records.length;
  const recordedOffset = options.directoryOffset ?? directoryOffset;
  if (options.zip64) {
    const recordOffset = w.length;
    w.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(count).u64(count).u64(directorySize).u64(recordedOffset);
    w.u32(0x07064b50).u32(0).u64(recordOffset).u32(1);
  }
  const comment = asBytes(options.comment ?? '');
  w.u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(options.zip64 ? 0xffff : count)
    .u16(options.zip64 ? 0xffff : count)
    .u32(options.zip64 ? 0xffffffff : directorySize)
    .u32(options.zip64 ? 0xffffffff : recordedOffset)
    .u16(comment.byteLength)
    .bytes(comment);
  return concat(options.prefix ?? new Uint8Array(0), w.toBytes(), options.trailing ?? new Uint8Array(0));
}

/**
 * Raw deflate data of `total` zero bytes (a multiple of `segment`), made
 * without holding them: one segment compressed with a full flush (byte
 * aligned, history reset, not final) is repeated, then an empty final block.
 * About 1 KB per MiB: 1 GiB of zeros in about 1 MB.
 */
export function deflatedZeros(total: number, segment = 1024 * 1024): { compressed: Uint8Array; crc: number } {
  const zeros = new Uint8Array(segment);
  const block = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const count = Math.floor(total / segment);
  const compressed = new Uint8Array(block.byteLength * count + 2);
  let crc = 0;
  for (let i = 0; i < count; i++) {
    compressed.set(block, i * block.byteLength);
    crc = crc32(zeros, crc);
  }
  compressed.set([0x03, 0x00], block.byteLength * count); // final fixed-Huffman block holding only its end code
  return { compressed, crc };
}

// ---------------------------------------------------------------- OLE2 / CFB

/** What {@link buildCfb} writes. */
export interface CfbSpec {
  version?: 3 | 4;
  /** Streams by path (`Storage/Stream`); storages on the way are created. Names may hold control characters. */
  streams: ReadonlyArray<{ path: string; data: Uint8Array | string }>;
  /** Storages to create even if empty. */
  storages?: readonly string[];
  /** At least this many FAT sectors (more than 109 needs a DIFAT chain). */
  minFatSectors?: number;
  /** Free sectors before the directory and the data, so they sit at high sector numbers. */
  leadingFreeSectors?: number;
  /** Write FAT sector i at physical sector (FAT count − 1 − i), so only the DIFAT tells where each is. */
  reverseFat?: boolean;
}

/** The file {@link buildCfb} wrote, and where things are in it (for tests that damage it). */
export interface CfbLayout {
  bytes: Uint8Array;
  sectorSize: number;
  /** Directory index of the entry at this path ('' is the root). */
  indexOf(path: string): number;
  /** File offset of directory entry `index`. */
  entryOffset(index: number): number;
  /** File offset of regular sector `sector`. */
  sectorOffset(sector: number): number;
  /** File offset of the FAT entry of `sector`. */
  fatEntryOffset(sector: number): number;
  /** Physical sectors of the FAT, in FAT order. */
  fatSectors: number[];
  difatSectors: number[];
  /** Start sector (mini sector for mini streams), size and placement of each stream. */
  streams: Map<string, { start: number; size: number; mini: boolean }>;
}

const FREESECT = 0xffffffff;
const ENDOFCHAIN = 0xfffffffe;
const FATSECT = 0xfffffffd;
const DIFSECT = 0xfffffffc;
const NOSTREAM = 0xffffffff;

interface CfbNode {
  name: string;
  type: 1 | 2 | 5;
  path: string;
  data: Uint8Array;
  children: CfbNode[];
  index: number;
  left: number;
  right: number;
  child: number;
  start: number;
}

/** MS-CFB's order of names in a storage's tree: shorter first, then by upper-cased code units. */
function compareNames(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Writes a compound file: directory tree, mini stream, FAT, DIFAT, as a real writer lays them out. */
export function buildCfb(spec: CfbSpec): CfbLayout {
  const version = spec.version ?? 3;
  const ss = version === 3 ? 512 : 4096;
  const perFat = ss / 4;
  const root: CfbNode = { name: 'Root Entry', type: 5, path: '', data: new Uint8Array(0), children: [], index: 0, left: NOSTREAM, right: NOSTREAM, child: NOSTREAM, start: ENDOFCHAIN };
  const byPath = new Map<string, CfbNode>([['', root]]);
  const ensure = (path: string, type: 1 | 2, data: Uint8Array = new Uint8Array(0)): CfbNode => {
    const existing = byPath.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf('/');
    const parent = cut < 0 ? root : ensure(path.slice(0, cut), 1);
    const node: CfbNode = { name: path.slice(cut + 1), type, path, data, children: [], index: -1, left: NOSTREAM, right: NOSTREAM, child: NOSTREAM, start: ENDOFCHAIN };
    parent.children.push(node);
    byPath.set(path, node);
    return node;
  };
  for (const storage of spec.storages ?? []) ensure(storage, 1);
  for (const stream of spec.streams) ensure(stream.path, 2, asBytes(stream.data));

  // Directory order: root, then depth first.
  const order: CfbNode[] = [];
  const visit = (node: CfbNode): void => {
    node.index = order.length;
    order.push(node);
    node.children.forEach(visit);
  };
  visit(root);
  // Each storage's children as a balanced binary search tree (all black: a valid red-black tree needs no red here).
  const balance = (nodes: CfbNode[]): number => {
    if (nodes.length === 0) return NOSTREAM;
    const mid = Math.floor(nodes.length / 2);
    nodes[mid].left = balance(nodes.slice(0, mid));
    nodes[mid].right = balance(nodes.slice(mid + 1));
    return nodes[mid].index;
  };
  for (const node of order) node.child = balance([...node.children].sort((a, b) => compareNames(a.name, b.name)));

  const streams = order.filter((n) => n.type === 2);
  const small = streams.filter((n) => n.data.byteLength > 0 && n.data.byteLength < 4096);
  const big = streams.filter((n) => n.data.byteLength >= 4096);
  const layoutStreams = new Map<string, { start: number; size: number; mini: boolean }>();

  // The mini stream and its FAT.
  const miniFat: number[] = [];
  const miniParts: Uint8Array[] = [];
  for (const node of small) {
    const count = Math.ceil(node.data.byteLength / 64);
    node.start = miniFat.length;
    for (let i = 0; i < count; i++) miniFat.push(i === count - 1 ? ENDOFCHAIN : miniFat.length + 1);
    const padded = new Uint8Array(count * 64);
    padded.set(node.data);
    miniParts.push(padded);
    layoutStreams.set(node.path, { start: node.start, size: node.data.byteLength, mini: true });
  }
  const miniStream = concat(...miniParts);

  const dirSectors = Math.ceil((order.length * 128) / ss);
  const miniFatSectors = Math.ceil((miniFat.length * 4) / ss);
  const miniStreamSectors = Math.ceil(miniStream.byteLength / ss);
  const bigSectors = big.reduce((n, node) => n + Math.ceil(node.data.byteLength / ss), 0);
  const leading = spec.leadingFreeSectors ?? 0;
  const others = leading + dirSectors + miniFatSectors + miniStreamSectors + bigSectors;
  let fatCount = Math.max(1, spec.minFatSectors ?? 1);
  let difatCount = 0;
  for (;;) {
    difatCount = fatCount > 109 ? Math.ceil((fatCount - 109) / (perFat - 1)) : 0;
    if (fatCount * perFat >= others + fatCount + difatCount) break;
    fatCount++;
  }
  const total = others + fatCount + difatCount;
  const fat = new Array<number>(fatCount * perFat).fill(FREESECT);
  const fatSectors = Array.from({ length: fatCount }, (_, i) => (spec.reverseFat ? fatCount - 1 - i : i));
  for (const s of fatSectors) fat[s] = FATSECT;
  const difatSectors = Array.from({ length: difatCount }, (_, i) => fatCount + i);
  for (const s of difatSectors) fat[s] = DIFSECT;
  let next = fatCount + difatCount + leading;
  const allocate = (count: number): number => {
    if (count === 0) return ENDOFCHAIN;
    const start = next;
    for (let i = 0; i < count; i++) fat[start + i] = i === count - 1 ? ENDOFCHAIN : start + i + 1;
    next += count;
    return start;
  };
  const dirStart = allocate(dirSectors);
  const miniFatStart = allocate(miniFatSectors);
  root.start = allocate(miniStreamSectors);
  for (const node of big) {
    node.start = allocate(Math.ceil(node.data.byteLength / ss));
    layoutStreams.set(node.path, { start: node.start, size: node.data.byteLength, mini: false });
  }

  const bytes = new Uint8Array(ss + total * ss);
  const sectorOffset = (s: number): number => (s + 1) * ss;
  // Header.
  bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  const header = new ByteWriter()
    .u16(0x3e)
    .u16(version)
    .u16(0xfffe)
    .u16(version === 3 ? 9 : 12)
    .u16(6)
    .bytes(new Uint8Array(6))
    .u32(version === 3 ? 0 : dirSectors)
    .u32(fatCount)
    .u32(dirStart)
    .u32(0)
    .u32(4096)
    .u32(miniFatSectors === 0 ? ENDOFCHAIN : miniFatStart)
    .u32(miniFatSectors)
    .u32(difatCount === 0 ? ENDOFCHAIN : difatSectors[0])
    .u32(difatCount);
  for (let i = 0; i < 109; i++) header.u32(i < fatCount ? fatSectors[i] : FREESECT);
  bytes.set(header.toBytes(), 24);
  // DIFAT sectors.
  for (let d = 0; d < difatCount; d++) {
    const at = sectorOffset(difatSectors[d]);
    for (let i = 0; i < perFat - 1; i++) {
      const k = 109 + d * (perFat - 1) + i;
      setU32(bytes, at + 4 * i, k < fatCount ? fatSectors[k] : FREESECT);
    }
    setU32(bytes, at + 4 * (perFat - 1), d + 1 < difatCount ? difatSectors[d + 1] : ENDOFCHAIN);
  }
  // FAT.
  for (let i = 0; i < fatCount; i++) {
    for (let j = 0; j < perFat; j++) setU32(bytes, sectorOffset(fatSectors[i]) + 4 * j, fat[i * perFat + j]);
  }
  // Directory.
  const entryOffset = (index: number): number => sectorOffset(dirStart + Math.floor((index * 128) / ss)) + ((index * 128) % ss);
  for (let index = 0; index < (dirSectors * ss) / 128; index++) {
    const node = order[index];
    const at = entryOffset(index);
    if (node === undefined) {
      setU32(bytes, at + 68, NOSTREAM);
      setU32(bytes, at + 72, NOSTREAM);
      setU32(bytes, at + 76, NOSTREAM);
      continue;
    }
    const units = [...node.name].slice(0, 31).join('');
    for (let i = 0; i < units.length; i++) {
      const code = units.charCodeAt(i);
      bytes[at + 2 * i] = code & 0xff;
      bytes[at + 2 * i + 1] = code >>> 8;
    }
    const size = node.type === 5 ? miniStream.byteLength : node.data.byteLength;
    const e = new ByteWriter().u16((units.length + 1) * 2).u8(node.type).u8(1).u32(node.left).u32(node.right).u32(node.child).toBytes();
    bytes.set(e, at + 64);
    setU32(bytes, at + 116, node.type === 1 ? 0 : node.start);
    setU32(bytes, at + 120, size);
  }
  // Mini FAT, mini stream, big streams.
  for (let i = 0; i < miniFatSectors * perFat; i++) {
    setU32(bytes, sectorOffset(miniFatStart) + 4 * i, i < miniFat.length ? miniFat[i] : FREESECT);
  }
  if (miniStreamSectors > 0) bytes.set(miniStream, sectorOffset(root.start));
  for (const node of big) bytes.set(node.data, sectorOffset(node.start));

  return {
    bytes,
    sectorSize: ss,
    indexOf: (path) => {
      const node = byPath.get(path);
      if (node === undefined) throw new Error(`no entry ${path}`);
      return node.index;
    },
    entryOffset,
    sectorOffset,
    fatEntryOffset: (sector) => sectorOffset(fatSectors[Math.floor(sector / perFat)]) + 4 * (sector % perFat),
    fatSectors,
    difatSectors,
    streams: layoutStreams,
  };
}

/** Awaits a promise that must reject with a ContainerError of this code (and message). */
export async function containerError(promise: Promise<unknown>, code: ContainerErrorCode, message?: RegExp): Promise<ContainerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContainerError);
  const ce = error as ContainerError;
  expect({ code: ce.code, message: ce.message }).toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });
  return ce;
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
/** Byte equality without vitest's element-by-element diffing (slow on megabytes). */
export const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
