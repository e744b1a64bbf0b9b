/**
 * Builds throw-away file trees for the tests: a fresh folder per test under
 * the OS temp dir, removed after it, so tests never depend on one another or
 * on files in the repository.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { SourceItem } from '@tdr/checks';
import type { FileSource } from '../file-source.js';

/** Registers a fresh temp folder for each test of the calling `describe`; call the result to get its path. */
export function useTempDir(): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tdr-storage-'));
  });
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error('useTempDir(): no temp folder outside a test');
    return dir;
  };
}

/** Writes `content` at `root/rel`, creating folders on the way. Returns the absolute path. */
export async function put(root: string, rel: string, content: string | Uint8Array = ''): Promise<string> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

/**
 * Sets a file's times an hour back. A write right after creation can land in
 * the same tick of the kernel's coarse clock and leave mtime unchanged; after
 * this, any write visibly changes it.
 */
export async function backdate(path: string): Promise<void> {
  const past = new Date(Date.now() - 3_600_000);
  await utimes(path, past, past);
}

/** Creates a named pipe. There is no Node API for it. */
export function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** `len` bytes of a pattern that differs at every offset within 251 bytes (so shifted data is noticed). */
export function patterned(len: number, seed = 0): Buffer {
  const buffer = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) buffer[i] = (i + seed) % 251;
  return buffer;
}

/** A listed item reduced to what a test compares. */
export type Summary =
  | { readonly kind: 'file'; readonly id: string; readonly path: string; readonly size: number }
  | { readonly kind: 'problem'; readonly id: string; readonly path: string; readonly code: string };

export function summarise(item: SourceItem): Summary {
  if ('file' in item) return { kind: 'file', id: item.file.id, path: item.file.path, size: item.file.size };
  return { kind: 'problem', id: item.problem.id, path: item.problem.path, code: item.problem.error.code };
}

/** Lists `source` to the end. (Listing opens no file; a test that reads a ref closes it.) */
export async function listAll(source: FileSource, signal?: AbortSignal): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.list(signal)) items.push(item);
  return items;
}

/** Every chunk of a stream, kept as yielded. */
export async function chunksOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Open file descriptors of this process (Linux), to see how many a ref really opens. */
export function openDescriptorCount(): number {
  return readdirSync('/proc/self/fd').length;
}
