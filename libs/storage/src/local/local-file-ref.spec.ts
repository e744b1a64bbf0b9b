import { appendFile, mkdir, open, rm, stat, truncate, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckError } from '@tdr/checks';
import { LocalFileRef, STREAM_CHUNK_SIZE } from './local-file-ref.js';
import {
  backdate,
  chunksOf,
  mkfifo,
  openDescriptorCount,
  patterned,
  put,
  useTempDir,
} from '../test-support/fs-fixtures.js';

const MiB = 1024 * 1024;

/** A ref to `path` as a listing would make it: with the size the file has now. */
async function refTo(path: string, name = 'file.bin'): Promise<LocalFileRef> {
  const { size } = await stat(path);
  return new LocalFileRef({ id: name, path: name, size, localPath: path });
}

describe('LocalFileRef', () => {
  const tmp = useTempDir();

  describe('construction', () => {
    it('keeps what it is given, and leaves out expected facts when there are none', () => {
      const expected = { checksums: { sha256: 'ab' } };
      const ref = new LocalFileRef({ id: 'i', path: 'p', size: 3, localPath: '/x/p', expected });
      expect(ref).toMatchObject({ id: 'i', path: 'p', size: 3, localPath: '/x/p', expected });
      expect(new LocalFileRef({ id: 'i', path: 'p', size: 0, localPath: '/x/p' }).expected).toBeUndefined();
    });

    it('rejects sizes that are not whole numbers ≥ 0 and relative paths', () => {
      for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
        expect(() => new LocalFileRef({ id: 'i', path: 'p', size, localPath: '/x' })).toThrow(RangeError);
      }
      expect(() => new LocalFileRef({ id: 'i', path: 'p', size: 1, localPath: 'relative/p' })).toThrow(TypeError);
    });
  });

  describe('read', () => {
    it('reads at the edges: start, middle, end, past the end, nothing', async () => {
      const bytes = patterned(10);
      const ref = await refTo(await put(tmp(), 'ten.bin', bytes));
      try {
        expect(await ref.read(0, 10)).toEqual(new Uint8Array(bytes));
        expect(await ref.read(0, 1000)).toEqual(new Uint8Array(bytes));
        expect(await ref.read(3, 4)).toEqual(new Uint8Array(bytes.subarray(3, 7)));
        expect(await ref.read(9, 5)).toEqual(new Uint8Array(bytes.subarray(9)));
        expect(await ref.read(10, 5)).toEqual(new Uint8Array(0));
        expect(await ref.read(11, 5)).toEqual(new Uint8Array(0));
        expect(await ref.read(Number.MAX_SAFE_INTEGER, 1)).toEqual(new Uint8Array(0));
        expect(await ref.read(0, 0)).toEqual(new Uint8Array(0));
        expect(await ref.read(5, 0)).toEqual(new Uint8Array(0));
      } finally {
        await ref.close();
      }
    });

    it('rejects positions and lengths that are not whole numbers ≥ 0', async () => {
      const ref = await refTo(await put(tmp(), 'f', 'abc'));
      for (const [position, length] of [
        [-1, 1],
        [0, -1],
        [0.5, 1],
        [0, 1.5],
        [Number.NaN, 1],
        [0, Number.POSITIVE_INFINITY],
      ] as const) {
        await expect(ref.read(position, length)).rejects.toThrow(RangeError);
      }
      await ref.close();
    });

    it('returns a buffer of its own, not a view of shared memory', async () => {
      const ref = await refTo(await put(tmp(), 'f', 'abcdef'));
      const bytes = await ref.read(1, 3);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(3);
      await ref.close();
    });

    it('never returns bytes past the listed size, even when the file grew after it was opened', async () => {
      const path = await put(tmp(), 'growing.log', 'first');
      const ref = await refTo(path);
      expect(Buffer.from(await ref.read(0, 1)).toString()).toBe('f'); // opened now
      await appendFile(path, ' and more');
      expect(Buffer.from(await ref.read(0, 100)).toString()).toBe('first');
      await ref.close();
    });

    it('says FILE_NOT_FOUND for a file deleted between listing and reading', async () => {
      const path = await put(tmp(), 'gone.txt', 'bytes');
      const ref = await refTo(path, 'gone.txt');
      await rm(path);
      await expect(ref.read(0, 5)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', name: 'CheckError' });
      await expect(ref.read(0, 5)).rejects.toThrow(/gone\.txt no longer exists/);
      await ref.close();
    });

    it('says FILE_CHANGED for a file truncated or grown after listing', async () => {
      const path = await put(tmp(), 'shrunk.bin', patterned(100));
      const ref = await refTo(path, 'shrunk.bin');
      await truncate(path, 40);
      await expect(ref.read(0, 10)).rejects.toMatchObject({ code: 'FILE_CHANGED', retryable: true });
      await expect(ref.read(0, 10)).rejects.toThrow('shrunk.bin changed after it was listed (size 100 → 40 bytes, modified ');
      await ref.close();

      const grown = await refTo(await put(tmp(), 'grown.bin', 'ab'));
      await appendFile(grown.localPath, 'cd');
      await expect(grown.read(0, 1)).rejects.toMatchObject({ code: 'FILE_CHANGED' });
      await grown.close();
    });

    it('says FILE_CHANGED for a file rewritten with the same size after listing', async () => {
      const path = await put(tmp(), 'same-size.txt', 'before');
      const listed = await stat(path);
      const ref = new LocalFileRef({
        id: 'same-size.txt',
        path: 'same-size.txt',
        size: listed.size,
        localPath: path,
        lastModified: listed.mtime.toISOString(),
      });
      await put(tmp(), 'same-size.txt', 'after!');
      await utimes(path, listed.atime, new Date(listed.mtimeMs + 5_000));
      await expect(ref.read(0, 6)).rejects.toMatchObject({ code: 'FILE_CHANGED', retryable: true });
      await ref.close();
      // Unchanged, the listed time is accepted (listings may round it to the millisecond).
      const again = await stat(path);
      const same = new LocalFileRef({ id: 's', path: 's', size: again.size, localPath: path, lastModified: again.mtime.toISOString() });
      expect(new TextDecoder().decode(await same.read(0, 6))).toBe('after!');
      await same.close();
    });

    it('says FILE_CHANGED when the file ends early because it was truncated after it was opened', async () => {
      const path = await put(tmp(), 'cut.bin', patterned(1000));
      const ref = await refTo(path, 'cut.bin');
      await ref.read(0, 1);
      await truncate(path, 600);
      expect(await ref.read(0, 600)).toHaveLength(600);
      await expect(ref.read(500, 200)).rejects.toThrow(
        'cut.bin was truncated while it was being read (expected 1000 bytes, found 600)',
      );
      await ref.close();
    });

    it('says NOT_A_REGULAR_FILE, without hanging, when the file was replaced by a FIFO', async () => {
      const path = await put(tmp(), 'was-a-file', '');
      const ref = await refTo(path, 'was-a-file');
      await rm(path);
      mkfifo(path);
      await expect(ref.read(0, 1)).rejects.toMatchObject({
        code: 'NOT_A_REGULAR_FILE',
        message: 'was-a-file is a FIFO (named pipe); only regular files are checked',
      });
      await expect(chunksOf(ref.stream())).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
      await ref.close();
    }, 5_000);

    it('says NOT_A_REGULAR_FILE when the file was replaced by a folder', async () => {
      const path = await put(tmp(), 'was-a-file', '');
      const ref = await refTo(path, 'was-a-file');
      await rm(path);
      await mkdir(path);
      await expect(ref.read(0, 1)).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
      await ref.close();
    });

    it('opens once for concurrent reads, however they race, and releases the descriptor on close', async () => {
      const bytes = patterned(64 * 1024, 7);
      const ref = await refTo(await put(tmp(), 'shared.bin', bytes));
      const before = openDescriptorCount();
      const reads = Array.from({ length: 64 }, (_, i) => ref.read(i * 1000, 1500));
      const results = await Promise.all(reads);
      results.forEach((result, i) => expect(result).toEqual(new Uint8Array(bytes.subarray(i * 1000, i * 1000 + 1500))));
      expect(openDescriptorCount()).toBe(before + 1);
      await ref.close();
      expect(openDescriptorCount()).toBe(before);
    });

    it('rejects with the signal’s reason, before touching the file', async () => {
      const ref = await refTo(await put(tmp(), 'f', 'abc'));
      const reason = new Error('cancelled');
      await expect(ref.read(0, 1, AbortSignal.abort(reason))).rejects.toBe(reason);
      await ref.close();
    });
  });

  describe('stream', () => {
    const sizes = [0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 5];
    it.each(sizes)('yields exactly the %i bytes of the file, in fresh chunks of at most 1 MiB', async (size) => {
      const bytes = patterned(size, size);
      const ref = await refTo(await put(tmp(), `s${size}.bin`, bytes));
      const chunks = await chunksOf(ref.stream());
      await ref.close();
      expect(chunks).toHaveLength(Math.ceil(size / STREAM_CHUNK_SIZE));
      for (const chunk of chunks) {
        expect(chunk.length).toBeGreaterThan(0);
        expect(chunk.length).toBeLessThanOrEqual(STREAM_CHUNK_SIZE);
      }
      // Kept until the end and still right: no chunk's memory was reused for the next.
      expect(new Set(chunks.map((chunk) => chunk.buffer)).size).toBe(chunks.length);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    });

    it('can be streamed twice, and mixed with reads', async () => {
      const bytes = patterned(MiB + 3);
      const ref = await refTo(await put(tmp(), 'twice.bin', bytes));
      const [first, head, second] = await Promise.all([chunksOf(ref.stream()), ref.read(0, 16), chunksOf(ref.stream())]);
      expect(Buffer.concat(first).equals(bytes)).toBe(true);
      expect(Buffer.concat(second).equals(bytes)).toBe(true);
      expect(head).toEqual(new Uint8Array(bytes.subarray(0, 16)));
      await ref.close();
    });

    it('opens and judges a zero-byte file although there is nothing to yield', async () => {
      const path = await put(tmp(), 'empty', '');
      const ref = await refTo(path, 'empty');
      await rm(path);
      await expect(chunksOf(ref.stream())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await ref.close();

      const filled = await refTo(await put(tmp(), 'empty-then-not', ''));
      await appendFile(filled.localPath, 'x');
      await expect(chunksOf(filled.stream())).rejects.toMatchObject({ code: 'FILE_CHANGED' });
      await filled.close();
    });

    it('says FILE_CHANGED when the file grows while it is streamed', async () => {
      const path = await put(tmp(), 'grows.bin', patterned(3 * MiB));
      await backdate(path);
      const ref = await refTo(path, 'grows.bin');
      let received = 0;
      const consume = async (): Promise<void> => {
        for await (const chunk of ref.stream()) {
          if (received === 0) await appendFile(path, 'more');
          received += chunk.length;
        }
      };
      const error = await consume().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(CheckError);
      expect(error).toMatchObject({ code: 'FILE_CHANGED', retryable: true });
      expect((error as Error).message).toBe(
        'grows.bin was modified while it was being read (size 3145728 → 3145732 bytes); check it again once it is no longer being written',
      );
      // Judged before the last chunk goes out: a consumer never holds all `size` bytes of a changed file.
      expect(received).toBe(2 * MiB);
      await ref.close();
    });

    it('says FILE_CHANGED when the file is rewritten in place (same size) while it is streamed', async () => {
      const size = 2 * MiB + 1;
      const path = await put(tmp(), 'rewritten.bin', patterned(size));
      await backdate(path);
      const ref = await refTo(path, 'rewritten.bin');
      let received = 0;
      const consume = async (): Promise<void> => {
        for await (const chunk of ref.stream()) {
          if (received === 0) {
            const handle = await open(path, 'r+');
            await handle.write(Buffer.from('overwritten'), 0, 11, 0);
            await handle.close();
          }
          received += chunk.length;
        }
      };
      await expect(consume()).rejects.toThrow(
        'rewritten.bin was modified while it was being read (size 2097153 → 2097153 bytes)',
      );
      expect(received).toBeLessThan(size);
      await ref.close();
    });

    it('says FILE_CHANGED when the file is truncated while it is streamed', async () => {
      const path = await put(tmp(), 'shrinks.bin', patterned(3 * MiB));
      const ref = await refTo(path, 'shrinks.bin');
      const consume = async (): Promise<void> => {
        let first = true;
        for await (const _chunk of ref.stream()) {
          if (first) await truncate(path, MiB + 10);
          first = false;
        }
      };
      await expect(consume()).rejects.toMatchObject({ code: 'FILE_CHANGED' });
      await ref.close();
    });

    it('stops with the signal’s reason when aborted mid-stream', async () => {
      const ref = await refTo(await put(tmp(), 'long.bin', patterned(4 * MiB)));
      const controller = new AbortController();
      const reason = new Error('stop streaming');
      let chunks = 0;
      const consume = async (): Promise<void> => {
        for await (const _chunk of ref.stream(controller.signal)) {
          chunks++;
          controller.abort(reason);
        }
      };
      await expect(consume()).rejects.toBe(reason);
      expect(chunks).toBe(1);
      await ref.close();
    });

    it('lets a consumer stop early, and reads on afterwards', async () => {
      const bytes = patterned(3 * MiB);
      const ref = await refTo(await put(tmp(), 'partial.bin', bytes));
      for await (const chunk of ref.stream()) {
        expect(chunk.length).toBe(MiB);
        break;
      }
      expect(await ref.read(3 * MiB - 2, 2)).toEqual(new Uint8Array(bytes.subarray(3 * MiB - 2)));
      await ref.close();
    });
  });

  describe('close', () => {
    it('is idempotent, needs no open, and makes later reads throw', async () => {
      const ref = await refTo(await put(tmp(), 'f', 'abc'), 'f');
      await ref.close();
      await ref.close();
      await expect(ref.read(0, 1)).rejects.toThrow('f was closed; it cannot be read any more');
      await expect(chunksOf(ref.stream())).rejects.toThrow(/was closed/);

      const opened = await refTo(await put(tmp(), 'g', 'abc'));
      await opened.read(0, 1);
      await Promise.all([opened.close(), opened.close(), opened[Symbol.asyncDispose]()]);
      await expect(opened.read(0, 1)).rejects.toThrow(/was closed/);
    });

    it('waits for a read in flight, which completes with the right bytes', async () => {
      const bytes = patterned(8 * MiB, 3);
      const ref = await refTo(await put(tmp(), 'big.bin', bytes));
      await ref.read(0, 1);
      const reading = ref.read(0, bytes.length);
      await new Promise((resolve) => setImmediate(resolve)); // the read is now with the OS
      await ref.close();
      expect(Buffer.from(await reading).equals(bytes)).toBe(true);
    });

    it('closes cleanly after a failed open', async () => {
      const ref = new LocalFileRef({ id: 'x', path: 'x', size: 1, localPath: join(tmp(), 'never-existed') });
      await expect(ref.read(0, 1)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await expect(ref.close()).resolves.toBeUndefined();
    });
  });
});
