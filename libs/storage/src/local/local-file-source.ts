import { readdir, readlink, stat, type BigIntStats, type Stats } from 'node:fs';
import { posix, resolve } from 'node:path';
import {
  CheckError,
  ErrorCode,
  checkErrorFromFsError,
  kindOf,
  type ExpectedFacts,
  type ListingProblem,
  type SourceItem,
} from '@tdr/checks';
import type { FileSource } from '../file-source.js';
import { decodeName, displayName, escapedName } from './file-names.js';
import { LocalFileRef } from './local-file-ref.js';


/** Options of a `LocalFileSource`. */
export interface LocalFileSourceOptions {
  /** Facts the uploader declared, by absolute path (used for expected checksums). */
  expected?: (absolutePath: string) => ExpectedFacts | undefined;
}

/**
 * Entries of one folder whose `stat` may be in flight at once, ahead of the
 * walk. The thread pool has 4 threads, so more does not add parallelism, but
 * a deep queue keeps them busy and lets one turn of the event loop collect
 * several results (10,000 files: 8 in flight ~65 ms, 32 ~30 ms, 128 ~25 ms,
 * stats alone). Bounded, so a folder of a million entries does not start a
 * million `stat`s.
 */
const STAT_WINDOW = 64;

/**
 * Subfolders of the folder being walked whose listing is read (and whose
 * first entries are stat'ed) before the walk reaches them. Without it every
 * folder costs three round trips through the thread pool in a row (`stat`,
 * `readdir`, first `stat`): 1,000 folders of 10 files took ~225 ms against
 * ~55 ms for 100 folders of 100; with 4 ahead ~150 ms, with 16 ~60 ms. Only
 * for the folder being walked, never recursively, so at most this many
 * listings (and `STAT_WINDOW` stats each) are held per level of the path.
 */
const FOLDERS_AHEAD = 16;

/**
 * Lists local files and folders as `FileRef`s, the way `find -L <paths…>
 * -type f` would, but in a fixed order and reporting, rather than skipping,
 * every entry that cannot be checked.
 *
 * - Each path is a file (yielded as itself, `path` exactly as given) or a
 *   folder (walked depth first; `path` relative to it, `/`-separated).
 *   `id` is the path as given joined with the relative path.
 * - Entries of a folder come in Unicode code point order of their names,
 *   files and folders interleaved, so a listing is the same on every machine
 *   whatever the locale or file system.
 * - Symbolic links are followed; one leading back to a folder being walked
 *   is reported as `SYMLINK_LOOP`, a broken one as `FILE_NOT_FOUND`.
 * - What cannot be listed becomes a `{ problem }` item and the walk goes on:
 *   a missing path, an unreadable folder, a FIFO, socket or device, a name
 *   that is not valid UTF-8 (`INVALID_FILE_NAME`).
 * - A path given twice, or inside a folder given earlier, is listed once,
 *   so ids stay unique.
 *
 * The walk is lazy: it lists as the consumer pulls, holding only the names
 * of the folders on the current path (and of a few subfolders read ahead).
 *
 * @example
 * ```ts
 * const source = new LocalFileSource(['./transfer', 'extra/notes.txt'], {
 *   expected: (absolutePath) => manifest.get(absolutePath),
 * });
 * for await (const item of source.list(signal)) {
 *   if ('problem' in item) console.error(`${item.problem.path}: ${item.problem.error.message}`);
 *   else console.log(item.file.path, item.file.size); // "sub/a.pdf 1234", …, "extra/notes.txt 56"
 * }
 * ```
 */
export class LocalFileSource implements FileSource {
  readonly #paths: readonly string[];
  readonly #expected: LocalFileSourceOptions['expected'];

  /**
   * @param paths Files and folders as the user typed them: relative to
   *   `process.cwd()` or absolute. Listed in this order.
   */
  constructor(paths: readonly string[], options: LocalFileSourceOptions = {}) {
    if (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string')) {
      throw new TypeError('paths must be an array of strings');
    }
    this.#paths = [...paths];
    this.#expected = options.expected;
  }

  /**
   * Yields every file under the paths, and a problem for every entry that
   * cannot be listed. Throws `signal.reason` once `signal` is aborted, even
   * while waiting on the file system.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<SourceItem, void, undefined> {
    const gate = new AbortGate(signal);
    try {
      const listed: string[] = [];
      for (const given of this.#paths) {
        gate.check();
        // Lexical, like every later path of the walk: `localPath` is the path as the user would name it.
        const absolute = resolve(given);
        if (listed.some((earlier) => isSameOrInside(absolute, earlier))) continue;
        // Paths given earlier that lie inside this one were listed already: skipped, so ids stay unique.
        const skip = new Set(listed.filter((earlier) => isSameOrInside(earlier, absolute)));
        listed.push(absolute);

        const walk = new Walk(given, skip, gate);
        const start = await this.#startRoot(walk, absolute);
        if (!('entries' in start)) {
          yield start;
          continue;
        }
        // Depth first. Inline rather than a nested generator, which every item would pay for.
        const stack: Frame[] = [start];
        walk.enter(start);
        while (stack.length > 0) {
          gate.check();
          const frame = stack[stack.length - 1];
          if (frame.next === frame.entries.length) {
            stack.pop();
            walk.leave(frame, stack[stack.length - 1]);
            continue;
          }
          const entry = frame.entries[frame.next];
          frame.entries[frame.next] = undefined; // a listed entry is not needed again
          frame.next++;
          walk.issueStats(frame);
          if (!entry) continue;

          if (entry.name === undefined) {
            const path = childRel(frame.rel, displayName(entry.raw));
            yield problem(childId(frame.id, escapedName(entry.raw)), path, invalidNameError(path));
            continue;
          }
          const absolutePath = childPath(frame.absolute, entry.name);
          if (skip.has(absolutePath)) continue;
          const rel = childRel(frame.rel, entry.name);
          const entryId = childId(frame.id, entry.name);

          // Recorded on the entry by the stat's callback; a promise is made
          // only when the walk has to wait for it.
          while (!entry.stat) await gate.sleep();
          const outcome = entry.stat;
          if (outcome.error) {
            yield problem(entryId, rel, await this.#statProblem(outcome.error, absolutePath, rel, false));
            continue;
          }
          const stats = outcome.value;
          if (stats.isFile()) {
            yield { file: this.#ref(entryId, rel, stats, absolutePath) };
          } else if (outcome.exact && stats.isDirectory()) {
            if (entry.readAhead) frame.ahead--;
            const key = keyOf(outcome.exact);
            const ancestor = walk.onPath.get(key);
            if (ancestor !== undefined) {
              const target = await gate.wait(readlinkOf(absolutePath));
              yield problem(entryId, rel, loopError(rel, target.value, ancestor === '' ? given : ancestor));
              continue;
            }
            let listing: Frame | ListingProblem;
            if (entry.readAhead) {
              while (!entry.listing) await gate.sleep();
              listing = entry.listing;
            } else {
              listing = await gate.wait(walk.readFolder(absolutePath, rel, entryId, rel, key));
            }
            if ('error' in listing) {
              yield { problem: listing };
            } else {
              stack.push(listing);
              walk.enter(listing);
            }
          } else {
            yield problem(entryId, rel, notRegularError(rel, stats));
          }
        }
      }
    } finally {
      gate.dispose();
    }
  }

  /** A file root as a file, a folder root as the first frame of its walk, or why neither. */
  async #startRoot(walk: Walk, absolute: string): Promise<SourceItem | Frame> {
    const given = walk.given;
    const id = rootId(given);
    const found = await walk.gate.wait(bigStatOf(absolute));
    if (found.error) return problem(id, given, await this.#statProblem(found.error, absolute, given, true));
    const root = found.value;
    if (root.isFile()) return { file: this.#ref(id, given, root, absolute) };
    if (!root.isDirectory()) return problem(id, given, notRegularError(given, root));
    const first = await walk.gate.wait(walk.readFolder(absolute, '', id, given, keyOf(root)));
    return 'error' in first ? { problem: first } : first;
  }

  /** Why `stat` failed, in words about this entry: a broken link, a link loop, a vanished file, … */
  async #statProblem(error: NodeJS.ErrnoException, absolute: string, shown: string, isRoot: boolean): Promise<CheckError> {
    switch (error.code) {
      case 'ENOENT':
      case 'ENOTDIR': {
        const link = await readlinkOf(absolute);
        if (link.value !== undefined) {
          return new CheckError(
            ErrorCode.FileNotFound,
            `${shown} is a broken symbolic link: its target ${link.value} does not exist`,
            { cause: error },
          );
        }
        if (isRoot) return new CheckError(ErrorCode.FileNotFound, `no such file or directory: ${shown}`, { cause: error });
        return checkErrorFromFsError(error, shown); // listed by readdir, gone by stat
      }
      case 'ELOOP': {
        const link = await readlinkOf(absolute);
        const target = link.value === undefined ? '' : ` (it points to ${link.value})`;
        return new CheckError(
          ErrorCode.SymlinkLoop,
          `${shown} is a symbolic link that loops back on itself${target}; it cannot be followed`,
          { cause: error },
        );
      }
      default:
        return checkErrorFromFsError(error, shown);
    }
  }

  #ref(id: string, path: string, stats: Stats | BigIntStats, localPath: string): LocalFileRef {
    const expected = this.#expected?.(localPath);
    return new LocalFileRef({
      id,
      path,
      size: Number(stats.size),
      localPath,
      // Whole milliseconds, as ISO 8601 keeps them; LocalFileRef compares it when opening.
      lastModified: new Date(Math.trunc(Number(stats.mtimeMs))).toISOString(),
      ...(expected ? { expected } : {}),
    });
  }
}

/** A name from `readdir`, decoded, with what was found about it so far. */
interface NamedEntry {
  readonly name: string;
  /** Set by the callback of its `stat`. */
  stat?: EntryStat;
  /** Its listing was started before the walk got here; `listing` is set when it is read. */
  readAhead?: boolean;
  listing?: Frame | ListingProblem;
}

/**
 * What `stat` found. Files need only their size, so a number `stat`; a
 * folder needs its exact (dev, ino), so a second, bigint `stat` (`exact`,
 * which is also the one to judge the entry by).
 */
type EntryStat =
  | { readonly value: Stats | BigIntStats; readonly exact?: BigIntStats; readonly error?: undefined }
  | { readonly value?: undefined; readonly exact?: undefined; readonly error: NodeJS.ErrnoException };

/** A name from `readdir`: decoded, or its raw bytes when they are not UTF-8. */
type Entry = NamedEntry | { readonly name: undefined; readonly raw: Buffer };

/** A folder listed: on the current path of the walk, or read ahead. */
interface Frame {
  readonly absolute: string;
  /** Relative to the root folder, `''` for the root itself. */
  readonly rel: string;
  readonly id: string;
  /** `dev:ino`, exact. */
  readonly key: string;
  /** Sorted; an entry is cleared once it is listed. */
  readonly entries: (Entry | undefined)[];
  /** Index of the next entry to list. */
  next: number;
  /** Entries before this index have had their `stat` started. */
  issued: number;
  /** Subfolders among `entries` read ahead and not reached yet. */
  ahead: number;
}

/**
 * The state of walking one root folder that the file system's callbacks
 * update while the generator waits: outcomes land on entries and wake it.
 * (The callback API, not fs/promises: in Node 20 a promise-based `stat`
 * costs about twice as much per call, and outcomes kept on entries cannot
 * become unhandled rejections when the walk stops with calls in flight.)
 */
class Walk {
  /** The folders on the current path, by exact `dev:ino`, with their relative paths: how a loop is recognised. */
  readonly onPath = new Map<string, string>();
  /** The folder being walked: the only one whose subfolders are read ahead. */
  #current: Frame | undefined;

  constructor(
    readonly given: string,
    readonly skip: ReadonlySet<string>,
    readonly gate: AbortGate,
  ) {}

  /** Makes `frame` the folder being walked, and reads ahead the subfolders already known in its window. */
  enter(frame: Frame): void {
    this.onPath.set(frame.key, frame.rel);
    this.#resume(frame);
  }

  /** `frame` is done; the walk goes back to `parent`. */
  leave(frame: Frame, parent: Frame | undefined): void {
    this.onPath.delete(frame.key);
    if (parent) this.#resume(parent);
  }

  #resume(frame: Frame): void {
    this.#current = frame;
    for (let i = frame.next; i < frame.issued && frame.ahead < FOLDERS_AHEAD; i++) {
      const entry = frame.entries[i];
      if (entry?.name !== undefined) this.#readAhead(frame, entry);
    }
  }

  /** Reads a folder's names, sorted, and starts the `stat`s of its first entries. Never rejects. */
  readFolder(absolute: string, rel: string, id: string, shown: string, key: string): Promise<Frame | ListingProblem> {
    return new Promise((done) =>
      readdir(absolute, { encoding: 'buffer' }, (error, names) => {
        if (error) {
          done({ id, path: shown, error: checkErrorFromFsError(error, `folder ${shown}`).toJSON() });
          return;
        }
        // The OS gives names as bytes; comparing the bytes of UTF-8 names is
        // comparing their code points (unlike `<` on JS strings, which
        // compares UTF-16 code units and puts U+1F600 before U+FF61), and it
        // needs no decoding. Names that are not UTF-8 still get a fixed place.
        names.sort(Buffer.compare);
        const entries = names.map((raw): Entry => {
          const name = decodeName(raw);
          return name === undefined ? { name, raw } : { name };
        });
        const frame: Frame = { absolute, rel, id, key, entries, next: 0, issued: 0, ahead: 0 };
        this.issueStats(frame);
        done(frame);
      }),
    );
  }

  /** Starts `stat` for the next entries of `frame`, so that up to `STAT_WINDOW` are in flight ahead of the walk. */
  issueStats(frame: Frame): void {
    const end = Math.min(frame.entries.length, frame.next + STAT_WINDOW);
    for (; frame.issued < end; frame.issued++) {
      const entry = frame.entries[frame.issued];
      if (entry?.name === undefined) continue;
      const absolute = childPath(frame.absolute, entry.name);
      if (!this.skip.has(absolute)) this.#stat(frame, entry, absolute); // skipped ones are never reached
    }
  }

  #stat(frame: Frame, entry: NamedEntry, absolute: string): void {
    stat(absolute, (error, value) => {
      if (error || !value.isDirectory()) {
        entry.stat = error ? { error } : { value };
        this.gate.wake();
        return;
      }
      // Chained here rather than when the walk reaches the folder: one round trip less on its critical path.
      stat(absolute, { bigint: true }, (error, exact) => {
        entry.stat = error ? { error } : { value: exact, exact };
        this.#readAhead(frame, entry);
        this.gate.wake();
      });
    });
  }

  /** Starts listing a subfolder before the walk gets there, when its parent is being walked and few are ahead. */
  #readAhead(frame: Frame, entry: NamedEntry): void {
    const exact = entry.stat?.exact;
    if (!exact?.isDirectory() || entry.readAhead || frame !== this.#current || frame.ahead >= FOLDERS_AHEAD) return;
    const key = keyOf(exact);
    if (this.onPath.has(key)) return; // a loop: reported, never listed
    entry.readAhead = true;
    frame.ahead++;
    const rel = childRel(frame.rel, entry.name);
    void this.readFolder(childPath(frame.absolute, entry.name), rel, childId(frame.id, entry.name), rel, key).then(
      (listing) => {
        entry.listing = listing;
        this.gate.wake();
      },
    );
  }
}

function problem(id: string, path: string, error: CheckError): { readonly problem: ListingProblem } {
  return { problem: { id, path, error: error.toJSON() } };
}

function notRegularError(shown: string, stats: Stats | BigIntStats): CheckError {
  return new CheckError(ErrorCode.NotARegularFile, `${shown} is ${kindOf(stats)}; only regular files are checked`);
}

function invalidNameError(shown: string): CheckError {
  return new CheckError(
    ErrorCode.InvalidFileName,
    `${shown} has a name that is not valid UTF-8 (the bytes that are not are shown as \uFFFD); ` +
      'rename it to a UTF-8 name and check it again: a file whose name is not text cannot be referenced by a path',
  );
}

function loopError(shown: string, target: string | undefined, ancestor: string): CheckError {
  const what =
    target === undefined
      ? `${shown} is the same folder as ${ancestor}, which contains it (a bind mount?)`
      : `${shown} is a symbolic link to ${target}, that is to ${ancestor}, a folder that contains it`;
  return new CheckError(ErrorCode.SymlinkLoop, `${what}; it is not followed, as the walk would never end`);
}

/** `dev:ino` of a folder, exact (bigint stats: some file systems use 64-bit inode numbers). */
function keyOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

/** The id prefix of a root: as given, normalised (no `./`, no trailing `/`). */
function rootId(given: string): string {
  const normal = posix.normalize(given);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function childId(parentId: string, name: string): string {
  if (parentId === '.') return name;
  return parentId === '/' ? `/${name}` : `${parentId}/${name}`;
}

function childRel(parentRel: string, name: string): string {
  return parentRel === '' ? name : `${parentRel}/${name}`;
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function isSameOrInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);
}

type Outcome<T> =
  | { readonly value: T; readonly error?: undefined }
  | { readonly value?: undefined; readonly error: NodeJS.ErrnoException };

function bigStatOf(path: string): Promise<Outcome<BigIntStats>> {
  return new Promise((done) => stat(path, { bigint: true }, (error, value) => done(error ? { error } : { value })));
}

function readlinkOf(path: string): Promise<Outcome<string>> {
  return new Promise((done) => readlink(path, (error, value) => done(error ? { error } : { value })));
}

/**
 * Where the walk waits, one thing at a time: lets it stop at once when its
 * signal is aborted, even while a `stat` or `readdir` hangs (a dead network
 * mount). One listener per walk rather than one per wait: adding and
 * removing an `AbortSignal` listener costs about a microsecond, which 10,000
 * entries would notice.
 */
class AbortGate {
  readonly #signal: AbortSignal | undefined;
  #interrupt: ((reason: unknown) => void) | undefined;
  #wake: (() => void) | undefined;
  readonly #onAbort = (): void => this.#interrupt?.(this.#signal?.reason);

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  check(): void {
    this.#signal?.throwIfAborted();
  }

  /** `promise`, or `signal.reason` as soon as the signal is aborted. */
  wait<T>(promise: Promise<T>): Promise<T> {
    if (!this.#signal) return promise;
    this.#signal.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      this.#interrupt = reject;
      promise.then(resolve, reject);
    });
  }

  /** Resolves at the next `wake()` (or rejects when the signal is aborted). */
  sleep(): Promise<void> {
    this.#signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      this.#wake = resolve;
      this.#interrupt = reject;
    });
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  dispose(): void {
    this.#interrupt = undefined;
    this.#wake = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
