import { open, type FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import {
  LOCAL_OPEN_FLAGS,
  checkErrorFromFsError,
  checkOpened,
  checkUnchanged,
  truncatedError,
  type ExpectedFacts,
  type FileIdentity,
  type FileRef,
} from '@tdr/checks';

/**
 * Largest chunk `LocalFileRef.stream` yields: 1 MiB. Big enough that the
 * per-call cost of a read (a trip through libuv's thread pool) and of a hash
 * update disappears next to the work on the bytes, small enough that the two
 * chunks alive at a time (the one being consumed, the one being read ahead)
 * cost little memory per file when many files are checked at once.
 */
export const STREAM_CHUNK_SIZE = 1024 * 1024;

/** What a `LocalFileRef` is made from: the facts a listing found. */
export interface LocalFileRefInit {
  /** Unique within the run (see `FileRef.id`). */
  readonly id: string;
  /** The name to show and report (see `FileRef.path`). */
  readonly path: string;
  /** Size in bytes when the file was listed; reads never return bytes past it. */
  readonly size: number;
  /** Absolute path of the file on this machine. */
  readonly localPath: string;
  /** What the uploader declared about the file, when anything. */
  readonly expected?: ExpectedFacts;
  /** Modification time when listed (ISO 8601); the file must still have it when opened. */
  readonly lastModified?: string;
}

interface Opened {
  readonly handle: FileHandle;
  /** Size and mtime when opened, to tell after a full read whether the file changed. */
  readonly identity: FileIdentity;
}

/**
 * A file on a local (or mounted) file system, read through one `FileHandle`
 * opened on first use and shared by every read until `close()`.
 *
 * Why one handle: every check of a file reads through the same descriptor,
 * so they all see the same file even if the name is replaced meanwhile, and
 * a file with thousands of small reads costs one `open`. Why a `FileHandle`
 * and not a bare descriptor: `FileHandle.close()` waits for reads still in
 * flight, whereas closing a bare fd under a pending read lets the kernel hand
 * the same number to another file, which the read would then silently read.
 *
 * Reads are positional (`pread`), so concurrent `read` calls and a `stream`
 * may share the handle safely.
 *
 * @example
 * ```ts
 * const ref = new LocalFileRef({ id: 'a.pdf', path: 'a.pdf', size: 1234, localPath: '/data/a.pdf' });
 * try {
 *   const head = await ref.read(0, 8);
 *   for await (const chunk of ref.stream()) hash.update(chunk);
 * } finally {
 *   await ref.close();
 * }
 * ```
 */
export class LocalFileRef implements FileRef {
  readonly id: string;
  readonly path: string;
  readonly size: number;
  readonly localPath: string;
  readonly expected?: ExpectedFacts;
  readonly lastModified?: string;
  #opened: Promise<Opened> | undefined;
  #closed: Promise<void> | undefined;

  constructor(init: LocalFileRefInit) {
    if (!Number.isSafeInteger(init.size) || init.size < 0) {
      throw new RangeError(`size must be a whole number ≥ 0, got ${init.size}`);
    }
    if (!isAbsolute(init.localPath)) {
      // A relative path would silently change meaning if the process changed directory.
      throw new TypeError(`localPath must be absolute, got ${JSON.stringify(init.localPath)}`);
    }
    this.id = init.id;
    this.path = init.path;
    this.size = init.size;
    this.localPath = init.localPath;
    if (init.expected !== undefined) this.expected = init.expected;
    if (init.lastModified !== undefined) this.lastModified = init.lastModified;
  }

  /**
   * Reads `min(length, size - position)` bytes at `position` (nothing at or
   * past `size`). Opens and judges the file on first use: a `CheckError`
   * `FILE_NOT_FOUND`, `NOT_A_REGULAR_FILE` or `FILE_CHANGED` (size differs
   * from the listing) when it is no longer the file that was listed, and
   * `FILE_CHANGED` when it ends before `size`.
   *
   * @throws RangeError when `position` or `length` is not a whole number ≥ 0.
   */
  async read(position: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    assertWhole('position', position);
    assertWhole('length', length);
    // Opened even for an empty range, so every read says whether the file is still there.
    const { handle } = await this.#open(signal);
    const wanted = Math.max(0, Math.min(length, this.size - position));
    return this.#fill(handle, uninitialised(wanted), position, signal);
  }

  /**
   * Every byte, exactly `size` of them, in fresh chunks of at most
   * `STREAM_CHUNK_SIZE` bytes (a consumer may keep them). The next chunk is
   * read while the consumer works on the current one. Before the last chunk
   * is handed over the file is compared with how it was when opened, so a
   * file that grew, shrank or was rewritten fails with `FILE_CHANGED`
   * instead of yielding a mix of old and new bytes that looks complete.
   */
  async *stream(signal?: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
    const { handle, identity } = await this.#open(signal);
    const size = this.size;
    let issued = 0;
    const readNext = (): Promise<Uint8Array> => {
      const length = Math.min(STREAM_CHUNK_SIZE, size - issued);
      const chunk = this.#fill(handle, uninitialised(length), issued, signal);
      issued += length;
      // If the consumer stops early, the read ahead may still fail; nobody is waiting for it then.
      chunk.catch(() => undefined);
      return chunk;
    };
    let pending = size > 0 ? readNext() : undefined;
    while (pending) {
      const chunk = await pending;
      signal?.throwIfAborted();
      if (issued < size) {
        pending = readNext();
      } else {
        pending = undefined;
        // Judged before the last chunk goes out, so a consumer that stops after `size` bytes cannot miss it.
        await this.#checkUnchanged(handle, identity, signal);
      }
      yield chunk;
    }
  }

  /**
   * Closes the file once reads in flight have finished. Safe to call more
   * than once; `read` and `stream` throw afterwards.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const opened = await this.#opened?.catch(() => undefined); // a failed open left nothing to close
      await opened?.handle.close();
    })();
    return this.#closed;
  }

  /** `close()`, for `await using ref = new LocalFileRef(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The shared handle, opened and judged by the first read; later reads (even racing ones) reuse the outcome. */
  #open(signal: AbortSignal | undefined): Promise<Opened> {
    this.#assertUsable(signal);
    // Not tied to `signal`: concurrent readers with their own signals share this open.
    this.#opened ??= this.#openAndJudge();
    return this.#opened;
  }

  async #openAndJudge(): Promise<Opened> {
    let handle: FileHandle;
    try {
      handle = await open(this.localPath, LOCAL_OPEN_FLAGS);
    } catch (error) {
      throw checkErrorFromFsError(error, this.path);
    }
    try {
      const identity = checkOpened(await handle.stat({ bigint: true }), this, this.path);
      return { handle, identity };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw checkErrorFromFsError(error, this.path);
    }
  }

  /** Fills `buffer` from `position`, looping over short reads; the file ending first means it was truncated. */
  async #fill(
    handle: FileHandle,
    buffer: Uint8Array,
    position: number,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array> {
    let offset = 0;
    while (offset < buffer.length) {
      this.#assertUsable(signal);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, offset, buffer.length - offset, position + offset));
      } catch (error) {
        throw checkErrorFromFsError(error, this.path);
      }
      if (bytesRead === 0) throw truncatedError(this.path, this.size, position + offset);
      offset += bytesRead;
    }
    return buffer;
  }

  async #checkUnchanged(handle: FileHandle, identity: FileIdentity, signal: AbortSignal | undefined): Promise<void> {
    this.#assertUsable(signal);
    let after;
    try {
      after = await handle.stat({ bigint: true });
    } catch (error) {
      throw checkErrorFromFsError(error, this.path);
    }
    checkUnchanged(identity, after, this.path);
  }

  /** Checked before every call into the OS, so an abort or a close stops a long read at the next chunk. */
  #assertUsable(signal: AbortSignal | undefined): void {
    signal?.throwIfAborted();
    // A plain Error, not a CheckError: reading a closed file is a bug in the caller, not a fact about the file.
    if (this.#closed) throw new Error(`${this.path} was closed; it cannot be read any more`);
  }
}

/**
 * A plain `Uint8Array` of `length` bytes, its memory not zeroed (every byte
 * is written before anyone sees it). Not a `Buffer`: what a `FileRef` hands
 * out should behave the same whichever source made it (`Buffer#slice` makes
 * a view where `Uint8Array#slice` copies). Not pooled: a small pooled
 * allocation shares its `ArrayBuffer` with unrelated data.
 */
function uninitialised(length: number): Uint8Array {
  const memory = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(memory.buffer, memory.byteOffset, length);
}

function assertWhole(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
}
