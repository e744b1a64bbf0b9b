/**
 * An OLE2 (Compound File Binary, [MS-CFB]) reader for container signatures
 * (DOC, XLS, PPT, MSG, …), written for files from strangers: every sector
 * number is checked against the file, every chain walk is bounded and
 * loop-checked, every count and size is held to a limit, and a read walks
 * and reads only the sectors it needs.
 *
 * ## Paths, the way DROID makes them
 *
 * DROID opens OLE2 files with Apache POI and walks them in
 * `uk.gov.nationalarchives.droid.container.ole2.Ole2IdentifierEngine`
 * (droid-container/src/main/java/…/container/ole2/Ole2IdentifierEngine.java,
 * its inner class `OLE2Walker`): each entry's path is its parent's path,
 * then `entry.getName().trim()`, storages followed by `/`. Java's
 * `String.trim()` strips every character up to U+0020 from both ends, which
 * includes the control characters that prefix property-set names, so
 * `\x05SummaryInformation` becomes `SummaryInformation` and `\x01CompObj`
 * becomes `CompObj`: exactly how the container signature file names them.
 * Storages are entries too (a signature can name one), the root entry is
 * left out. DROID then compares paths with `String.equals` (and
 * `HashSet.contains`): case-sensitive, no other normalisation. So do
 * `has()` and `read()` here. (Glob and `{containerFileName}` patterns are
 * the signature matcher's business, done over `paths()`.)
 *
 * POI decodes a name as (name length ÷ 2) − 1 UTF-16 code units, not
 * stopping at a NUL; it skips directory entries of unknown type (and their
 * siblings below them in the tree) and sibling or child numbers outside the
 * directory, and rejects a storage holding two entries of the same name
 * (before trimming). This reader does the same, so a file DROID cannot
 * open is `MALFORMED` here too. Like POI it uses the mini stream for streams
 * under 4,096 bytes and 64-byte mini sectors whatever the header claims.
 */
import { checkMaxBytes, limitExceeded, malformed, readExact, resolveLimits, u16, u32, u64 } from './bytes.js';
import { ContainerError, type ContainerView, type RandomAccess } from './types.js';

/** One storage or stream reached from the root entry. */
export interface CfbEntry {
  /** The path DROID gives it: trimmed names joined by `/`, without the root entry. */
  readonly path: string;
  /** The entry's own name, untrimmed (e.g. `\u0005SummaryInformation`). */
  readonly name: string;
  readonly type: 'storage' | 'stream';
  /** Stream size in bytes (0 for storages). */
  readonly size: number;
}

/**
 * What an OLE2 reader may spend on one file. The defaults suit format
 * identification; a caller that extracts more can raise them.
 */
export interface CfbLimits {
  /**
   * Most directory entries (128 bytes each, so an 8 MiB directory at
   * 65,536). A Word or Excel file has tens, an Outlook message hundreds,
   * a large Thumbs.db thousands.
   */
  maxDirectoryEntries: number;
  /**
   * Most bytes of FAT: 64 MiB. The FAT of a 2 GiB version 3 file (the
   * largest version 3 allows) is 16 MiB; of a 64 GiB version 4 file, 64 MiB.
   * FAT sectors are read only as chain walks need them, but a hostile chain
   * could visit them all, so this bounds the memory they take.
   */
  maxFatBytes: number;
  /** Most bytes one `read()` may return: 64 MiB (signature matching asks for a few KB). */
  maxEntryBytes: number;
  /**
   * Most bytes all reads of this file together may return: 256 MiB. Streams
   * may share sectors in a hostile file, so thousands of entries can point
   * at the same large run; this keeps their sum bounded.
   */
  maxTotalBytes: number;
}

/** The limits `openCfb` applies unless told otherwise (see {@link CfbLimits}). */
export const DEFAULT_CFB_LIMITS: Readonly<CfbLimits> = Object.freeze({
  maxDirectoryEntries: 65_536,
  maxFatBytes: 64 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
});

/** An opened OLE2 compound file. */
export interface CfbContainer extends ContainerView {
  readonly type: 'OLE2';
  /** The header's major version: 3 (512-byte sectors) or 4 (4,096-byte sectors). */
  readonly majorVersion: 3 | 4;
  /** Sector size in bytes, from the header's sector shift. */
  readonly sectorSize: number;
  /** The limits in force for this file. */
  readonly limits: Readonly<CfbLimits>;
  /** Every storage and stream reached from the root, parents before children. */
  entries(): readonly CfbEntry[];
  /** The entry `has()`/`read()` use for this path (the first with it), if any. */
  entry(path: string): CfbEntry | undefined;
  /** Bytes returned so far by reads of this file (counted against `maxTotalBytes`). */
  producedBytes(): number;
  /**
   * Up to `maxBytes` bytes from the start of the stream at `path`
   * (`Infinity`: all of it, within the limits); a storage has none (empty).
   * Walks and reads only the sectors those bytes are in.
   *
   * @throws ContainerError `MALFORMED` (a chain that loops, ends early or
   *   leaves the file), `LIMIT_EXCEEDED` (more than `maxEntryBytes`, or the
   *   file's `maxTotalBytes` spent).
   * @throws RangeError when there is no entry with this path (ask `has()`
   *   first) or `maxBytes` is not a whole number ≥ 0 or Infinity.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const HEADER_LENGTH = 512;
const HEADER_DIFAT_ENTRIES = 109;
const HEADER_DIFAT_OFFSET = 76;
const DIRECTORY_ENTRY_LENGTH = 128;
const MINI_SECTOR_SIZE = 64;
const MINI_STREAM_CUTOFF = 4096;

/** Largest regular sector number; the values above it are markers. */
const MAX_REGULAR_SECTOR = 0xfffffffa;
const END_OF_CHAIN = 0xfffffffe;
const NO_STREAM = 0xffffffff;

const TYPE_STORAGE = 1;
const TYPE_STREAM = 2;
const TYPE_ROOT = 5;

/**
 * Opens an OLE2 compound file: checks its header, reads the DIFAT and the
 * directory, and walks the directory tree. Stream data is read only by
 * `read()`.
 *
 * @throws ContainerError `NOT_A_CONTAINER` without the OLE2 signature,
 *   `MALFORMED` for a truncated header, sector numbers past the end of the
 *   file, chain or directory loops, duplicate names in a storage;
 *   `UNSUPPORTED` for a major version other than 3 or 4; `LIMIT_EXCEEDED`
 *   past the directory or FAT limits.
 * @example
 * ```ts
 * const ole = await openCfb({ size: file.size, read: (p, n) => file.read(p, n) });
 * if (ole.has('WordDocument')) {
 *   const fib = await ole.read('WordDocument', 1024);
 * }
 * ```
 */
export async function openCfb(source: RandomAccess, limits?: Partial<CfbLimits>): Promise<CfbContainer> {
  const resolved = resolveLimits(DEFAULT_CFB_LIMITS, limits, 'OLE2');
  const header = await readHeader(source, resolved);
  const sectors = new Sectors(source, header.sectorSize, header.fatLocations);
  const directory = await readDirectory(sectors, header.firstDirectorySector, resolved);
  const tree = walkDirectory(directory, header.majorVersion);
  return new OpenedCfb(sectors, resolved, header, directory, tree);
}

interface Header {
  readonly majorVersion: 3 | 4;
  readonly sectorSize: number;
  readonly firstDirectorySector: number;
  readonly firstMiniFatSector: number;
  readonly fatLocations: readonly number[];
}

async function readHeader(source: RandomAccess, limits: CfbLimits): Promise<Header> {
  const available = Math.min(source.size, HEADER_LENGTH);
  const header = await readExact(source, 0, available, 'the OLE2 header');
  const compared = Math.min(available, SIGNATURE.length);
  if (compared === 0 || SIGNATURE.slice(0, compared).some((byte, i) => header[i] !== byte)) {
    throw new ContainerError('NOT_A_CONTAINER', 'not an OLE2 compound file: no D0 CF 11 E0 A1 B1 1A E1 signature');
  }
  if (available < HEADER_LENGTH) {
    throw malformed(`the OLE2 header is truncated: the file has ${source.size} of its ${HEADER_LENGTH} bytes`);
  }
  if (u16(header, 28) !== 0xfffe) {
    throw malformed(`the OLE2 byte order mark is 0x${u16(header, 28).toString(16)}, not 0xfffe`);
  }
  const majorVersion = u16(header, 26);
  if (majorVersion !== 3 && majorVersion !== 4) {
    throw new ContainerError('UNSUPPORTED', `OLE2 major version ${majorVersion}; only versions 3 and 4 exist`);
  }
  // The sector shift decides, whatever the version says, as in POI.
  const sectorShift = u16(header, 30);
  if (sectorShift !== 9 && sectorShift !== 12) {
    throw malformed(`the OLE2 sector shift is ${sectorShift}; it must be 9 (512-byte sectors) or 12 (4,096-byte sectors)`);
  }
  const sectorSize = 1 << sectorShift;
  if (source.size < sectorSize) {
    throw malformed(`the OLE2 header sector is truncated: the file has ${source.size} of its ${sectorSize} bytes`);
  }
  const sectorCount = Math.ceil((source.size - sectorSize) / sectorSize);
  const fatCount = u32(header, 44);
  if (fatCount * sectorSize > limits.maxFatBytes) {
    throw limitExceeded(`the OLE2 FAT has ${fatCount} sectors (${fatCount * sectorSize} bytes); the limit is ${limits.maxFatBytes} bytes`);
  }
  if (fatCount > sectorCount) {
    throw malformed(`the header declares ${fatCount} FAT sectors but the file has only ${sectorCount} sectors`);
  }

  // The DIFAT: where the FAT sectors are. The first 109 are in the header,
  // the rest in a chain of DIFAT sectors, each ending with the next one's number.
  const fatLocations: number[] = [];
  for (let i = 0; i < Math.min(fatCount, HEADER_DIFAT_ENTRIES); i++) {
    fatLocations.push(u32(header, HEADER_DIFAT_OFFSET + 4 * i));
  }
  const perDifatSector = sectorSize / 4 - 1;
  const seen = new Set<number>();
  for (let next = u32(header, 68); fatLocations.length < fatCount; ) {
    if (next === END_OF_CHAIN || next === NO_STREAM) {
      throw malformed(`the DIFAT lists ${fatLocations.length} of the ${fatCount} FAT sectors the header declares`);
    }
    checkSector(next, sectorCount, 'the DIFAT chain', seen);
    const sector = await readExact(source, (next + 1) * sectorSize, sectorSize, `DIFAT sector ${next}`);
    for (let i = 0; i < perDifatSector && fatLocations.length < fatCount; i++) fatLocations.push(u32(sector, 4 * i));
    next = u32(sector, 4 * perDifatSector);
  }
  fatLocations.forEach((location, i) => {
    if (location >= sectorCount) {
      throw malformed(`FAT sector ${i} is at sector ${location}, past the end of the file (${sectorCount} sectors)`);
    }
  });
  return {
    majorVersion,
    sectorSize,
    firstDirectorySector: u32(header, 48),
    firstMiniFatSector: u32(header, 60),
    fatLocations,
  };
}

/**
 * Throws unless `sector` is a regular sector inside the file and new to the
 * chain being walked (`seen`, which it then joins).
 */
function checkSector(sector: number, sectorCount: number, what: string, seen: Set<number>): void {
  if (sector > MAX_REGULAR_SECTOR) {
    throw malformed(`${what} reaches the reserved sector number 0x${sector.toString(16)}`);
  }
  if (sector >= sectorCount) {
    throw malformed(`${what} points at sector ${sector}, past the end of the file (${sectorCount} sectors)`);
  }
  if (seen.has(sector)) throw malformed(`${what} loops: it reaches sector ${sector} twice`);
  seen.add(sector);
}

/** The file as sectors, and the FAT that chains them (read a FAT sector at a time, when needed). */
class Sectors {
  readonly count: number;
  readonly #fatCache = new Map<number, Uint8Array>();

  constructor(
    readonly source: RandomAccess,
    readonly size: number,
    private readonly fatLocations: readonly number[],
  ) {
    this.count = Math.ceil((source.size - size) / size);
  }

  /** Where sector `sector` starts in the file (sector 0 follows the header sector). */
  offset(sector: number): number {
    return (sector + 1) * this.size;
  }

  /** A whole sector, zero-filled past the end of the file (POI reads a short last sector too). */
  async read(sector: number, what: string): Promise<Uint8Array> {
    const start = this.offset(sector);
    const available = Math.min(this.size, this.source.size - start);
    const bytes = await readExact(this.source, start, available, what);
    if (available === this.size) return bytes;
    const padded = new Uint8Array(this.size);
    padded.set(bytes);
    return padded;
  }

  /** The FAT entry of `sector`: the next sector of its chain, or a marker. */
  async next(sector: number): Promise<number> {
    return this.cachedNext(sector) ?? (await this.#loadFat(sector));
  }

  /** The FAT entry of `sector` if its FAT sector is already loaded (chain walks stay synchronous). */
  cachedNext(sector: number): number | undefined {
    const perSector = this.size / 4;
    const table = this.#fatCache.get(Math.floor(sector / perSector));
    return table === undefined ? undefined : u32(table, (sector % perSector) * 4);
  }

  async #loadFat(sector: number): Promise<number> {
    const index = Math.floor(sector / (this.size / 4));
    if (index >= this.fatLocations.length) {
      throw malformed(`sector ${sector} is beyond what the FAT describes (${this.fatLocations.length} FAT sectors)`);
    }
    this.#fatCache.set(index, await this.read(this.fatLocations[index], `FAT sector ${index}`));
    return this.cachedNext(sector) as number;
  }
}

/**
 * A sector chain walked lazily from its start, remembering what it walked.
 * Never walks more than `maxLength` sectors (what the stream's size needs),
 * and fails on loops, markers and sectors past the end of the file. The mini
 * stream's chain is shared by all reads, so walks are queued one after the
 * other: two reads advancing it at once would see the same sector twice.
 */
class Chain {
  readonly #walked: number[] = [];
  readonly #seen = new Set<number>();
  #next: number;
  #queue: Promise<unknown> = Promise.resolve();
  /** Once a walk has failed, the chain stays failed (its state stopped mid-step). */
  #failure: unknown;

  constructor(
    private readonly sectors: Sectors,
    start: number,
    private readonly maxLength: number,
    private readonly what: string,
  ) {
    this.#next = start;
  }

  /** The `k`th sector of the chain (from 0). */
  at(k: number): Promise<number> {
    if (k < this.#walked.length) return Promise.resolve(this.#walked[k]);
    const walk = this.#queue.then(() => this.#walkTo(k));
    this.#queue = walk.catch(() => undefined);
    return walk;
  }

  async #walkTo(k: number): Promise<number> {
    if (k >= this.maxLength) {
      throw malformed(`${this.what} would need more than the ${this.maxLength} sectors its size allows`);
    }
    if (this.#failure !== undefined) throw this.#failure;
    try {
      while (this.#walked.length <= k) {
        const sector = this.#next;
        if (sector === END_OF_CHAIN) {
          throw malformed(`${this.what} ends after ${this.#walked.length} sectors; its size needs at least ${k + 1}`);
        }
        checkSector(sector, this.sectors.count, this.what, this.#seen);
        this.#walked.push(sector);
        // Stop at the stream's size: a longer chain is never followed further.
        if (this.#walked.length < this.maxLength) {
          this.#next = this.sectors.cachedNext(sector) ?? (await this.sectors.next(sector));
        }
      }
      return this.#walked[k];
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }
}

interface Directory {
  readonly bytes: Uint8Array;
  readonly count: number;
}

async function readDirectory(sectors: Sectors, first: number, limits: CfbLimits): Promise<Directory> {
  const maxSectors = Math.ceil((limits.maxDirectoryEntries * DIRECTORY_ENTRY_LENGTH) / sectors.size);
  const chain: number[] = [];
  const seen = new Set<number>();
  for (let sector = first; sector !== END_OF_CHAIN; ) {
    checkSector(sector, sectors.count, 'the directory chain', seen);
    if (chain.length >= maxSectors) {
      throw limitExceeded(`the OLE2 directory has more than ${limits.maxDirectoryEntries} entries (the limit)`);
    }
    chain.push(sector);
    sector = await sectors.next(sector);
  }
  if (chain.length === 0) throw malformed('the OLE2 directory is empty: no root entry');
  const bytes = await readSectors(sectors, chain, chain.length * sectors.size, 'the directory', true);
  return { bytes, count: bytes.byteLength / DIRECTORY_ENTRY_LENGTH };
}

/**
 * Reads `total` bytes from the given sectors in order, one read per run of
 * consecutive sectors (fragmented files cost more reads, never more bytes).
 * With `zeroFillPastEnd`, a last sector cut short by the end of the file
 * reads as zeros (POI reads such directory sectors too); otherwise bytes
 * missing from the file are `MALFORMED`.
 */
async function readSectors(
  sectors: Sectors,
  list: readonly number[],
  total: number,
  what: string,
  zeroFillPastEnd = false,
): Promise<Uint8Array> {
  const out = new Uint8Array(total);
  for (let i = 0; i < list.length; ) {
    let run = 1;
    while (i + run < list.length && list[i + run] === list[i] + run) run++;
    const start = i * sectors.size;
    const position = sectors.offset(list[i]);
    let length = Math.min(run * sectors.size, total - start);
    if (zeroFillPastEnd) length = Math.min(length, sectors.source.size - position);
    out.set(await readExact(sectors.source, position, length, what), start);
    i += run;
  }
  return out;
}

interface Node {
  readonly index: number;
  readonly entry: CfbEntry;
  readonly start: number;
}

interface Tree {
  readonly nodes: readonly Node[];
  readonly root: { readonly start: number; readonly size: number };
}

function entryType(directory: Directory, index: number): number {
  return directory.bytes[index * DIRECTORY_ENTRY_LENGTH + 66];
}

/** The name as POI reads it: (length field ÷ 2) − 1 UTF-16 code units, at most the 32 the field holds. */
function entryName(directory: Directory, index: number): string {
  const at = index * DIRECTORY_ENTRY_LENGTH;
  const units = Math.min(32, Math.floor(u16(directory.bytes, at + 64) / 2) - 1);
  let name = '';
  for (let i = 0; i < units; i++) name += String.fromCharCode(u16(directory.bytes, at + 2 * i));
  return name;
}

/** Java's `String.trim()`: strips every character ≤ U+0020 from both ends (DROID applies it to each name). */
function javaTrim(name: string): string {
  let start = 0;
  let end = name.length;
  while (start < end && name.charCodeAt(start) <= 0x20) start++;
  while (end > start && name.charCodeAt(end - 1) <= 0x20) end--;
  return name.slice(start, end);
}

/**
 * Walks the directory from the root entry: each storage's children form a
 * red-black tree through their left and right sibling numbers, visited here
 * in order. An entry reached twice anywhere is a cycle.
 */
function walkDirectory(directory: Directory, majorVersion: 3 | 4): Tree {
  const { bytes, count } = directory;
  if (entryType(directory, 0) !== TYPE_ROOT) {
    throw malformed(`the first OLE2 directory entry is not the root entry (type ${entryType(directory, 0)})`);
  }
  const field = (index: number, offset: number): number => u32(bytes, index * DIRECTORY_ENTRY_LENGTH + offset);
  // Version 3 files may leave garbage in the high half of the size (MS-CFB 2.6.3): read only the low half.
  const size = (index: number): number =>
    majorVersion === 3 ? field(index, 120) : u64(bytes, index * DIRECTORY_ENTRY_LENGTH + 120);
  /** A sibling or child number POI would follow: in the directory, of a known type. */
  const followed = (index: number): boolean => {
    if (index === NO_STREAM || index >= count) return false;
    const type = entryType(directory, index);
    return type === TYPE_STORAGE || type === TYPE_STREAM || type === TYPE_ROOT;
  };

  const visited = new Uint8Array(count);
  visited[0] = 1;
  const nodes: Node[] = [];
  // Depth first, parents before children: a stack of storages still to list.
  const pending: Array<{ index: number; prefix: string }> = [{ index: 0, prefix: '' }];
  while (pending.length > 0) {
    const storage = pending.pop() as { index: number; prefix: string };
    const children: number[] = [];
    const names = new Set<string>();
    // In-order walk of the sibling tree, iteratively (a hostile tree may be 65,536 deep).
    const stack: number[] = [];
    let current = field(storage.index, 76);
    while (followed(current) || stack.length > 0) {
      while (followed(current)) {
        if (visited[current] === 1) {
          throw malformed(`OLE2 directory entry ${current} is reached twice: the directory tree has a cycle`);
        }
        visited[current] = 1;
        stack.push(current);
        current = field(current, 68);
      }
      const index = stack.pop() as number;
      children.push(index);
      current = field(index, 72);
    }
    const found: Array<{ index: number; prefix: string }> = [];
    for (const index of children) {
      const name = entryName(directory, index);
      if (names.has(name)) {
        throw malformed(`an OLE2 storage holds two entries named ${JSON.stringify(name)} (POI, and so DROID, refuses such files)`);
      }
      names.add(name);
      const stream = entryType(directory, index) === TYPE_STREAM;
      const path = storage.prefix + javaTrim(name);
      nodes.push({
        index,
        start: field(index, 116),
        entry: Object.freeze({ path, name, type: stream ? 'stream' : 'storage', size: stream ? size(index) : 0 }),
      });
      if (!stream) found.push({ index, prefix: `${path}/` });
    }
    // Reversed so that the first storage is listed first.
    for (let i = found.length - 1; i >= 0; i--) pending.push(found[i]);
  }
  return { nodes, root: { start: field(0, 116), size: size(0) } };
}

class OpenedCfb implements CfbContainer {
  readonly type = 'OLE2' as const;
  readonly majorVersion: 3 | 4;
  readonly sectorSize: number;
  readonly #sectors: Sectors;
  readonly #entries: readonly CfbEntry[];
  readonly #byPath = new Map<string, Node>();
  readonly #miniFat: Chain;
  readonly #miniFatCache = new Map<number, Uint8Array>();
  readonly #miniStream: Chain;
  /** Mini sectors the mini stream can hold, bounded as explained in the constructor. */
  readonly #miniSectorCount: number;
  #produced = 0;

  constructor(
    sectors: Sectors,
    readonly limits: Readonly<CfbLimits>,
    header: Header,
    directory: Directory,
    tree: Tree,
  ) {
    this.majorVersion = header.majorVersion;
    this.sectorSize = header.sectorSize;
    this.#sectors = sectors;
    this.#entries = Object.freeze(tree.nodes.map((node) => node.entry));
    // The first entry with a path wins (paths can repeat once names are trimmed).
    for (const node of tree.nodes) if (!this.#byPath.has(node.entry.path)) this.#byPath.set(node.entry.path, node);
    // The mini stream only holds streams under 4,096 bytes, one per directory
    // entry at most, so it needs no more than count × 4,096 bytes: a root
    // entry claiming more cannot make chain walks longer than that.
    const miniStreamSize = Math.min(tree.root.size, directory.count * MINI_STREAM_CUTOFF);
    // Rounded up: a writer that ends the mini stream where its last data ends leaves a partial mini sector.
    this.#miniSectorCount = Math.ceil(miniStreamSize / MINI_SECTOR_SIZE);
    this.#miniStream = new Chain(sectors, tree.root.start, Math.ceil(miniStreamSize / this.sectorSize), 'the mini stream');
    // As long as the mini stream needs: this also bounds a chain whose header
    // count of mini FAT sectors is wrong or hostile.
    this.#miniFat = new Chain(
      sectors,
      header.firstMiniFatSector,
      Math.ceil((this.#miniSectorCount * 4) / this.sectorSize),
      'the mini FAT chain',
    );
  }

  paths(): readonly string[] {
    return [...this.#byPath.keys()];
  }

  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  entries(): readonly CfbEntry[] {
    return this.#entries;
  }

  entry(path: string): CfbEntry | undefined {
    return this.#byPath.get(path)?.entry;
  }

  producedBytes(): number {
    return this.#produced;
  }

  async read(path: string, maxBytes: number): Promise<Uint8Array> {
    const limit = checkMaxBytes(maxBytes);
    const node = this.#byPath.get(path);
    if (node === undefined) throw new RangeError(`this OLE2 file has no entry ${JSON.stringify(path)}; ask has() first`);
    const what = `OLE2 stream ${JSON.stringify(path)}`;
    const want = Math.min(limit, node.entry.size);
    if (want === 0) return new Uint8Array(0);
    if (want > this.limits.maxEntryBytes) {
      throw limitExceeded(`reading ${want} bytes of ${what} is more than the per-entry limit of ${this.limits.maxEntryBytes}`);
    }
    if (this.#produced + want > this.limits.maxTotalBytes) {
      throw limitExceeded(`reading ${what} takes the bytes read from this file past ${this.limits.maxTotalBytes} (the per-file limit)`);
    }
    this.#produced += want;
    return node.entry.size < MINI_STREAM_CUTOFF
      ? this.#readMini(node.start, node.entry.size, want, what)
      : this.#readRegular(node.start, node.entry.size, want, what);
  }

  async #readRegular(start: number, size: number, want: number, what: string): Promise<Uint8Array> {
    const chain = new Chain(this.#sectors, start, Math.ceil(size / this.sectorSize), `the sector chain of ${what}`);
    const list: number[] = [];
    for (let k = 0; k < Math.ceil(want / this.sectorSize); k++) list.push(await chain.at(k));
    return readSectors(this.#sectors, list, want, `the data of ${what}`);
  }

  async #readMini(start: number, size: number, want: number, what: string): Promise<Uint8Array> {
    const seen = new Set<number>();
    const chainWhat = `the mini sector chain of ${what}`;
    /** File ranges to read, merged where mini sectors are adjacent in the file. */
    const runs: Array<{ position: number; length: number }> = [];
    let mini = start;
    for (let k = 0; k * MINI_SECTOR_SIZE < want; k++) {
      if (k > 0) mini = await this.#miniNext(mini);
      if (mini === END_OF_CHAIN) {
        throw malformed(`${chainWhat} ends after ${k} mini sectors; ${size} bytes need ${Math.ceil(size / MINI_SECTOR_SIZE)}`);
      }
      if (mini > MAX_REGULAR_SECTOR) throw malformed(`${chainWhat} reaches the reserved number 0x${mini.toString(16)}`);
      if (mini >= this.#miniSectorCount) {
        throw malformed(`${chainWhat} points at mini sector ${mini}, past the end of the mini stream (${this.#miniSectorCount} mini sectors)`);
      }
      if (seen.has(mini)) throw malformed(`${chainWhat} loops: it reaches mini sector ${mini} twice`);
      seen.add(mini);
      // Mini sector → its place in the mini stream → the regular sector holding it.
      const inStream = mini * MINI_SECTOR_SIZE;
      const sector = await this.#miniStream.at(Math.floor(inStream / this.sectorSize));
      const position = this.#sectors.offset(sector) + (inStream % this.sectorSize);
      const length = Math.min(MINI_SECTOR_SIZE, want - k * MINI_SECTOR_SIZE);
      const last = runs[runs.length - 1];
      if (last !== undefined && last.position + last.length === position) last.length += length;
      else runs.push({ position, length });
    }
    const out = new Uint8Array(want);
    let at = 0;
    for (const { position, length } of runs) {
      out.set(await readExact(this.#sectors.source, position, length, `the data of ${what}`), at);
      at += length;
    }
    return out;
  }

  /** The mini FAT entry of mini sector `mini`. */
  async #miniNext(mini: number): Promise<number> {
    const perSector = this.sectorSize / 4;
    const index = Math.floor(mini / perSector);
    let table = this.#miniFatCache.get(index);
    if (table === undefined) {
      table = await this.#sectors.read(await this.#miniFat.at(index), 'a mini FAT sector');
      this.#miniFatCache.set(index, table);
    }
    return u32(table, (mini % perSector) * 4);
  }
}
