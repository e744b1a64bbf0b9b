/**
 * The two steps that make a file's name survive a power cut: fsync of the
 * file (its bytes and metadata) and fsync of the folder holding the name.
 * A rename or link is atomic, but only durable once its folder is synced;
 * a folder just created is only durable once its parent is.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isErrnoException } from '@tdr/checks';

/**
 * Flushes a folder's entries to disk. Some file systems refuse to fsync a
 * folder (`EINVAL`, `ENOTSUP`: there it is a no-op by design, e.g. some
 * network mounts); that is not an error.
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!(isErrnoException(error) && (error.code === 'EINVAL' || error.code === 'ENOTSUP'))) throw error;
  } finally {
    await handle.close();
  }
}

/** Flushes a file's data and metadata to disk (through a read-only descriptor: enough for fsync). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * `mkdir -p` whose result survives a crash: creates `dir` under `root` one
 * segment at a time and syncs the parent of every folder it created. `root`
 * itself must exist. Returns without a system call per segment when `dir`
 * exists already (the common case: many files per folder).
 */
export async function makeDirsDurably(root: string, segments: readonly string[]): Promise<void> {
  if (segments.length === 0) return;
  const created = await mkdir(join(root, ...segments), { recursive: true });
  if (created === undefined) return; // it was all there
  // `created` is the first folder made; it and every one below it are new.
  const parents: string[] = [];
  for (let depth = segments.length; depth > 0; depth--) {
    const folder = join(root, ...segments.slice(0, depth));
    parents.push(dirname(folder));
    if (folder === created) break;
  }
  for (const parent of parents) await syncDir(parent);
}
