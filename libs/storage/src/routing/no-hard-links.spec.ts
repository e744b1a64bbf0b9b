/**
 * `LocalFolderDestination` on a file system without hard links (FAT, some
 * network mounts): `link` fails there, and the copy takes its name by
 * `rename` after checking the name is free. Simulated by making `link` fail
 * as such a file system does.
 */
import { link, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LocalFolderDestination } from './local-folder-destination.js';
import { put, useTempDir } from '../test-support/fs-fixtures.js';
import { filesUnder, sourceAt } from '../test-support/routing-fixtures.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...original,
    link: vi.fn(async () => {
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    }),
  };
});

describe('LocalFolderDestination without hard links', () => {
  const tmp = useTempDir();

  it('renames the verified copy into place, still never over a different file, and leaves no temp file', async () => {
    const inDir = join(tmp(), 'in');
    const outDir = join(tmp(), 'out');
    await put(inDir, 'sub/a.txt', 'a');
    await put(inDir, 'b.txt', 'mine');
    await put(outDir, 'b.txt', 'them');
    const destination = new LocalFolderDestination(outDir);

    expect((await destination.put(await sourceAt(inDir, 'sub/a.txt', 'a'), 'sub/a.txt')).status).toBe('copied');
    expect((await destination.put(await sourceAt(inDir, 'sub/a.txt', 'a'), 'sub/a.txt')).status).toBe('already-there');
    await expect(destination.put(await sourceAt(inDir, 'b.txt', 'mine'), 'b.txt')).rejects.toMatchObject({ code: 'DESTINATION_EXISTS' });
    expect(await readFile(join(outDir, 'sub/a.txt'), 'utf8')).toBe('a');
    expect(await readFile(join(outDir, 'b.txt'), 'utf8')).toBe('them');
    expect(await filesUnder(outDir)).toEqual(['b.txt', 'sub/a.txt']);
    expect(vi.mocked(link)).toHaveBeenCalledTimes(1); // the first put tried, and fell back
  });
});
