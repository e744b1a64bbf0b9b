import { constants, type BigIntStats } from 'node:fs';
import { copyFile, link, lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CheckError, ErrorCode, LOCAL_OPEN_FLAGS, checkErrorFromFsError, checkOpened, isErrnoException } from '@tdr/checks';
import { isSameOrInside } from '../local/listing-paths.js';
import type { Destination, ExpectedContent, PutReceipt } from './destination.js';
import { makeDirsDurably, syncDir, syncFile } from './durable.js';
import { RoutingErrorCode, describeFsError, destinationError } from './errors.js';
import { digestOf, digestOfPath, type FileDigest } from './file-digest.js';
import { routingSegments } from './relative-path.js';
import type { LocalRouteSource, RouteSource } from './route-source.js';
import { isStaleTemp, isTempName, tempName } from './temp-names.js';

/** Options of a `LocalFolderDestination`. */
export interface LocalFolderDestinationOptions {
  /**
   * The folders being checked. `open` refuses a destination that is one of
   * them or inside one: its copies would be listed and checked again by the
   * next run, and a copy onto its own source could be mistaken for done.
   */
  readonly checkedFolders?: readonly string[];
}

/**
 * `errno` codes of `link` meaning "this file system cannot hard-link" (FAT,
 * some network mounts): the copy then takes its name by `rename` instead.
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

/**
 * A local (or mounted) folder that checked files are copied into, keeping
 * their relative paths: the clean or the quarantine folder of a laptop run.
 *
 * How a `put` is safe against crashes and never overwrites (see
 * docs/decisions/0013-routing.md):
 * 1. the source is judged as checked (same size and modification time);
 * 2. it is copied with `copyFile` (a reflink where the file system can, an
 *    in-kernel copy otherwise) to a temp name beside the final one,
 *    `.tdr-routing-<pid>-<random>.tmp`, given the source's times;
 * 3. the copy is read back and hashed: its size must be the source's and its
 *    SHA-256 the recorded one (`source.sha256`) when there is one; the
 *    source must still be the same file (device, inode, size, mtime);
 * 4. the copy is fsynced, then hard-linked to its final name — which fails
 *    if the name is taken, so nothing is ever overwritten, not even by a
 *    concurrent run — and the folder is fsynced; the temp name is removed.
 *
 * At any moment the final name is absent or holds the complete copy. Temp
 * files left by a crash are removed by the next run that writes into their
 * folder (`open` sweeps the top folder).
 *
 * @example
 * ```ts
 * const quarantine = new LocalFolderDestination('/archive/quarantine', { checkedFolders: ['/transfer'] });
 * await quarantine.open(); // DESTINATION_NOT_WRITABLE or DESTINATION_INSIDE_SOURCE now rather than later
 * const receipt = await quarantine.put(
 *   { path: 'sub/eicar.com', localPath: '/transfer/sub/eicar.com', size: 68, sha256: '275a02…' },
 *   'sub/eicar.com',
 * );
 * // receipt: { status: 'copied', location: '/archive/quarantine/sub/eicar.com', size: 68, sha256: '275a02…' }
 * ```
 */
export class LocalFolderDestination implements Destination {
  /** The folder, absolute (not resolved through links). */
  readonly location: string;
  readonly #checkedFolders: readonly string[];
  #opened: Promise<string> | undefined;
  /** Folders whose debris this destination has already removed. */
  readonly #swept = new Set<string>();

  constructor(folder: string, options: LocalFolderDestinationOptions = {}) {
    this.location = resolve(folder);
    this.#checkedFolders = (options.checkedFolders ?? []).map((checked) => resolve(checked));
  }

  /**
   * Creates the folder if needed, refuses one inside a checked folder,
   * proves it can be written (by creating and removing a temp file), and
   * removes debris of interrupted runs from its top level. The outcome is
   * kept: later calls (and every `put`) share it.
   *
   * @throws CheckError `DESTINATION_NOT_WRITABLE` or `DESTINATION_INSIDE_SOURCE`.
   */
  async open(signal?: AbortSignal): Promise<void> {
    await this.#root(signal);
  }

  /**
   * Copies `source` to `relativePath` under this folder; see the class for
   * the steps. Resolves once the copy is durable and verified.
   *
   * @throws CheckError `DESTINATION_EXISTS` (a different file, or a folder,
   * under the name), `INVALID_ROUTING_PATH`, `ROUTING_CHECKSUM_MISMATCH`,
   * `DESTINATION_NOT_WRITABLE`, `COPY_FAILED` (retryable when the cause may
   * pass: disk full, I/O error), `DESTINATION_INSIDE_SOURCE` (the name is the
   * source itself); for the source `FILE_NOT_FOUND`, `FILE_CHANGED`,
   * `NOT_A_REGULAR_FILE`, `PERMISSION_DENIED`. After any of them the final
   * name is as it was and no temp file is left.
   */
  async put(routed: RouteSource, relativePath: string, signal?: AbortSignal): Promise<PutReceipt> {
    const source = localSourceOf(routed, this.location);
    const segments = routingSegments(relativePath);
    const root = await this.#root(signal);
    const finalPath = join(root, ...segments);
    const folder = dirname(finalPath);
    // Named for people and receipts under the folder as given; worked on through the resolved one.
    const shown = join(this.location, ...segments);
    const doing = `copying ${source.path} to ${shown}`;

    const before = await judgeSource(source);
    const existing = await this.#existing(finalPath, source.size, before, signal);
    if (existing === 'different') throw exists(shown, source.path);
    if (existing !== 'absent') {
      // A re-run: the copy may be there already. Hash the source only when no checksum was recorded.
      const wanted = source.sha256 ?? (await sourceDigest(source, signal)).sha256;
      if (existing.sha256 !== wanted.toLowerCase()) throw exists(shown, source.path);
      // Made durable all the same: an earlier run may have crashed before syncing its folder,
      // and a caller that moves removes the source once this resolves.
      try {
        await syncFile(finalPath);
        await syncDir(folder);
      } catch (error) {
        throw destinationError(error, doing);
      }
      return { status: 'already-there', location: shown, ...existing };
    }

    try {
      await makeDirsDurably(root, segments.slice(0, -1));
    } catch (error) {
      if (isErrnoException(error) && (error.code === 'EEXIST' || error.code === 'ENOTDIR')) {
        throw new CheckError(
          RoutingErrorCode.DestinationExists,
          `cannot copy ${source.path} to ${shown}: something that is not a folder stands on its path (${describeFsError(error)})`,
          { cause: error },
        );
      }
      throw destinationError(error, doing);
    }
    await this.#sweep(folder);

    const temp = join(folder, tempName());
    try {
      signal?.throwIfAborted();
      const digest = await copyAndVerify(source, temp, before, doing, signal);
      const status = await place(temp, finalPath, shown, digest, source.path, signal);
      await syncDir(folder);
      return { status, location: shown, ...digest };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw destinationError(error, doing);
    } finally {
      // After a link the temp name is a second name of the copy; otherwise partial data. Either way it goes.
      await unlink(temp).catch(() => undefined);
    }
  }

  /**
   * Whether `relativePath` holds exactly `expected`: a regular file of that
   * size whose SHA-256 is that. Reads the whole file when the size matches.
   */
  async confirm(relativePath: string, expected: ExpectedContent, signal?: AbortSignal): Promise<boolean> {
    const segments = routingSegments(relativePath);
    const found = await this.#existing(join(await this.#root(signal), ...segments), expected.size, undefined, signal);
    return found !== 'absent' && found !== 'different' && found.sha256 === expected.sha256.toLowerCase();
  }

  /** The folder resolved through links, once `open` has succeeded; every caller shares the one attempt. */
  #root(signal: AbortSignal | undefined): Promise<string> {
    signal?.throwIfAborted();
    this.#opened ??= this.#open();
    return this.#opened;
  }

  async #open(): Promise<string> {
    const doing = `preparing the destination ${this.location}`;
    try {
      await makeDirsDurably('/', this.location.split('/').filter(Boolean));
    } catch (error) {
      throw new CheckError(
        RoutingErrorCode.DestinationNotWritable,
        `cannot create the destination folder ${this.location} (${describeFsError(error)})`,
        { cause: error },
      );
    }
    let root: string;
    try {
      root = await realpath(this.location);
      if (!(await stat(root)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (error) {
      throw destinationError(error, doing);
    }
    for (const checked of this.#checkedFolders) {
      // Compared through links, as the listing follows them.
      const real = await realpath(checked).catch(() => checked);
      if (isSameOrInside(root, real)) {
        throw new CheckError(
          RoutingErrorCode.DestinationInsideSource,
          `the destination ${this.location} is ${root === real ? 'the folder being checked' : `inside the folder being checked (${checked})`}: its copies would be listed and checked again; choose a folder outside it`,
        );
      }
    }
    // A probe, so that a folder that cannot be written fails the run before any check, not at the first copy.
    const probe = join(root, tempName());
    try {
      await (await open(probe, 'wx')).close();
      await unlink(probe);
    } catch (error) {
      await unlink(probe).catch(() => undefined);
      throw new CheckError(
        RoutingErrorCode.DestinationNotWritable,
        `cannot write into the destination folder ${this.location} (${describeFsError(error)})`,
        { cause: error },
      );
    }
    await this.#sweep(root);
    return root;
  }

  /** Removes debris of interrupted runs from `folder`, once per folder per destination. */
  async #sweep(folder: string): Promise<void> {
    if (this.#swept.has(folder)) return;
    this.#swept.add(folder);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return; // cleaning is a courtesy: a folder that cannot be read fails the copy itself, with a better message
    }
    const now = Date.now();
    for (const name of names.filter(isTempName)) {
      const path = join(folder, name);
      try {
        const found = await lstat(path);
        if (found.isFile() && isStaleTemp(name, found.mtimeMs, now)) await unlink(path);
      } catch {
        // Gone already (another run swept it), or not ours to remove: leave it.
      }
    }
  }

  /**
   * What is under `finalPath` now: nothing, something that cannot be the
   * copy (not a regular file, another size), or a file of the right size
   * with its digest.
   */
  async #existing(
    finalPath: string,
    size: number,
    source: BigIntStats | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FileDigest | 'absent' | 'different'> {
    let found: BigIntStats;
    try {
      found = await lstat(finalPath, { bigint: true });
    } catch (error) {
      if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return 'absent';
      throw destinationError(error, `looking at ${finalPath}`);
    }
    if (source && found.dev === source.dev && found.ino === source.ino) {
      throw new CheckError(
        RoutingErrorCode.DestinationInsideSource,
        `${finalPath} is the source file itself: the destination overlaps the folder being checked`,
      );
    }
    if (!found.isFile() || Number(found.size) !== size) return 'different';
    try {
      return await digestOfPath(finalPath, signal);
    } catch (error) {
      throw destinationError(error, `reading ${finalPath} to compare it`);
    }
  }
}

/** The source's stat, after judging it the file that was checked. */
async function judgeSource(source: LocalRouteSource): Promise<BigIntStats> {
  try {
    const found = await stat(source.localPath, { bigint: true });
    checkOpened(found, source, source.path);
    return found;
  } catch (error) {
    throw checkErrorFromFsError(error, source.path);
  }
}

/** SHA-256 of the source as it is now; only needed when none was recorded and a copy may already exist. */
async function sourceDigest(source: LocalRouteSource, signal: AbortSignal | undefined): Promise<FileDigest> {
  try {
    return await digestOfPath(source.localPath, signal);
  } catch (error) {
    throw checkErrorFromFsError(error, source.path);
  }
}

/**
 * Steps 2 and 3: copies the source to `temp`, sets its times, reads it
 * back, checks it and fsyncs it. Returns its digest.
 */
async function copyAndVerify(
  source: LocalRouteSource,
  temp: string,
  before: BigIntStats,
  doing: string,
  signal: AbortSignal | undefined,
): Promise<FileDigest> {
  try {
    // FICLONE: a reflink (no data copied) on btrfs/XFS; elsewhere libuv falls back to an in-kernel copy.
    await copyFile(source.localPath, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  } catch (error) {
    // Which side failed? If the source can no longer be opened, it was the source.
    await open(source.localPath, LOCAL_OPEN_FLAGS).then(
      (handle) => handle.close(),
      (gone: unknown) => {
        throw checkErrorFromFsError(gone, source.path);
      },
    );
    throw destinationError(error, doing);
  }
  // Read-only: enough for futimes (owner) and fsync, and the copy of a read-only file
  // (0444, common in archives) has that mode already, which 'r+' would be refused by.
  const handle = await open(temp, 'r');
  let digest: FileDigest;
  try {
    // Seconds as a double: ~0.4 µs of precision for today's dates, finer than most archives record.
    await handle.utimes(Number(before.atimeNs) / 1e9, Number(before.mtimeNs) / 1e9);
    digest = await digestOf(handle, signal);
    if (digest.size !== source.size) {
      throw new CheckError(
        ErrorCode.FileChanged,
        `${source.path} changed while it was being copied (${source.size} bytes when checked, ${digest.size} copied); it was not routed`,
        { retryable: true },
      );
    }
    if (source.sha256 !== undefined && digest.sha256 !== source.sha256.toLowerCase()) {
      throw new CheckError(
        RoutingErrorCode.ChecksumMismatch,
        `the copy of ${source.path} has SHA-256 ${digest.sha256}, not the ${source.sha256} recorded when it was checked: the file changed after it was checked, so it was not routed`,
      );
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  let after: BigIntStats;
  try {
    after = await stat(source.localPath, { bigint: true });
  } catch (error) {
    throw checkErrorFromFsError(error, source.path);
  }
  if (after.dev !== before.dev || after.ino !== before.ino || after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
    throw new CheckError(
      ErrorCode.FileChanged,
      `${source.path} was modified or replaced while it was being copied; it was not routed (check it again once it is no longer being written)`,
      { retryable: true },
    );
  }
  return digest;
}

/**
 * Step 4: gives the verified, fsynced temp file its final name without
 * overwriting anything. A hard link fails with `EEXIST` if the name is
 * taken, atomically; where hard links are not supported, a check then a
 * `rename` (which would replace a file that appeared in between).
 */
async function place(
  temp: string,
  finalPath: string,
  shown: string,
  digest: FileDigest,
  name: string,
  signal: AbortSignal | undefined,
): Promise<PutReceipt['status']> {
  try {
    await link(temp, finalPath);
    return 'copied';
  } catch (error) {
    if (!isErrnoException(error)) throw error;
    if (error.code === 'EEXIST') return identicalOrThrow(finalPath, shown, digest, name, signal);
    if (!NO_HARD_LINKS.has(error.code ?? '')) throw error;
  }
  const taken = await lstat(finalPath).then(
    () => true,
    (error: unknown) => {
      if (isErrnoException(error) && error.code === 'ENOENT') return false;
      throw error;
    },
  );
  if (taken) return identicalOrThrow(finalPath, shown, digest, name, signal);
  await rename(temp, finalPath);
  return 'copied';
}

/** Someone else put a file under the name meanwhile: fine if it is the same bytes. */
async function identicalOrThrow(
  finalPath: string,
  shown: string,
  digest: FileDigest,
  name: string,
  signal: AbortSignal | undefined,
): Promise<'already-there'> {
  const found = await lstat(finalPath);
  if (found.isFile() && found.size === digest.size && (await digestOfPath(finalPath, signal)).sha256 === digest.sha256) return 'already-there';
  throw exists(shown, name);
}

function exists(finalPath: string, name: string): CheckError {
  return new CheckError(
    RoutingErrorCode.DestinationExists,
    `cannot copy ${name} to ${finalPath}: a different file (or a folder) is already there, and routing never overwrites; move it away or choose another destination`,
  );
}

/** The source as a local file; only local files can be copied into a local folder (for now). */
function localSourceOf(source: RouteSource, location: string): LocalRouteSource {
  if (source.localPath !== undefined) return source as LocalRouteSource;
  throw new CheckError(
    RoutingErrorCode.CopyFailed,
    `cannot copy ${source.path} to ${location}: only local files can be copied into a local folder, and it has no local path`,
  );
}
