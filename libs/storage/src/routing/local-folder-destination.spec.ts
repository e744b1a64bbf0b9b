import { spawn } from 'node:child_process';
import { chmod, link, lstat, mkdir, open, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFolderDestination } from './local-folder-destination.js';
import { TEMP_PREFIX, STALE_AFTER_MS, tempName } from './temp-names.js';
import { backdate, patterned, put, useTempDir } from '../test-support/fs-fixtures.js';
import { deadPid, filesUnder, sha256, sourceAt } from '../test-support/routing-fixtures.js';

const MiB = 1024 * 1024;

describe('LocalFolderDestination', () => {
  const tmp = useTempDir();
  const inDir = (): string => join(tmp(), 'in');
  const outDir = (): string => join(tmp(), 'out');

  describe('put', () => {
    it('copies into the relative path, creating folders, with the same bytes and modification time', async () => {
      const bytes = patterned(3 * MiB + 7);
      const path = await put(inDir(), 'sub/deeper/a.pdf', bytes);
      await chmod(path, 0o444);
      await backdate(path);
      const source = await sourceAt(inDir(), 'sub/deeper/a.pdf', bytes);
      const receipt = await new LocalFolderDestination(outDir()).put(source, 'sub/deeper/a.pdf');

      const copy = join(outDir(), 'sub/deeper/a.pdf');
      expect(receipt).toEqual({ status: 'copied', location: copy, size: bytes.length, sha256: sha256(bytes) });
      // Compared by digest: a deep equality of megabytes takes vitest tens of seconds.
      expect(sha256(await readFile(copy))).toBe(sha256(bytes));
      const [from, to] = await Promise.all([stat(path, { bigint: true }), stat(copy, { bigint: true })]);
      // To the microsecond: utimes takes seconds as a double.
      expect(Number(to.mtimeNs / 1000n)).toBeCloseTo(Number(from.mtimeNs / 1000n), -1);
      expect(to.ino).not.toBe(from.ino); // a copy, not a second name of the source
      expect(Number(to.mode) & 0o777).toBe(0o444); // copyFile copies the permission bits
      expect(sha256(await readFile(path))).toBe(sha256(bytes)); // the source is untouched
      expect(await filesUnder(outDir())).toEqual(['sub/deeper/a.pdf']); // no temp file left
    });

    it('names the copy under the folder as given, even when that is a link', async () => {
      await mkdir(outDir(), { recursive: true });
      await symlink(outDir(), join(tmp(), 'out-link'));
      await put(inDir(), 'a.txt', 'a');
      const receipt = await new LocalFolderDestination(join(tmp(), 'out-link')).put(await sourceAt(inDir(), 'a.txt', 'a'), 'a.txt');
      expect(receipt.location).toBe(join(tmp(), 'out-link/a.txt'));
      expect(await filesUnder(outDir())).toEqual(['a.txt']);
    });

    it('copies a zero-byte file', async () => {
      await put(inDir(), 'empty', '');
      const receipt = await new LocalFolderDestination(outDir()).put(await sourceAt(inDir(), 'empty', ''), 'empty');
      expect(receipt).toMatchObject({ status: 'copied', size: 0, sha256: sha256('') });
      expect((await stat(join(outDir(), 'empty'))).size).toBe(0);
    });

    it('keeps odd names byte for byte: spaces, newlines, leading dashes, quotes, % and Unicode in both normal forms', async () => {
      const names = [
        'with space.txt',
        'line\nbreak.txt',
        '-rf',
        '--help',
        ' leading and trailing ',
        "quote'\"`$(x).txt",
        '100%.txt',
        'back\\slash',
        'caf\u00e9.txt', // NFC
        'cafe\u0301.txt', // NFD: another name on Linux
        '日本語/ファイル.txt',
        '😀.bin',
        '.hidden',
      ];
      const destination = new LocalFolderDestination(outDir());
      for (const name of names) {
        await put(inDir(), name, name);
        await destination.put(await sourceAt(inDir(), name, name), name);
      }
      for (const name of names) expect(await readFile(join(outDir(), name), 'utf8')).toBe(name);
      expect(await filesUnder(outDir())).toEqual([...names].sort());
    });

    it('copies to another relative path when told to', async () => {
      await put(inDir(), 'a.txt', 'a');
      await new LocalFolderDestination(outDir()).put(await sourceAt(inDir(), 'a.txt', 'a'), 'elsewhere/b.txt');
      expect(await filesUnder(outDir())).toEqual(['elsewhere/b.txt']);
    });

    it('is a no-op when the destination already holds an identical file, with or without a recorded checksum', async () => {
      await put(inDir(), 'a.txt', 'same');
      const destination = new LocalFolderDestination(outDir());
      const first = await destination.put(await sourceAt(inDir(), 'a.txt', 'same'), 'a.txt');
      const before = await stat(join(outDir(), 'a.txt'), { bigint: true });
      for (const recorded of [true, false]) {
        const again = await new LocalFolderDestination(outDir()).put(await sourceAt(inDir(), 'a.txt', 'same', recorded), 'a.txt');
        expect(again).toEqual({ ...first, status: 'already-there' });
      }
      const after = await stat(join(outDir(), 'a.txt'), { bigint: true });
      expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]); // not rewritten
    });

    it('never overwrites a different file: DESTINATION_EXISTS, and the file there is untouched', async () => {
      await put(inDir(), 'a.txt', 'new content');
      await put(outDir(), 'a.txt', 'old content'); // same size, other bytes
      await put(outDir(), 'b.txt', 'shorter');
      await put(inDir(), 'b.txt', 'longer than that');
      const destination = new LocalFolderDestination(outDir());
      for (const [name, content, recorded] of [
        ['a.txt', 'new content', true],
        ['a.txt', 'new content', false],
        ['b.txt', 'longer than that', true],
      ] as const) {
        await expect(destination.put(await sourceAt(inDir(), name, content, recorded), name)).rejects.toMatchObject({
          name: 'CheckError',
          code: 'DESTINATION_EXISTS',
          message: expect.stringContaining('never overwrites'),
        });
      }
      expect(await readFile(join(outDir(), 'a.txt'), 'utf8')).toBe('old content');
      expect(await readFile(join(outDir(), 'b.txt'), 'utf8')).toBe('shorter');
      expect(await filesUnder(outDir())).toEqual(['a.txt', 'b.txt']);
    });

    it('reports DESTINATION_EXISTS for a folder under the name and for a file where a folder should be', async () => {
      await put(inDir(), 'x/y.txt', 'y');
      await put(inDir(), 'dir', 'd');
      await mkdir(join(outDir(), 'dir'), { recursive: true });
      await put(outDir(), 'x', 'a file, not a folder');
      const destination = new LocalFolderDestination(outDir());
      await expect(destination.put(await sourceAt(inDir(), 'dir', 'd'), 'dir')).rejects.toMatchObject({ code: 'DESTINATION_EXISTS' });
      await expect(destination.put(await sourceAt(inDir(), 'x/y.txt', 'y'), 'x/y.txt')).rejects.toMatchObject({
        code: 'DESTINATION_EXISTS',
      });
      expect(await readFile(join(outDir(), 'x'), 'utf8')).toBe('a file, not a folder');
    });

    it('refuses a copy whose SHA-256 is not the recorded one (the file changed after it was checked), leaving nothing', async () => {
      const path = await put(inDir(), 'a.txt', 'checked');
      const source = await sourceAt(inDir(), 'a.txt', 'checked');
      const { mtime, atime } = await stat(path);
      await writeFile(path, 'CHANGED'); // same size …
      await utimes(path, atime, mtime); // … and the old modification time: only the bytes tell
      await expect(new LocalFolderDestination(outDir()).put(source, 'a.txt')).rejects.toMatchObject({
        code: 'ROUTING_CHECKSUM_MISMATCH',
        message: expect.stringContaining('changed after it was checked'),
      });
      expect(await filesUnder(outDir())).toEqual([]);
    });

    it('reports a source that vanished, changed size or time since it was checked, or is not a file; nothing is left', async () => {
      await put(inDir(), 'gone.txt', 'g');
      const gone = await sourceAt(inDir(), 'gone.txt', 'g');
      await rm(gone.localPath);
      const grownPath = await put(inDir(), 'grown.txt', 'g');
      const grown = await sourceAt(inDir(), 'grown.txt', 'g');
      await writeFile(grownPath, 'grown');
      const touchedPath = await put(inDir(), 'touched.txt', 't');
      const touched = await sourceAt(inDir(), 'touched.txt', 't');
      await backdate(touchedPath);
      await mkdir(join(inDir(), 'folder'));

      const destination = new LocalFolderDestination(outDir());
      await expect(destination.put(gone, 'gone.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await expect(destination.put(grown, 'grown.txt')).rejects.toMatchObject({ code: 'FILE_CHANGED', retryable: true });
      await expect(destination.put(touched, 'touched.txt')).rejects.toMatchObject({ code: 'FILE_CHANGED' });
      await expect(
        destination.put({ path: 'folder', localPath: join(inDir(), 'folder'), size: 4096 }, 'folder'),
      ).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
      expect(await filesUnder(outDir())).toEqual([]);
    });

    it.each([true, false])(
      'refuses a source rewritten while it is being copied, leaving nothing (checksum recorded: %s)',
      async (recorded) => {
        const bytes = patterned(64 * MiB, 5);
        await put(inDir(), 'sub/big.bin', bytes);
        const source = await sourceAt(inDir(), 'sub/big.bin', bytes, recorded);
        let settled = false;
        const putting = new LocalFolderDestination(outDir()).put(source, 'sub/big.bin').finally(() => (settled = true));
        putting.catch(() => undefined); // judged below
        // Once the temp copy exists (in sub/, where open()'s probe never is), the copy is under way
        // (copyFile runs off the event loop): rewrite the start of the source.
        const copying = async (): Promise<boolean> =>
          (await readdir(join(outDir(), 'sub')).catch(() => [] as string[])).some((name) => name.startsWith(TEMP_PREFIX));
        while (!settled && !(await copying())) await new Promise((resolve) => setTimeout(resolve, 1));
        const handle = await open(source.localPath, 'r+');
        await handle.write(Buffer.from('rewritten'), 0, 9, 0);
        await handle.close();
        const error = await putting.then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        // Which one depends on whether the copy read the start before or after the rewrite.
        expect(['FILE_CHANGED', 'ROUTING_CHECKSUM_MISMATCH']).toContain((error as { code?: string } | undefined)?.code);
        expect(await filesUnder(outDir())).toEqual([]);
      },
    );

    it('rejects paths that would leave the destination or pose as temp files, and creates nothing', async () => {
      await put(inDir(), 'a.txt', 'a');
      const source = await sourceAt(inDir(), 'a.txt', 'a');
      const destination = new LocalFolderDestination(join(tmp(), 'deep/out'));
      for (const bad of ['', '/etc/x', '../a.txt', 'sub/../../a.txt', 'a//b', './a', 'a/', 'nul\0byte', `sub/${tempName()}`]) {
        await expect(destination.put(source, bad)).rejects.toMatchObject({ code: 'INVALID_ROUTING_PATH' });
      }
      expect(await readdir(tmp())).toEqual(['in']); // not even the destination was created
    });

    it('refuses to copy a file onto itself (a destination that is the source folder)', async () => {
      await put(inDir(), 'a.txt', 'a');
      await expect(new LocalFolderDestination(inDir()).put(await sourceAt(inDir(), 'a.txt', 'a'), 'a.txt')).rejects.toMatchObject({
        code: 'DESTINATION_INSIDE_SOURCE',
      });
      expect(await readFile(join(inDir(), 'a.txt'), 'utf8')).toBe('a');
    });

    it('lets concurrent puts of one file settle on one copy: one copied, the other already there', async () => {
      const bytes = patterned(MiB);
      await put(inDir(), 'a.bin', bytes);
      const source = await sourceAt(inDir(), 'a.bin', bytes);
      const receipts = await Promise.all([
        new LocalFolderDestination(outDir()).put(source, 'a.bin'),
        new LocalFolderDestination(outDir()).put(source, 'a.bin'),
      ]);
      expect(receipts.map((receipt) => receipt.status).sort()).toEqual(['already-there', 'copied']);
      expect(await filesUnder(outDir())).toEqual(['a.bin']);
      expect(sha256(await readFile(join(outDir(), 'a.bin')))).toBe(sha256(bytes));
    });
  });

  describe('open', () => {
    it('creates the folder, and refuses one that is, or is inside, a folder being checked (links resolved)', async () => {
      await mkdir(inDir(), { recursive: true });
      await symlink(inDir(), join(tmp(), 'link-to-in'));
      for (const folder of [inDir(), join(inDir(), 'clean'), join(tmp(), 'link-to-in/clean')]) {
        await expect(new LocalFolderDestination(folder, { checkedFolders: [inDir()] }).open()).rejects.toMatchObject({
          code: 'DESTINATION_INSIDE_SOURCE',
          message: expect.stringContaining('would be listed and checked again'),
        });
      }
      // A name that merely starts like the checked folder's is outside it.
      const beside = new LocalFolderDestination(`${inDir()}-clean`, { checkedFolders: [inDir(), join(tmp(), 'link-to-in')] });
      await beside.open();
      expect((await stat(`${inDir()}-clean`)).isDirectory()).toBe(true);
    });

    it('reports DESTINATION_NOT_WRITABLE when the folder cannot be created, and every put says so', async () => {
      await put(tmp(), 'a-file', 'x');
      await put(inDir(), 'a.txt', 'a');
      const destination = new LocalFolderDestination(join(tmp(), 'a-file/clean'));
      await expect(destination.open()).rejects.toMatchObject({
        code: 'DESTINATION_NOT_WRITABLE',
        message: expect.stringContaining('cannot create the destination folder'),
      });
      await expect(destination.put(await sourceAt(inDir(), 'a.txt', 'a'), 'a.txt')).rejects.toMatchObject({
        code: 'DESTINATION_NOT_WRITABLE',
      });
    });

    it('removes stale temp files of crashed runs, and only those', async () => {
      const dead = deadPid();
      const old = Date.now() - STALE_AFTER_MS - 60_000;
      const names = {
        deadWriter: `${TEMP_PREFIX}${dead}-0123456789abcdef.tmp`,
        oldButAlive: `${TEMP_PREFIX}1-0123456789abcdef.tmp`, // pid 1 runs, but a day old is debris anyway
        aliveWriter: `${TEMP_PREFIX}1-fedcba9876543210.tmp`, // pid 1 runs: another run may be writing it
        ours: tempName(),
        lookalike: `${TEMP_PREFIX}notes.txt`, // a user's file that merely shares the prefix
      };
      for (const name of Object.values(names)) {
        await put(outDir(), name, 'partial');
        await put(outDir(), `sub/${name}`, 'partial');
      }
      await utimes(join(outDir(), names.oldButAlive), old / 1000, old / 1000);
      await utimes(join(outDir(), 'sub', names.oldButAlive), old / 1000, old / 1000);

      const destination = new LocalFolderDestination(outDir());
      await destination.open();
      const kept = [names.aliveWriter, names.ours, names.lookalike].sort();
      expect(await readdir(outDir())).toEqual(expect.arrayContaining(kept));
      expect((await readdir(outDir())).filter((name) => name !== 'sub').sort()).toEqual(kept);
      // Sub-folders are swept when a put first writes into them.
      expect((await readdir(join(outDir(), 'sub'))).length).toBe(5);
      await put(inDir(), 'sub/a.txt', 'a');
      await destination.put(await sourceAt(inDir(), 'sub/a.txt', 'a'), 'sub/a.txt');
      expect((await readdir(join(outDir(), 'sub'))).sort()).toEqual(['a.txt', ...kept].sort());
    });
  });

  describe('confirm', () => {
    it('says whether the name holds exactly that size and SHA-256', async () => {
      await put(outDir(), 'a.txt', 'abc');
      await mkdir(join(outDir(), 'folder'));
      const destination = new LocalFolderDestination(outDir());
      expect(await destination.confirm('a.txt', { size: 3, sha256: sha256('abc') })).toBe(true);
      expect(await destination.confirm('a.txt', { size: 3, sha256: sha256('abd') })).toBe(false);
      expect(await destination.confirm('a.txt', { size: 4, sha256: sha256('abc') })).toBe(false);
      expect(await destination.confirm('missing.txt', { size: 3, sha256: sha256('abc') })).toBe(false);
      expect(await destination.confirm('a.txt/below', { size: 3, sha256: sha256('abc') })).toBe(false);
      expect(await destination.confirm('folder', { size: 3, sha256: sha256('abc') })).toBe(false);
    });
  });

  describe('after a crash', () => {
    it('finds no file or the complete one, and a re-run completes and clears the debris', async () => {
      // A second name of a complete temp file: what a kill between link and unlink leaves.
      await put(inDir(), 'a.txt', 'a');
      const destination = new LocalFolderDestination(outDir());
      await destination.put(await sourceAt(inDir(), 'a.txt', 'a'), 'a.txt');
      const debris = join(outDir(), `${TEMP_PREFIX}${deadPid()}-0123456789abcdef.tmp`);
      await link(join(outDir(), 'a.txt'), debris);
      await new LocalFolderDestination(outDir()).put(await sourceAt(inDir(), 'a.txt', 'a'), 'a.txt');
      expect(await filesUnder(outDir())).toEqual(['a.txt']);
    });

    it('survives a kill during the copy: the final name is absent or complete, and a re-run completes', async () => {
      const bytes = patterned(64 * MiB, 3);
      await put(inDir(), 'sub/big.bin', bytes);
      const source = await sourceAt(inDir(), 'sub/big.bin', bytes);
      const library = new URL('../../dist/index.js', import.meta.url).href;
      const script = `
        import { LocalFolderDestination } from ${JSON.stringify(library)};
        const [out, source] = process.argv.slice(-2);
        await new LocalFolderDestination(out).put(JSON.parse(source), 'sub/big.bin');
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, outDir(), JSON.stringify(source)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      let sawTemp = false;
      const deadline = Date.now() + 20_000;
      while (!sawTemp && child.exitCode === null && Date.now() < deadline) {
        const names = await readdir(join(outDir(), 'sub')).catch(() => [] as string[]);
        sawTemp = names.some((name) => name.startsWith(TEMP_PREFIX));
        if (!sawTemp) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      child.kill('SIGKILL');
      const ended = await exited;
      expect(sawTemp, `the child never wrote a temp file; it said: ${stderr}`).toBe(true); // the kill landed while a temp copy existed

      const finalPath = join(outDir(), 'sub/big.bin');
      const left = await lstat(finalPath).then(
        () => 'complete-or-partial',
        () => 'absent',
      );
      if (left !== 'absent') expect(sha256(await readFile(finalPath))).toBe(source.sha256);
      if (ended === 'SIGKILL') {
        // Killed mid-way: a temp file stays behind, and the next run removes it.
        expect((await readdir(join(outDir(), 'sub'))).some((name) => name.startsWith(TEMP_PREFIX))).toBe(true);
      }

      const receipt = await new LocalFolderDestination(outDir()).put(source, 'sub/big.bin');
      expect(receipt.status).toBe(left === 'absent' ? 'copied' : 'already-there');
      expect(sha256(await readFile(finalPath))).toBe(source.sha256);
      expect(await filesUnder(outDir())).toEqual(['sub/big.bin']);
    });
  });
});
