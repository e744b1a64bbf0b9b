import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, type FileRef, type ListingProblem, type SourceItem } from '@tdr/checks';
import { LocalFileSource } from './local-file-source.js';
import { chunksOf, listAll, mkfifo, put, summarise, useTempDir } from '../test-support/fs-fixtures.js';

// Permission tests (a folder or file this process may not read) are not here:
// the tests run as root, for whom chmod 000 changes nothing, so such a test
// would pass by accident. They are covered at the CLI level, run with
// dropped capabilities.

const files = (items: SourceItem[]): FileRef[] => items.flatMap((item) => ('file' in item ? [item.file] : []));
const problems = (items: SourceItem[]): ListingProblem[] =>
  items.flatMap((item) => ('problem' in item ? [item.problem] : []));
const paths = (items: SourceItem[]): string[] => items.map((item) => ('file' in item ? item.file.path : item.problem.path));

describe('LocalFileSource', () => {
  const tmp = useTempDir();

  it('lists the same items in batches as one by one', async () => {
    for (let i = 0; i < 700; i++) await put(tmp(), `d${i % 7}/f${String(i).padStart(3, '0')}.txt`, 'x');
    const source = new LocalFileSource([tmp(), join(tmp(), 'missing')]);
    const batches: SourceItem[][] = [];
    for await (const batch of source.listBatches()) batches.push(batch);
    expect(batches.length).toBeGreaterThan(1); // the listing worker hands over a few hundred at a time
    expect(batches.flat().map(summarise)).toEqual((await listAll(source)).map(summarise));
  });

  it('yields nothing for an empty folder', async () => {
    expect(await listAll(new LocalFileSource([tmp()]))).toEqual([]);
  });

  it('yields nothing for no paths', async () => {
    expect(await listAll(new LocalFileSource([]))).toEqual([]);
  });

  it('leaves out excluded paths: a file, and a folder with all below it', async () => {
    await put(tmp(), 'keep.txt', 'k');
    await put(tmp(), 'report.csv', 'r');
    await put(tmp(), 'out/inner.txt', 'i');
    const source = new LocalFileSource([tmp()], { exclude: [join(tmp(), 'report.csv'), join(tmp(), 'out')] });
    expect((await listAll(source)).map(summarise).map((item) => item.path)).toEqual(['keep.txt']);
  });

  it('lists a zero-byte file with size 0', async () => {
    await put(tmp(), 'empty.txt');
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(items.map(summarise)).toEqual([
      { kind: 'file', id: `${tmp()}/empty.txt`, path: 'empty.txt', size: 0 },
    ]);
  });

  it('walks depth first, each folder in code point order, files and folders interleaved', async () => {
    const names = [
      'b.txt',
      'B.txt',
      'a.txt',
      'a-b.txt', // '-' sorts before '/': a path sort would put it before a/…; a name sort puts it after folder a
      'a/z.txt',
      'a/y/deep.txt',
      'a/A.txt',
      '\uFF61.txt', // U+FF61: one UTF-16 unit, above the surrogates
      '\u{1F600}.txt', // U+1F600: a surrogate pair, which `<` on strings puts before U+FF61
      'é.txt',
      'z/1.txt',
      '_.txt',
    ];
    for (const name of names) await put(tmp(), name, name);
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(paths(items)).toEqual([
      'B.txt',
      '_.txt',
      'a/A.txt',
      'a/y/deep.txt',
      'a/z.txt',
      'a-b.txt',
      'a.txt',
      'b.txt',
      'z/1.txt',
      'é.txt',
      '\uFF61.txt',
      '\u{1F600}.txt',
    ]);
    // Not what a default JavaScript sort gives, so the test shows the difference.
    expect(['\u{1F600}.txt', '\uFF61.txt'].sort()).toEqual(['\u{1F600}.txt', '\uFF61.txt']);
    // Every file's bytes are its own.
    for (const file of files(items)) {
      expect(Buffer.from(await file.read(0, 100)).toString()).toBe(file.path);
      await file.close?.();
    }
  });

  it('lists like a plain recursive walk sorted by UTF-8 bytes, for any tree', async () => {
    // Names chosen to disagree between code point, UTF-16 and locale order.
    const name = fc.constantFrom('a', 'B', 'z', 'ab', 'a.b', 'a b', '-x', '%', 'a\\b', '10', '9', '\u00E9', 'e\u0301', '\uFF61', '\u{1F600}');
    const tree = fc.uniqueArray(fc.array(name, { minLength: 1, maxLength: 4 }), { maxLength: 60, selector: (p) => p.join('/') });
    await fc.assert(
      fc.asyncProperty(tree, async (wanted) => {
        const root = await mkdtemp(join(tmpdir(), 'tdr-storage-prop-'));
        try {
          const made = new Set<string>();
          const folders = new Set<string>();
          for (const segments of wanted) {
            const path = segments.join('/');
            const prefixes = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
            if (folders.has(path) || prefixes.some((prefix) => made.has(prefix))) continue; // file/folder clash
            prefixes.forEach((prefix) => folders.add(prefix));
            made.add(path);
            await put(root, path, path);
          }
          const listed = (await listAll(new LocalFileSource([root]))).map(summarise);
          expect(listed).toEqual(
            referenceWalk(root).map((path) => ({ kind: 'file', id: `${root}/${path}`, path, size: Buffer.byteLength(path) })),
          );
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });

  it('lists many small folders, read ahead, in order', async () => {
    for (let a = 0; a < 3; a++) {
      for (let d = 0; d < 40; d++) {
        for (let f = 0; f < 3; f++) await put(tmp(), `a${a}/d${String(d).padStart(2, '0')}/f${f}`, `${a}${d}${f}`);
      }
      await put(tmp(), `a${a}/file`, 'x');
    }
    const listed = paths(await listAll(new LocalFileSource([tmp()])));
    expect(listed).toEqual(referenceWalk(tmp()));
    expect(listed).toHaveLength(3 * (40 * 3 + 1));
  });

  it('gives the same listing every time', async () => {
    for (let i = 0; i < 50; i++) await put(tmp(), `d${i % 5}/f${(i * 37) % 50}.bin`, 'x');
    const first = (await listAll(new LocalFileSource([tmp()]))).map(summarise);
    const second = (await listAll(new LocalFileSource([tmp()]))).map(summarise);
    expect(first).toHaveLength(50);
    expect(second).toEqual(first);
  });

  it('keeps awkward names exactly: spaces, NFC and NFD, newlines, dashes, %, backslashes, a BOM', async () => {
    const names = [
      'with space.txt',
      ' leading and trailing ',
      'caf\u00E9.txt', // NFC
      'cafe\u0301.txt', // NFD: a different name on Linux, so a different file
      'line\nbreak.txt',
      '-rf',
      '--help',
      '100%.txt',
      '%41%2F.txt',
      'back\\slash.txt',
      '\uFEFFbom.txt',
      "quote'\"`.txt",
      '*?[].txt',
    ];
    for (const name of names) await put(tmp(), join('sub dir', name), `content of ${name}`);
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(problems(items)).toEqual([]);
    const listed = files(items);
    expect(listed.map((file) => file.path).sort()).toEqual(names.map((name) => `sub dir/${name}`).sort());
    for (const file of listed) {
      const name = file.path.slice('sub dir/'.length);
      expect(file.id).toBe(`${tmp()}/sub dir/${name}`);
      expect(file.localPath).toBe(join(tmp(), 'sub dir', name));
      expect(Buffer.from(await file.read(0, 1000)).toString()).toBe(`content of ${name}`);
      await file.close?.();
    }
  });

  describe('roots', () => {
    it('reports a path that does not exist and goes on', async () => {
      await put(tmp(), 'real.txt', 'r');
      const missing = join(tmp(), 'nope');
      const items = await listAll(new LocalFileSource([missing, join(tmp(), 'real.txt')]));
      expect(items.map(summarise)).toEqual([
        { kind: 'problem', id: missing, path: missing, code: 'FILE_NOT_FOUND' },
        { kind: 'file', id: `${tmp()}/real.txt`, path: `${tmp()}/real.txt`, size: 1 },
      ]);
      expect(problems(items)[0]?.error.message).toBe(`no such file or directory: ${missing}`);
    });

    it('takes relative paths from the working directory; a file root keeps its path exactly as given', async () => {
      await put(tmp(), 'folder/inner/x.txt', 'x');
      await put(tmp(), 'single.txt', 'single');
      const base = relative(process.cwd(), tmp());
      const items = await listAll(new LocalFileSource([`./${base}/folder/`, `./${base}//single.txt`]));
      expect(items.map(summarise)).toEqual([
        { kind: 'file', id: `${base}/folder/inner/x.txt`, path: 'inner/x.txt', size: 1 },
        { kind: 'file', id: `${base}/single.txt`, path: `./${base}//single.txt`, size: 6 },
      ]);
      expect(files(items).map((file) => file.localPath)).toEqual([
        join(tmp(), 'folder/inner/x.txt'),
        join(tmp(), 'single.txt'),
      ]);
    });

    it('lists roots in the order given, and a path given twice or inside an earlier folder once', async () => {
      await put(tmp(), 'one/a.txt');
      await put(tmp(), 'two/b.txt');
      await put(tmp(), 'two/sub/c.txt');
      const one = join(tmp(), 'one');
      const two = join(tmp(), 'two');
      const items = await listAll(
        new LocalFileSource([join(two, 'sub'), two, one, `${one}/`, join(one, 'a.txt')]),
      );
      expect(items.map(summarise)).toEqual([
        { kind: 'file', id: `${two}/sub/c.txt`, path: 'c.txt', size: 0 },
        { kind: 'file', id: `${two}/b.txt`, path: 'b.txt', size: 0 },
        { kind: 'file', id: `${one}/a.txt`, path: 'a.txt', size: 0 },
      ]);
    });

    it('reports a FIFO given as a path without opening it', async () => {
      const fifo = join(tmp(), 'pipe');
      mkfifo(fifo);
      const items = await listAll(new LocalFileSource([fifo]));
      expect(items.map(summarise)).toEqual([{ kind: 'problem', id: fifo, path: fifo, code: 'NOT_A_REGULAR_FILE' }]);
    });

    it('follows a root that is a symbolic link to a folder', async () => {
      await put(tmp(), 'real/a.txt', 'a');
      await symlink('real', join(tmp(), 'link'));
      const items = await listAll(new LocalFileSource([join(tmp(), 'link')]));
      expect(items.map(summarise)).toEqual([{ kind: 'file', id: `${tmp()}/link/a.txt`, path: 'a.txt', size: 1 }]);
    });
  });

  describe('symbolic links', () => {
    it('follows a link to a file outside the folder, under the link’s own name', async () => {
      const outside = await put(tmp(), 'outside/target.bin', 'outside bytes');
      await mkdir(join(tmp(), 'root'));
      await symlink(outside, join(tmp(), 'root/link.bin'));
      const items = await listAll(new LocalFileSource([join(tmp(), 'root')]));
      const [file] = files(items);
      expect(items).toHaveLength(1);
      expect(file).toMatchObject({ path: 'link.bin', size: 13, localPath: join(tmp(), 'root/link.bin') });
      expect(Buffer.from((await file?.read(0, 100)) ?? []).toString()).toBe('outside bytes');
      await file?.close?.();
    });

    it('walks a link to a folder outside the folder', async () => {
      await put(tmp(), 'elsewhere/deep/x.txt', 'x');
      await put(tmp(), 'root/a.txt', 'a');
      await symlink(join(tmp(), 'elsewhere'), join(tmp(), 'root/b'));
      const items = await listAll(new LocalFileSource([join(tmp(), 'root')]));
      expect(paths(items)).toEqual(['a.txt', 'b/deep/x.txt']);
    });

    it('reports a link back to a folder on the current path as SYMLINK_LOOP and goes on', async () => {
      await put(tmp(), 'root/a/inner.txt', 'i');
      await put(tmp(), 'root/z.txt', 'z');
      await symlink('..', join(tmp(), 'root/a/up')); // → root
      await symlink('../a', join(tmp(), 'root/a/b')); // → root/a itself
      const items = await listAll(new LocalFileSource([join(tmp(), 'root')]));
      expect(items.map(summarise)).toEqual([
        { kind: 'problem', id: `${tmp()}/root/a/b`, path: 'a/b', code: 'SYMLINK_LOOP' },
        { kind: 'file', id: `${tmp()}/root/a/inner.txt`, path: 'a/inner.txt', size: 1 },
        { kind: 'problem', id: `${tmp()}/root/a/up`, path: 'a/up', code: 'SYMLINK_LOOP' },
        { kind: 'file', id: `${tmp()}/root/z.txt`, path: 'z.txt', size: 1 },
      ]);
      const [toA, toRoot] = problems(items);
      expect(toA?.error.message).toContain('a/b is a symbolic link to ../a');
      expect(toA?.error.message).toMatch(/that is to a, a folder that contains it/);
      expect(toRoot?.error.message).toContain(`a/up is a symbolic link to .., that is to ${join(tmp(), 'root')}`);
    });

    it('reports a link to itself as SYMLINK_LOOP', async () => {
      await symlink('self', join(tmp(), 'self'));
      await put(tmp(), 'z.txt');
      const items = await listAll(new LocalFileSource([tmp()]));
      expect(items.map(summarise)).toEqual([
        { kind: 'problem', id: `${tmp()}/self`, path: 'self', code: 'SYMLINK_LOOP' },
        { kind: 'file', id: `${tmp()}/z.txt`, path: 'z.txt', size: 0 },
      ]);
      expect(problems(items)[0]?.error.message).toMatch(/self is a symbolic link that loops back on itself \(it points to self\)/);
    });

    it('reports a broken link as FILE_NOT_FOUND, naming its target', async () => {
      await symlink('missing-target.txt', join(tmp(), 'dangling'));
      const items = await listAll(new LocalFileSource([tmp()]));
      expect(items.map(summarise)).toEqual([
        { kind: 'problem', id: `${tmp()}/dangling`, path: 'dangling', code: 'FILE_NOT_FOUND' },
      ]);
      expect(problems(items)[0]?.error.message).toBe(
        'dangling is a broken symbolic link: its target missing-target.txt does not exist',
      );
    });

    it('reports a broken link given as a path', async () => {
      const link = join(tmp(), 'dangling');
      await symlink('nowhere', link);
      const [item] = await listAll(new LocalFileSource([link]));
      expect(item && 'problem' in item && item.problem.error).toMatchObject({
        code: 'FILE_NOT_FOUND',
        message: `${link} is a broken symbolic link: its target nowhere does not exist`,
      });
    });
  });

  it('reports a FIFO as NOT_A_REGULAR_FILE without hanging on it', async () => {
    mkfifo(join(tmp(), 'pipe'));
    await put(tmp(), 'after.txt', 'after');
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(items.map(summarise)).toEqual([
      { kind: 'file', id: `${tmp()}/after.txt`, path: 'after.txt', size: 5 },
      { kind: 'problem', id: `${tmp()}/pipe`, path: 'pipe', code: 'NOT_A_REGULAR_FILE' },
    ]);
    expect(problems(items)[0]?.error.message).toBe('pipe is a FIFO (named pipe); only regular files are checked');
  }, 5_000);

  it('reports a device reached through a link as NOT_A_REGULAR_FILE', async () => {
    await symlink('/dev/null', join(tmp(), 'null'));
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(items.map(summarise)).toEqual([
      { kind: 'problem', id: `${tmp()}/null`, path: 'null', code: 'NOT_A_REGULAR_FILE' },
    ]);
  });

  it('reports names that are not UTF-8, each with a distinct id, and goes on', async () => {
    const latin1 = (name: string): Buffer => Buffer.concat([Buffer.from(`${tmp()}/`), Buffer.from(name, 'latin1')]);
    writeFileSync(latin1('caf\u00E9.txt'), 'e acute');
    writeFileSync(latin1('caf\u00E8.txt'), 'e grave');
    writeFileSync(latin1('100%\u00FF'), 'percent');
    await put(tmp(), 'fine.txt', 'fine');
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(items.map(summarise)).toEqual([
      { kind: 'problem', id: `${tmp()}/100%25%FF`, path: '100%\uFFFD', code: ErrorCode.InvalidFileName },
      { kind: 'problem', id: `${tmp()}/caf%E8.txt`, path: 'caf\uFFFD.txt', code: 'INVALID_FILE_NAME' },
      { kind: 'problem', id: `${tmp()}/caf%E9.txt`, path: 'caf\uFFFD.txt', code: 'INVALID_FILE_NAME' },
      { kind: 'file', id: `${tmp()}/fine.txt`, path: 'fine.txt', size: 4 },
    ]);
    const message = problems(items)[1]?.error.message;
    expect(message).toMatch(/^caf\uFFFD\.txt has a name that is not valid UTF-8/);
    expect(message).toMatch(/rename it/);
  });

  it('reports a folder that is not UTF-8 without walking into it', async () => {
    const folder = Buffer.concat([Buffer.from(`${tmp()}/dir`), Buffer.from([0xc3, 0x28])]); // bad 2-byte sequence
    await mkdir(folder);
    writeFileSync(Buffer.concat([folder, Buffer.from('/inside.txt')]), 'x');
    const items = await listAll(new LocalFileSource([tmp()]));
    expect(items.map(summarise)).toEqual([
      { kind: 'problem', id: `${tmp()}/dir%C3(`, path: 'dir\uFFFD(', code: 'INVALID_FILE_NAME' },
    ]);
  });

  it('passes the declared facts of each file, looked up by absolute path', async () => {
    const a = await put(tmp(), 'a.txt', 'a');
    await put(tmp(), 'b.txt', 'b');
    const asked: string[] = [];
    const source = new LocalFileSource([tmp()], {
      expected: (absolutePath) => {
        asked.push(absolutePath);
        return absolutePath === a ? { checksums: { sha256: 'ca978112' }, source: 'manifest:1' } : undefined;
      },
    });
    const listed = files(await listAll(source));
    expect(asked).toEqual([a, join(tmp(), 'b.txt')]);
    expect(listed[0]?.expected).toEqual({ checksums: { sha256: 'ca978112' }, source: 'manifest:1' });
    expect(listed[1]?.expected).toBeUndefined();
  });

  it('reports a file that vanishes between listing its folder and reading it', async () => {
    const path = await put(tmp(), 'soon-gone.txt', 'bytes');
    const iterator = new LocalFileSource([tmp()]).list()[Symbol.asyncIterator]();
    const first = await iterator.next();
    await rm(path);
    const file = !first.done && 'file' in first.value ? first.value.file : undefined;
    await expect(file?.read(0, 5)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await file?.close?.();
    expect((await iterator.next()).done).toBe(true);
  });

  it('lists paths that are all files without a worker, exactly as the worker lists them', async () => {
    await put(tmp(), 'a b.txt', 'aa');
    await put(tmp(), 'sub/é.bin', 'bbb');
    await symlink(join(tmp(), 'a b.txt'), join(tmp(), 'link'));
    await put(tmp(), 'folder/c.txt', 'c');
    const given = [join(tmp(), 'sub/é.bin'), join(tmp(), 'a b.txt'), join(tmp(), 'link')];
    const facts = (items: SourceItem[]) =>
      files(items).map((file) => ({ ...summarise({ file }), localPath: file.localPath, lastModified: file.lastModified }));
    const before = threadCount();
    const alone = new LocalFileSource(given).listBatches()[Symbol.asyncIterator]();
    const first = await alone.next();
    expect(threadCount()).toBe(before); // no listing worker was started
    expect(await alone.next()).toMatchObject({ done: true });
    // With a folder among them the worker lists everything; the files it lists first must be the same.
    const walked = await listAll(new LocalFileSource([...given, join(tmp(), 'folder')]));
    expect(facts(first.value as SourceItem[])).toEqual(facts(walked).slice(0, 3));
    expect(facts(walked).map((file) => file.path)).toEqual([...given, 'c.txt']);
    // A path that is missing, a FIFO or a folder goes to the worker, which reports it.
    expect((await listAll(new LocalFileSource([given[0] as string, join(tmp(), 'missing')]))).map(summarise)[1]).toMatchObject({
      kind: 'problem',
      code: 'FILE_NOT_FOUND',
    });
  });

  it('lists a large folder lazily: the first item comes before the rest are stat’ed', async () => {
    for (let i = 0; i < 1000; i++) await writeFile(join(tmp(), `f${String(i).padStart(4, '0')}`), '');
    const iterator = new LocalFileSource([tmp()]).list()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(!first.done && summarise(first.value).path).toBe('f0000');
    await iterator.return?.();
  });

  describe('abort', () => {
    it('stops the walk with the signal’s reason', async () => {
      for (let i = 0; i < 200; i++) await put(tmp(), `d${i % 4}/f${i}.txt`);
      const controller = new AbortController();
      const seen: SourceItem[] = [];
      const reason = new Error('stop listing');
      const walk = async (): Promise<void> => {
        for await (const item of new LocalFileSource([tmp()]).list(controller.signal)) {
          seen.push(item);
          if (seen.length === 10) controller.abort(reason);
        }
      };
      await expect(walk()).rejects.toBe(reason);
      expect(seen).toHaveLength(10);
    });

    it('does not start with an aborted signal', async () => {
      await put(tmp(), 'a.txt');
      const signal = AbortSignal.abort(new Error('already'));
      await expect(listAll(new LocalFileSource([tmp()]), signal)).rejects.toThrow('already');
    });

    it('stops while waiting on the file system', async () => {
      for (let i = 0; i < 300; i++) await put(tmp(), `f${i}`);
      const controller = new AbortController();
      const iterator = new LocalFileSource([tmp()]).list(controller.signal)[Symbol.asyncIterator]();
      const pending = iterator.next(); // reading the folder and starting the stats
      controller.abort(new Error('now'));
      // Either the first item was already in hand or the wait was cut short; the next call must fail.
      const first = await pending.then(
        () => 'item',
        (error: unknown) => error,
      );
      if (first === 'item') await expect(iterator.next()).rejects.toThrow('now');
      else expect(first).toEqual(new Error('now'));
    });
  });

  it('lets the consumer stop early without leaving failed promises behind', async () => {
    for (let i = 0; i < 100; i++) await put(tmp(), `f${i}`);
    for await (const item of new LocalFileSource([tmp()]).list()) {
      expect('file' in item).toBe(true);
      break;
    }
    // Stats still in flight when the walk was left must not surface as unhandled rejections.
    await rm(tmp(), { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  describe('the listing worker', () => {
    it('does not run ahead of a slow consumer', async () => {
      // The walk stats files as it goes. If it ran far ahead, files removed
      // while the consumer pauses would already be listed as files; held
      // back (at most ~2,600 entries ahead), it finds them gone.
      for (let i = 0; i < 4000; i++) await writeFile(join(tmp(), `f${String(i).padStart(4, '0')}`), 'x');
      const iterator = new LocalFileSource([tmp()]).list()[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(!first.done && summarise(first.value).path).toBe('f0000');
      await new Promise((resolve) => setTimeout(resolve, 200)); // ample time to list 4,000 files
      for (let i = 3000; i < 4000; i++) await rm(join(tmp(), `f${i}`));
      const rest: SourceItem[] = [];
      for (let item = await iterator.next(); !item.done; item = await iterator.next()) rest.push(item.value);
      expect(files(rest)).toHaveLength(2999);
      expect(problems(rest)).toHaveLength(1000);
      expect(problems(rest)[0]).toMatchObject({ path: 'f3000', error: { code: 'FILE_NOT_FOUND' } });
    });

    it('ends when the consumer stops early', async () => {
      for (let i = 0; i < 3000; i++) await writeFile(join(tmp(), `f${i}`), '');
      const before = threadCount();
      for await (const item of new LocalFileSource([tmp()]).list()) {
        expect('file' in item).toBe(true);
        expect(threadCount()).toBeGreaterThan(before); // the worker
        break;
      }
      await vi.waitFor(() => expect(threadCount()).toBeLessThanOrEqual(before), { timeout: 2_000 });
    });

    it('sends errors as plain CheckErrorInfo objects', async () => {
      await symlink('nowhere', join(tmp(), 'dangling'));
      const [problem] = problems(await listAll(new LocalFileSource([tmp()])));
      expect(Object.getPrototypeOf(problem?.error)).toBe(Object.prototype);
      expect(problem?.error).toEqual({ code: 'FILE_NOT_FOUND', message: expect.any(String), retryable: false });
    });

    it('lists lastModified in whole milliseconds', async () => {
      const path = await put(tmp(), 'a.txt', 'a');
      const seconds = Date.parse('2024-05-06T07:08:09.123Z') / 1000 + 0.0008; // 123.8 ms: truncated, not rounded
      await utimes(path, seconds, seconds);
      for (const given of [tmp(), path]) {
        // In a folder (found by a plain stat) and given itself (a bigint stat).
        const [file] = files(await listAll(new LocalFileSource([given])));
        expect(file).toMatchObject({ size: 1, lastModified: '2024-05-06T07:08:09.123Z' });
      }
    });
  });

  it('reads the files it lists', async () => {
    await put(tmp(), 'x/y.bin', Buffer.from([1, 2, 3]));
    const [file] = files(await listAll(new LocalFileSource([tmp()])));
    expect(await file?.read(0, 10)).toEqual(new Uint8Array([1, 2, 3]));
    expect(Buffer.concat(file ? await chunksOf(file.stream()) : [])).toEqual(await readFile(join(tmp(), 'x/y.bin')));
    await file?.close?.();
  });
});

/** Threads of this process (Linux). */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/** The order the walk must produce, the simplest way: synchronous, recursive, names sorted as bytes. */
function referenceWalk(root: string, rel = ''): string[] {
  const names = readdirSync(join(root, rel), { encoding: 'buffer' }).sort(Buffer.compare);
  return names.flatMap((raw) => {
    const path = rel === '' ? raw.toString() : `${rel}/${raw.toString()}`;
    return statSync(join(root, path)).isDirectory() ? referenceWalk(root, path) : [path];
  });
}
