/**
 * Helpers for the routing tests: sources as a runner would describe them,
 * digests to compare with, and the names a destination holds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { LocalRouteSource } from '../routing/route-source.js';

export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A source for the file at `root/rel` as it is now, with its SHA-256 recorded unless `recorded` is false. */
export async function sourceAt(root: string, rel: string, content: string | Uint8Array, recorded = true): Promise<LocalRouteSource> {
  const localPath = join(root, rel);
  const found = await stat(localPath);
  return {
    path: rel,
    localPath,
    size: found.size,
    lastModified: found.mtime.toISOString(),
    ...(recorded ? { sha256: sha256(content) } : {}),
  };
}

/** Every file under `root` (relative, sorted), temp files included: what a crash or a failure left behind. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** The pid of a process that has exited (for temp files of a "crashed" run). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('could not start a process to get a dead pid');
  return child.pid;
}
