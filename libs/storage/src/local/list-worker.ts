/**
 * Entry point of the listing worker of `LocalFileSource`: walks the roots of
 * one `list()` with synchronous file-system calls and posts what it finds to
 * the main thread in batches (see list-protocol.ts).
 *
 * Why a worker and synchronous calls: on the main thread an asynchronous
 * `stat` per file (a round trip through libuv's thread pool, a callback, the
 * garbage it leaves) cost ~110–150 ms of main-thread time for 10,000 files,
 * which the hashing it feeds was waiting on; the same walk with
 * `readdirSync`/`statSync` costs ~26 ms. But a synchronous call that hangs
 * (a dead network mount) would freeze the whole process, Ctrl-C included.
 * Here it freezes only this thread, which the main thread can leave behind.
 * (docs/decisions/0005-listing-in-a-worker.md has the measurements.)
 *
 * It loads as little as it can (no `@tdr/checks` until a problem needs its
 * error mapping: that import alone costs ~20 ms of start-up).
 */
import { readdirSync, readlinkSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckErrorInfo } from '@tdr/checks';
import { decodeName, displayName, escapedName } from './file-names.js';
import { MAX_OUTSTANDING, OUTSTANDING, type FromWorker, type ListJob, type RootJob, type WireItem } from './list-protocol.js';
import { childId, childPath, childRel } from './listing-paths.js';

/**
 * Entries per batch, at most. Each message has a fixed cost on both sides
 * (and wakes the main thread), so entries travel a few hundred at a time…
 */
const BATCH_SIZE = 256;
/**
 * …but never wait longer than this (ms) after the first one: on a slow file
 * system the consumer gets files as they are found, not 256 at a time.
 */
const BATCH_MS = 5;

/** A byte above 0x7f in a name read as Latin-1; without one, the name is ASCII: valid UTF-8, and the same string either way. */
const NON_ASCII = /[\u0080-\u00ff]/;

const port = parentPort;
if (!port) throw new Error('list-worker.js must run in a worker thread');
const job = workerData as ListJob;
const control = new Int32Array(job.control);

type Checks = typeof import('@tdr/checks');
let checks: Promise<Checks> | undefined;
/** `@tdr/checks`, loaded on the first problem. */
function loadChecks(): Promise<Checks> {
  return (checks ??= import('@tdr/checks'));
}

/** Collects entries and posts them in batches, waiting while the consumer is `MAX_OUTSTANDING` batches behind. */
class Outbox {
  #items: WireItem[] = [];
  /** Files in a row, not yet in `#items`: they go as one string. */
  #run: string[] = [];
  #facts = new Float64Array(2 * BATCH_SIZE);
  /** Files in this batch. */
  #files = 0;
  /** Entries in this batch. */
  #count = 0;
  #since = 0;

  root(index: number): void {
    this.#endRun();
    this.#items.push(index);
    this.#added();
  }

  file(rel: string, stats: Stats | BigIntStats): void {
    const at = 2 * this.#files++;
    this.#facts[at] = Number(stats.size);
    this.#facts[at + 1] = Number(stats.mtimeMs);
    this.#run.push(rel);
    this.#added();
  }

  problem(id: string, path: string, error: CheckErrorInfo): void {
    this.#endRun();
    this.#items.push({ problem: { id, path, error } });
    this.#added();
  }

  #endRun(): void {
    if (this.#run.length === 0) return;
    // NUL cannot occur in a name. One string costs far less to pass between threads than one per file.
    this.#items.push(this.#run.join('\0'));
    this.#run = [];
  }

  #added(): void {
    // Date.now(), not performance.now(): cheaper, and milliseconds are enough here.
    if (this.#count++ === 0) this.#since = Date.now();
    if (this.#count >= BATCH_SIZE || Date.now() - this.#since >= BATCH_MS) this.flush();
  }

  flush(): void {
    if (this.#count === 0) return;
    this.#endRun();
    for (;;) {
      const outstanding = Atomics.load(control, OUTSTANDING);
      if (outstanding < MAX_OUTSTANDING) break;
      // Woken when the consumer takes a batch. `terminate()` interrupts this wait.
      Atomics.wait(control, OUTSTANDING, outstanding);
    }
    Atomics.add(control, OUTSTANDING, 1);
    const facts = this.#facts;
    port?.postMessage({ type: 'batch', items: this.#items, facts } satisfies FromWorker, [facts.buffer]);
    this.#items = [];
    this.#facts = new Float64Array(2 * BATCH_SIZE);
    this.#files = 0;
    this.#count = 0;
  }
}

/** A folder on the current path of the walk. */
interface Frame {
  readonly absolute: string;
  /** Relative to the root folder, `''` for the root itself. */
  readonly rel: string;
  readonly id: string;
  /** `dev:ino`, exact. */
  readonly key: string;
  /** Sorted; an entry is cleared once it is listed. */
  readonly entries: (string | undefined)[];
  /** Index of the next entry to list. */
  next: number;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly value?: undefined; readonly error: unknown };

/**
 * Walks one root, depth first, each folder in code point order. Synchronous
 * but for the making of problems (`await` only there, so the common path
 * runs as plain synchronous code).
 */
async function walkRoot(index: number, root: RootJob, out: Outbox): Promise<void> {
  const { given, absolute, id } = root;
  const skip = new Set(root.skip);
  out.root(index);
  // bigint: a folder's (dev, ino) must be exact to recognise a loop (some file systems use 64-bit inode numbers).
  const found = attempt(() => statSync(absolute, { bigint: true }));
  if (!found.ok) {
    out.problem(id, given, await statProblem(found.error, absolute, given, true));
    return;
  }
  const rootStats = found.value;
  if (rootStats.isFile()) {
    out.file('', rootStats);
    return;
  }
  if (!rootStats.isDirectory()) {
    out.problem(id, given, await notRegularError(given, rootStats));
    return;
  }
  const first = readFolder(absolute, '', id, keyOf(rootStats));
  if (!first.ok) {
    out.problem(id, given, await folderError(first.error, given));
    return;
  }
  /** The folders on the current path, by exact `dev:ino`, with their relative paths: how a loop is recognised. */
  const onPath = new Map<string, string>([[first.value.key, '']]);
  const stack: Frame[] = [first.value];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.entries.length) {
      stack.pop();
      onPath.delete(frame.key);
      continue;
    }
    const raw = frame.entries[frame.next];
    frame.entries[frame.next] = undefined; // a listed entry is not needed again
    frame.next++;
    if (raw === undefined) continue;

    // Names come as Latin-1 strings, one character per byte (see `readFolder`):
    // an ASCII name is already itself, any other is decoded from its bytes.
    let name = raw;
    if (NON_ASCII.test(raw)) {
      const bytes = Buffer.from(raw, 'latin1');
      const decoded = decodeName(bytes);
      if (decoded === undefined) {
        const path = childRel(frame.rel, displayName(bytes));
        out.problem(childId(frame.id, escapedName(bytes)), path, await invalidNameError(path));
        continue;
      }
      name = decoded;
    }
    const absolutePath = childPath(frame.absolute, name);
    if (skip.size > 0 && skip.has(absolutePath)) continue;
    const rel = childRel(frame.rel, name);

    // A plain `stat` for every entry, as most are files and need only their
    // size and mtime; a second, bigint one for a folder, which needs its
    // exact (dev, ino). (`readdir`'s file types would save that second call
    // for a folder but cost more than it on every entry: ~0.5 µs each.)
    let stats: Stats | BigIntStats;
    try {
      stats = statSync(absolutePath);
      if (stats.isDirectory()) stats = statSync(absolutePath, { bigint: true });
    } catch (error) {
      out.problem(childId(frame.id, name), rel, await statProblem(error, absolutePath, rel, false));
      continue;
    }
    if (stats.isFile()) {
      out.file(rel, stats);
      continue;
    }
    const entryId = childId(frame.id, name);
    if (!stats.isDirectory()) {
      out.problem(entryId, rel, await notRegularError(rel, stats));
      continue;
    }
    const key = keyOf(stats as BigIntStats);
    const ancestor = onPath.get(key);
    if (ancestor !== undefined) {
      out.problem(entryId, rel, await loopError(rel, readlinkOf(absolutePath), ancestor === '' ? given : ancestor));
      continue;
    }
    const listing = readFolder(absolutePath, rel, entryId, key);
    if (!listing.ok) {
      out.problem(entryId, rel, await folderError(listing.error, rel));
      continue;
    }
    stack.push(listing.value);
    onPath.set(key, rel);
  }
}

/** A folder's entries, sorted. */
function readFolder(absolute: string, rel: string, id: string, key: string): Outcome<Frame> {
  // The OS gives names as bytes. Read as Latin-1, each byte becomes one
  // character, losslessly (a name that is not UTF-8 keeps its bytes), and
  // strings cost far less than a Buffer per name. Comparing them by UTF-16
  // code units (the default sort) then compares the bytes, and comparing
  // the bytes of UTF-8 names is comparing their code points — unlike
  // comparing decoded names, which puts U+1F600 before U+FF61. Names that
  // are not UTF-8 still get a fixed place.
  const read = attempt(() => readdirSync(absolute, { encoding: 'latin1' }));
  if (!read.ok) return read;
  const entries: (string | undefined)[] = read.value.sort();
  return { ok: true, value: { absolute, rel, id, key, entries, next: 0 } };
}

/** The target of a symbolic link, or `undefined` when `path` is not one (or is gone). */
function readlinkOf(path: string): string | undefined {
  return attempt(() => readlinkSync(path)).value;
}

function attempt<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `dev:ino` of a folder, exact. */
function keyOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

/** Why `stat` failed, in words about this entry: a broken link, a link loop, a vanished file, … */
async function statProblem(error: unknown, absolute: string, shown: string, isRoot: boolean): Promise<CheckErrorInfo> {
  const { CheckError, ErrorCode, checkErrorFromFsError } = await loadChecks();
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR': {
      const target = readlinkOf(absolute);
      if (target !== undefined) {
        return new CheckError(
          ErrorCode.FileNotFound,
          `${shown} is a broken symbolic link: its target ${target} does not exist`,
        ).toJSON();
      }
      if (isRoot) return new CheckError(ErrorCode.FileNotFound, `no such file or directory: ${shown}`).toJSON();
      return checkErrorFromFsError(error, shown).toJSON(); // listed by readdir, gone by stat
    }
    case 'ELOOP': {
      const target = readlinkOf(absolute);
      const pointsTo = target === undefined ? '' : ` (it points to ${target})`;
      return new CheckError(
        ErrorCode.SymlinkLoop,
        `${shown} is a symbolic link that loops back on itself${pointsTo}; it cannot be followed`,
      ).toJSON();
    }
    default:
      return checkErrorFromFsError(error, shown).toJSON();
  }
}

async function folderError(error: unknown, shown: string): Promise<CheckErrorInfo> {
  const { checkErrorFromFsError } = await loadChecks();
  return checkErrorFromFsError(error, `folder ${shown}`).toJSON();
}

async function notRegularError(shown: string, stats: Stats | BigIntStats): Promise<CheckErrorInfo> {
  const { CheckError, ErrorCode, kindOf } = await loadChecks();
  return new CheckError(ErrorCode.NotARegularFile, `${shown} is ${kindOf(stats)}; only regular files are checked`).toJSON();
}

async function invalidNameError(shown: string): Promise<CheckErrorInfo> {
  const { CheckError, ErrorCode } = await loadChecks();
  return new CheckError(
    ErrorCode.InvalidFileName,
    `${shown} has a name that is not valid UTF-8 (the bytes that are not are shown as \uFFFD); ` +
      'rename it to a UTF-8 name and check it again: a file whose name is not text cannot be referenced by a path',
  ).toJSON();
}

async function loopError(shown: string, target: string | undefined, ancestor: string): Promise<CheckErrorInfo> {
  const { CheckError, ErrorCode } = await loadChecks();
  const what =
    target === undefined
      ? `${shown} is the same folder as ${ancestor}, which contains it (a bind mount?)`
      : `${shown} is a symbolic link to ${target}, that is to ${ancestor}, a folder that contains it`;
  return new CheckError(ErrorCode.SymlinkLoop, `${what}; it is not followed, as the walk would never end`).toJSON();
}

const out = new Outbox();
try {
  for (const [index, root] of job.roots.entries()) await walkRoot(index, root, out);
  out.flush();
  port.postMessage({ type: 'end' } satisfies FromWorker);
} catch (error) {
  // A bug, not a file-system problem (those become problems above): say so rather than die silently.
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  port.postMessage({ type: 'failed', message } satisfies FromWorker);
}
