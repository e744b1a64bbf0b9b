import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ExpectedFacts, SourceItem } from '@tdr/checks';
import { abortable } from '../abortable.js';
import type { FileSource } from '../file-source.js';
import { ListingWorker } from './list-client.js';
import type { RootJob } from './list-protocol.js';
import { childId, childPath, isSameOrInside, rootId } from './listing-paths.js';
import { LocalFileRef } from './local-file-ref.js';

/** Options of a `LocalFileSource`. */
export interface LocalFileSourceOptions {
  /** Facts the uploader declared, by absolute path (used for expected checksums). */
  expected?: (absolutePath: string) => ExpectedFacts | undefined;
  /**
   * Paths (as typed, or absolute) never to list, e.g. the report being
   * written into the folder being checked: it would change under its check.
   */
  exclude?: readonly string[];
}

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
 * The walk runs in a worker thread, with synchronous file-system calls, at
 * most ~2,000 entries ahead of the consumer (see list-worker.ts):
 * the main thread only turns what it found into refs, and a file system that
 * hangs holds up the listing, never the process.
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
  readonly #exclude: readonly string[];

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
    this.#exclude = (options.exclude ?? []).map((path) => resolve(path));
  }

  /**
   * Yields every file under the paths, and a problem for every entry that
   * cannot be listed. Throws `signal.reason` once `signal` is aborted, even
   * while waiting on the file system. Stopping early (`break`) ends the walk.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<SourceItem, void, undefined> {
    for await (const batch of this.listBatches(signal)) {
      for (const item of batch) {
        yield item;
        signal?.throwIfAborted();
      }
    }
  }

  /**
   * `list`, in the batches the listing worker hands over (up to a few
   * hundred items each): the same items in the same order, for a consumer
   * that takes them in bulk (`CheckEngine.runBatches`).
   */
  async *listBatches(signal?: AbortSignal): AsyncGenerator<SourceItem[], void, undefined> {
    signal?.throwIfAborted();
    const roots = planRoots(this.#paths, this.#exclude);
    if (roots.length === 0) return;
    const files = await this.#filesOnly(roots, signal);
    if (files) {
      signal?.throwIfAborted();
      yield files;
      return;
    }
    const worker = new ListingWorker(roots, signal);
    try {
      let root = roots[0];
      for (let batch = await worker.next(); batch; batch = await worker.next()) {
        const { items, facts } = batch;
        const out: SourceItem[] = [];
        let fact = 0;
        for (const item of items) {
          if (typeof item === 'number') {
            root = roots[item];
          } else if (typeof item === 'string') {
            for (const rel of item.split('\0')) {
              out.push({ file: this.#ref(root, rel, facts[fact], facts[fact + 1]) });
              fact += 2;
            }
          } else {
            out.push(item);
          }
        }
        signal?.throwIfAborted();
        yield out;
      }
    } finally {
      worker.stop();
    }
  }

  /**
   * When every root is a regular file (`tdr-checks check big.iso`), their
   * refs, from one `stat` each on libuv's thread pool: no listing worker to
   * boot (~30 ms before the first file could start). Otherwise undefined,
   * and the worker lists everything, reporting what cannot be listed.
   */
  async #filesOnly(roots: readonly RootJob[], signal: AbortSignal | undefined): Promise<SourceItem[] | undefined> {
    if (roots.length > FILES_ONLY_MAX_ROOTS) return undefined;
    // Abortable: a stat stuck on a hung network mount must not hold up Ctrl-C.
    const stats = await abortable(Promise.all(roots.map((root) => stat(root.absolute).catch(() => undefined))), signal);
    const files: SourceItem[] = [];
    for (const [i, root] of roots.entries()) {
      const found = stats[i];
      if (!found?.isFile()) return undefined;
      files.push({ file: this.#ref(root, '', found.size, found.mtimeMs) });
    }
    return files;
  }

  /** A file `rel` of `root` (`''`: the root itself). */
  #ref(root: RootJob, rel: string, size: number, mtimeMs: number): LocalFileRef {
    const localPath = rel === '' ? root.absolute : childPath(root.absolute, rel);
    const expected = this.#expected?.(localPath);
    return new LocalFileRef({
      id: rel === '' ? root.id : childId(root.id, rel),
      path: rel === '' ? root.given : rel,
      size,
      localPath,
      // Whole milliseconds, as ISO 8601 keeps them; LocalFileRef compares it when opening.
      lastModified: new Date(Math.trunc(mtimeMs)).toISOString(),
      ...(expected ? { expected } : {}),
    });
  }
}

/** Beyond this many paths, the listing worker takes them (one `stat` each there is cheaper). */
const FILES_ONLY_MAX_ROOTS = 64;

/**
 * The roots to walk, in the order given. A path given twice, or inside a
 * folder given earlier, is left out; paths given earlier that lie inside a
 * later folder are skipped by its walk. So ids stay unique.
 */
function planRoots(paths: readonly string[], exclude: readonly string[]): RootJob[] {
  const listed: string[] = [];
  const roots: RootJob[] = [];
  for (const given of paths) {
    // Lexical, like every later path of the walk: `localPath` is the path as the user would name it.
    const absolute = resolve(given);
    if (listed.some((earlier) => isSameOrInside(absolute, earlier))) continue;
    const skip = [...listed, ...exclude].filter((other) => isSameOrInside(other, absolute));
    listed.push(absolute);
    roots.push({ given, absolute, id: rootId(given), skip });
  }
  return roots;
}
