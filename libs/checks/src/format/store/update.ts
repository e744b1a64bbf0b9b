import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isErrnoException } from '../../errors.js';
import { fetchBounded, parseHttpUrl, type FetchLimits } from './download.js';
import { SignatureDownloadError, SignatureUpdateError } from './errors.js';
import { inspectSignatureDir, type SignatureDirInspection } from './inspect.js';
import {
  KIND_LABEL,
  binaryFileName,
  binaryVersionOf,
  compactDate,
  containerDateOf,
  containerFileName,
  isCompactDate,
  isoDate,
  type SignatureKind,
} from './names.js';
import { parseSignatureIndex, signatureSources, type SignatureIndex, type SignatureSourceOptions } from './sources.js';
import { checkSignatureXml } from './validate.js';

/** Time limit of one request (index or file), from connecting to the last byte. */
export const DEFAULT_UPDATE_TIMEOUT_MS = 120_000;
/** Largest signature file accepted: V122 is 3.6 MB, so room for years of growth. */
export const DEFAULT_MAX_SIGNATURE_BYTES = 64 * 1024 * 1024;
/** Largest `signatures.json` accepted (a few KB today). */
export const MAX_INDEX_BYTES = 1024 * 1024;
/** Older versions of each kind kept after an update (for a reader that listed the folder just before, and for rolling back by hand). */
export const DEFAULT_KEEP_PREVIOUS = 1;
/** Temporary folders of an update that died (killed, power cut) are removed after this long. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export interface UpdateSignaturesOptions extends SignatureSourceOptions {
  /** Time limit of each request in milliseconds (default 120 s). */
  readonly timeoutMs?: number;
  /** Size limit of each signature file in bytes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Older versions of each kind to keep once a newer one is installed (default 1; 0 keeps none). */
  readonly keepPrevious?: number;
  /** Download even when the folder already holds the versions `signatures.json` names. */
  readonly force?: boolean;
  /** Cancels the update; nothing is changed if it comes before the files are moved into place. */
  readonly signal?: AbortSignal;
  /** Sent as `User-Agent` (default `tdr-checks`). */
  readonly userAgent?: string;
  /** Told about each step, for a command to print. */
  readonly onEvent?: (event: SignatureUpdateEvent) => void;
  /** For tests: the clock used when a container file's date is known from nowhere else. */
  readonly now?: () => Date;
}

/** A step of an update; `message` is a line fit to print. */
export type SignatureUpdateEvent =
  | { readonly type: 'index'; readonly url: string; readonly message: string }
  | { readonly type: 'up-to-date'; readonly kind: SignatureKind; readonly name: string; readonly message: string }
  | { readonly type: 'download'; readonly kind: SignatureKind; readonly url: string; readonly message: string }
  | { readonly type: 'downloaded'; readonly kind: SignatureKind; readonly url: string; readonly bytes: number; readonly message: string }
  | { readonly type: 'installed'; readonly kind: SignatureKind; readonly name: string; readonly message: string }
  | { readonly type: 'removed'; readonly name: string; readonly message: string }
  | { readonly type: 'note'; readonly message: string };

export interface SignatureFileUpdate {
  readonly kind: SignatureKind;
  /**
   * - `installed`: downloaded and moved into the folder;
   * - `unchanged`: downloaded, and the folder already held the same bytes under the same name;
   * - `up-to-date`: not downloaded: the folder already holds the version `signatures.json` names, or a newer one.
   */
  readonly action: 'installed' | 'unchanged' | 'up-to-date';
  /** The file that holds this version now. */
  readonly name: string;
  /** Binary: the version number (`122`); container: the date (`2026-01-19`). */
  readonly version: string;
  /** The file of this kind in use before the update, if there was one. */
  readonly previous?: { readonly name: string; readonly version: string };
  /** Where it was downloaded from (not for `up-to-date`). */
  readonly url?: string;
  readonly size?: number;
  readonly sha256?: string;
}

export interface UpdateSignaturesResult {
  readonly dir: string;
  readonly binary: SignatureFileUpdate;
  readonly container: SignatureFileUpdate;
  /** Older files removed (beyond `keepPrevious`). */
  readonly removed: readonly string[];
  /** Things worth knowing that did not stop the update. */
  readonly notes: readonly string[];
  /** The folder before and after. */
  readonly before: SignatureDirInspection;
  readonly after: SignatureDirInspection;
}

interface Target {
  readonly kind: SignatureKind;
  readonly url: string;
  /** Binary version or container `yyyymmdd` named by `signatures.json`, when it was read. */
  readonly expected?: string;
}

interface Downloaded {
  readonly target: Target;
  readonly bytes: Buffer;
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
}

/**
 * Downloads the current PRONOM binary and container signature files into
 * `dir`, so that readers never see a partial file and a failure changes
 * nothing:
 *
 * 1. read `signatures.json` from the PRONOM site (unless both file addresses
 *    are given) and skip a file whose version the folder already has;
 * 2. download each file (time and size limits) and check it: not empty, XML
 *    with the right root element, well-formed, with a version;
 * 3. only if both are good: write them into a temporary folder next to
 *    `dir` (same file system), flushed to disk, then `rename` each into
 *    `dir`; if a rename fails, the ones done are undone;
 * 4. then remove older versions beyond `keepPrevious` (default 1) of the
 *    kinds just installed; newer files and other files are never touched.
 *
 * Throws `SignatureUpdateError` listing every failure (each naming its URL)
 * when nothing was installed. The temporary folder is removed either way.
 */
export async function updateSignatures(dir: string, options: UpdateSignaturesOptions = {}): Promise<UpdateSignaturesResult> {
  const target = resolve(dir);
  const emit = options.onEvent ?? (() => undefined);
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    emit({ type: 'note', message });
  };
  const limits: FetchLimits = {
    timeoutMs: options.timeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_SIGNATURE_BYTES,
    userAgent: options.userAgent ?? 'tdr-checks',
    accept: 'application/xml, text/xml;q=0.9, */*;q=0.1',
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const sources = signatureSources(options);
  const before = await inspectSignatureDir(target);
  await removeStaleTemp(target);

  // 1. What to fetch.
  let index: SignatureIndex | undefined;
  if (sources.binaryUrl === undefined || sources.containerUrl === undefined) {
    index = await fetchIndex(sources.indexUrl, limits, emit, target);
  }
  const targets = [targetFor('binary', sources.binaryUrl, index), targetFor('container', sources.containerUrl, index)];
  const badUrls = targets.flatMap((t) => {
    try {
      parseHttpUrl(t.url, t.kind, `address of the ${KIND_LABEL[t.kind]}`);
      return [];
    } catch (error) {
      return [error as SignatureDownloadError];
    }
  });
  if (badUrls.length > 0) throw new SignatureUpdateError(target, badUrls);

  const updates = new Map<SignatureKind, SignatureFileUpdate>();
  const toFetch = targets.filter((t) => {
    const current = currentOf(before, t.kind);
    if (options.force || t.expected === undefined || current === undefined) return true;
    const have = t.kind === 'binary' ? Number(current.version) : Number(current.version.replaceAll('-', ''));
    if (have < Number(t.expected)) return true;
    updates.set(t.kind, { kind: t.kind, action: 'up-to-date', name: current.name, version: current.version, previous: current });
    const newer = have > Number(t.expected) ? ` (newer than ${describeVersion(t.kind, t.expected)}, the latest PRONOM lists)` : '';
    emit({ type: 'up-to-date', kind: t.kind, name: current.name, message: `${KIND_LABEL[t.kind]}: ${current.name} is up to date${newer}` });
    return false;
  });

  // 2. Download and check both before touching the folder.
  const settled = await Promise.allSettled(toFetch.map((t) => download(t, limits, emit, options.now ?? (() => new Date()), note)));
  const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [asDownloadError(outcome.reason, target)] : []));
  if (failures.length > 0) throw new SignatureUpdateError(target, failures);
  const downloaded = settled.map((outcome) => (outcome as PromiseFulfilledResult<Downloaded>).value);

  // 3. Into place.
  const fresh: Downloaded[] = [];
  for (const file of downloaded) {
    const previous = currentOf(before, file.target.kind);
    const common = { kind: file.target.kind, name: file.name, version: file.version, url: file.target.url, size: file.bytes.length, sha256: file.sha256 };
    const withPrevious = previous ? { ...common, previous } : common;
    if ((await sha256Of(join(target, file.name))) === file.sha256) {
      updates.set(file.target.kind, { ...withPrevious, action: 'unchanged' });
      emit({ type: 'up-to-date', kind: file.target.kind, name: file.name, message: `${KIND_LABEL[file.target.kind]}: ${file.name} is already there, unchanged` });
    } else {
      updates.set(file.target.kind, { ...withPrevious, action: 'installed' });
      fresh.push(file);
    }
  }
  const removed: string[] = [];
  if (fresh.length > 0) {
    await install(target, fresh, emit);
    // 4. Old versions, only once the new ones are in place.
    for (const file of fresh) {
      removed.push(...(await prune(target, file, options.keepPrevious ?? DEFAULT_KEEP_PREVIOUS, emit, note)));
    }
  }

  const after = await inspectSignatureDir(target);
  for (const kind of ['binary', 'container'] as const) {
    const update = updates.get(kind);
    const inUse = currentOf(after, kind);
    if (update && inUse && inUse.name !== update.name) {
      note(`${KIND_LABEL[kind]}: ${inUse.name} in ${target} is newer than ${update.name} and is the one used`);
    }
  }
  const binary = updates.get('binary');
  const container = updates.get('container');
  if (!binary || !container) throw new Error('updateSignatures: a kind of file was neither fetched nor found up to date (a bug)');
  return { dir: target, binary, container, removed, notes, before, after };
}

function targetFor(kind: SignatureKind, fixedUrl: string | undefined, index: SignatureIndex | undefined): Target {
  if (fixedUrl !== undefined) return { kind, url: fixedUrl };
  if (index === undefined) throw new Error('updateSignatures: no signatures.json read (a bug)');
  return kind === 'binary'
    ? { kind, url: index.binary.url, expected: String(index.binary.version) }
    : { kind, url: index.container.url, expected: index.container.date };
}

/** The file of a kind in use, with its version as `SignatureFileUpdate` spells it. */
function currentOf(inspection: SignatureDirInspection, kind: SignatureKind): { name: string; version: string } | undefined {
  if (kind === 'binary') return inspection.binary && { name: inspection.binary.name, version: String(inspection.binary.version) };
  return inspection.container && { name: inspection.container.name, version: inspection.container.date };
}

function describeVersion(kind: SignatureKind, version: string): string {
  return kind === 'binary' ? `V${version}` : isoDate(version);
}

async function fetchIndex(indexUrl: string, limits: FetchLimits, emit: (event: SignatureUpdateEvent) => void, dir: string): Promise<SignatureIndex> {
  const hint = 'set TDR_PRONOM_BINARY_URL and TDR_PRONOM_CONTAINER_URL (or --binary-url and --container-url) to download the files from elsewhere';
  emit({ type: 'index', url: indexUrl, message: `reading the list of the latest signature files: ${indexUrl}` });
  try {
    const fetched = await fetchBounded(indexUrl, 'index', { ...limits, maxBytes: MAX_INDEX_BYTES, accept: 'application/json' });
    try {
      return parseSignatureIndex(fetched.bytes.toString('utf8'), fetched.finalUrl);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SignatureDownloadError('BAD_INDEX', 'index', indexUrl, `${indexUrl} is not PRONOM's list of signature files: ${why}; ${hint}`);
    }
  } catch (error) {
    const failure = asDownloadError(error, dir);
    const message = failure.code === 'BAD_INDEX' || failure.code === 'ABORTED' ? failure.message : `${failure.message}; ${hint}`;
    throw new SignatureUpdateError(dir, [
      new SignatureDownloadError(failure.code, 'index', failure.url, message, {
        ...(failure.status === undefined ? {} : { status: failure.status }),
        retryable: failure.retryable,
        cause: failure,
      }),
    ]);
  }
}

async function download(
  target: Target,
  limits: FetchLimits,
  emit: (event: SignatureUpdateEvent) => void,
  now: () => Date,
  note: (message: string) => void,
): Promise<Downloaded> {
  const { kind, url } = target;
  emit({ type: 'download', kind, url, message: `downloading the ${KIND_LABEL[kind]}: ${url}` });
  const fetched = await fetchBounded(url, kind, limits);
  emit({ type: 'downloaded', kind, url, bytes: fetched.bytes.length, message: `${url}: ${fetched.bytes.length.toLocaleString('en-GB')} bytes` });
  const checked = await checkSignatureXml(fetched.bytes, kind, url);
  checked.notes.forEach(note);
  const sha256 = createHash('sha256').update(fetched.bytes).digest('hex');

  if (kind === 'binary') {
    const attribute = checked.root.attributes['Version'];
    if (attribute === undefined || !/^\d{1,9}$/.test(attribute) || Number(attribute) === 0) {
      throw new SignatureDownloadError('BAD_VERSION', kind, url, `${url} returned a binary signature file without a usable Version attribute (${attribute === undefined ? 'none' : JSON.stringify(attribute)})`);
    }
    const version = Number(attribute);
    if (target.expected !== undefined && Number(target.expected) !== version) {
      note(`${url} is listed as V${target.expected} but says Version="${version}" inside; saved as V${version}`);
    }
    return { target, bytes: fetched.bytes, name: binaryFileName(version), version: String(version), sha256 };
  }

  // The container file has no date inside: the date is its version (DROID names it so).
  const fromName = containerDateOf(basename(new URL(fetched.finalUrl).pathname)) ?? containerDateOf(basename(new URL(url).pathname));
  let date = target.expected ?? fromName;
  if (date === undefined && fetched.lastModified) {
    date = compactDate(fetched.lastModified);
    note(`the container signature file's date ${isoDate(date)} comes from the Last-Modified header of ${url} (as DROID does)`);
  }
  if (date === undefined || !isCompactDate(date)) {
    date = compactDate(now());
    note(`${url} gives no date for the container signature file; saved with today's date ${isoDate(date)}`);
  }
  return { target, bytes: fetched.bytes, name: containerFileName(date), version: isoDate(date), sha256 };
}

function asDownloadError(error: unknown, dir: string): SignatureDownloadError {
  if (error instanceof SignatureDownloadError) return error;
  if (error instanceof SignatureUpdateError && error.failures[0]) return error.failures[0];
  const detail = isErrnoException(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return new SignatureDownloadError('FILESYSTEM', 'binary', dir, `cannot write the signature files to ${dir}: ${detail}`, { cause: error });
}

async function sha256Of(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Writes the files into a fresh temporary folder next to `dir` (same file
 * system, so `rename` is atomic), flushes them, and renames each into
 * `dir`. A file with the same name is kept (hard link, or copy) until all
 * renames are done, so a failure part way puts everything back.
 */
async function install(dir: string, files: readonly Downloaded[], emit: (event: SignatureUpdateEvent) => void): Promise<void> {
  let temp: string | undefined;
  const done: { path: string; backup?: string }[] = [];
  try {
    await mkdir(dir, { recursive: true });
    temp = await mkdtemp(join(dirname(dir), `${tempPrefix(dir)}`));
    for (const file of files) await writeFlushed(join(temp, file.name), file.bytes);
    for (const file of files) {
      const path = join(dir, file.name);
      let backup: string | undefined;
      if (await exists(path)) {
        const kept = join(temp, `previous-${file.name}`);
        await link(path, kept).catch(() => copyFile(path, kept));
        backup = kept;
      }
      await rename(join(temp, file.name), path);
      done.push(backup ? { path, backup } : { path });
    }
    await syncDir(dir);
  } catch (error) {
    for (const step of done.reverse()) {
      await (step.backup ? rename(step.backup, step.path) : unlink(step.path)).catch(() => undefined);
    }
    const detail = isErrnoException(error) ? `${error.code}: ${error.message}` : String(error);
    throw new SignatureUpdateError(dir, [
      new SignatureDownloadError('FILESYSTEM', files[0]?.target.kind ?? 'binary', dir, `cannot move the new signature files into ${dir}: ${detail}`, {
        cause: error,
      }),
    ]);
  } finally {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
  for (const file of files) {
    emit({ type: 'installed', kind: file.target.kind, name: file.name, message: `installed ${join(dir, file.name)}` });
  }
}

/** `.signatures.update-` for `/…/signatures`: hidden, and named after the folder it serves. */
function tempPrefix(dir: string): string {
  return `.${basename(dir)}.update-`;
}

async function writeFlushed(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the renames durable; not possible everywhere (Windows), so best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here; the renames are still atomic.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes files of the kind just installed that are older than it, beyond
 * the newest `keep` of them. Files newer than the one installed, and files
 * not named like signature files, stay.
 */
async function prune(
  dir: string,
  installed: Downloaded,
  keep: number,
  emit: (event: SignatureUpdateEvent) => void,
  note: (message: string) => void,
): Promise<string[]> {
  const kind = installed.target.kind;
  const rank = (name: string) => (kind === 'binary' ? binaryVersionOf(name) : Number(containerDateOf(name) ?? Number.NaN));
  const installedRank = rank(installed.name) ?? Number.NaN;
  const older = (await readdir(dir).catch(() => [] as string[]))
    .map((name) => ({ name, rank: rank(name) }))
    .filter((file): file is { name: string; rank: number } => file.rank !== undefined && !Number.isNaN(file.rank) && file.rank < installedRank)
    .sort((a, b) => b.rank - a.rank);
  const removed: string[] = [];
  for (const file of older.slice(Math.max(0, keep))) {
    try {
      await unlink(join(dir, file.name));
      removed.push(file.name);
      emit({ type: 'removed', name: file.name, message: `removed the older ${file.name}` });
    } catch (error) {
      note(`could not remove the older ${file.name} (${isErrnoException(error) ? error.code : String(error)})`);
    }
  }
  return removed;
}

/** Removes temporary folders left by an update that was killed, once they are a day old. */
async function removeStaleTemp(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = tempPrefix(dir);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(parent, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats?.isDirectory() && Date.now() - stats.mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
