import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckError, ErrorCode, checkErrorFromFsError } from '../errors.js';
import { type FileIdentity, LOCAL_OPEN_FLAGS, checkOpened, checkUnchanged, truncatedError } from '../io/local-file.js';
import type { LocalFileJob } from './protocol.js';

/**
 * Files up to this size are read whole, once, on first use, and every task
 * on the file is served from that copy: one read system call instead of one
 * per task.
 */
export const WHOLE_READ_LIMIT = 1024 * 1024;

/**
 * Buffers whole files are read into, reused from file to file: reading into
 * fresh memory costs a page fault per 4 KiB on top of the copy (measured:
 * reads of 10,000 small files 60 ms into a reused buffer, 140 ms into new
 * ones). A file holds its buffer until it is closed.
 */
const SCRATCH_BYTES = WHOLE_READ_LIMIT + 1;
const idleScratch: Buffer[] = [];
/** Idle buffers kept: enough for the files of a batch whose tasks are still running. */
const MAX_IDLE_SCRATCH = 64;

/**
 * A local file opened in a worker thread, judged against its listing, read
 * with synchronous calls (a worker may block; the main thread never does).
 * Reads never return bytes past the listed size; a file that ends early or
 * grew is a `FILE_CHANGED` error.
 */
export class LocalFile {
  readonly localPath: string;
  readonly displayPath: string;
  readonly size: number;
  readonly lastModified: string | undefined;
  readonly #fd: number;
  /** Size and modification time when opened, to compare with after a long read. */
  readonly #identity: FileIdentity;
  #whole: Uint8Array | undefined;
  #scratch: Buffer | undefined;
  #closed = false;

  private constructor(job: LocalFileJob, fd: number, identity: FileIdentity) {
    this.localPath = job.localPath;
    this.displayPath = job.displayPath;
    this.size = job.size;
    this.lastModified = job.lastModified;
    this.#fd = fd;
    this.#identity = identity;
  }

  /** Opens and judges the file (regular, same size and time as listed). */
  static open(job: LocalFileJob): LocalFile {
    let fd: number;
    try {
      fd = openSync(job.localPath, LOCAL_OPEN_FLAGS);
    } catch (error) {
      throw checkErrorFromFsError(error, job.displayPath);
    }
    try {
      return new LocalFile(job, fd, checkOpened(fstatSync(fd), job, job.displayPath));
    } catch (error) {
      closeSync(fd);
      throw checkErrorFromFsError(error, job.displayPath);
    }
  }

  /**
   * Every byte, read once (and kept for later reads). Reads one byte more
   * than the size, so a file that grew shows without a second `fstat`. The
   * view is valid until `close()`: copy what must outlive the file.
   */
  bytes(): Uint8Array {
    if (this.#whole) return this.#whole;
    let buffer: Buffer;
    if (this.size < SCRATCH_BYTES) {
      this.#scratch = idleScratch.pop() ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES);
      buffer = this.#scratch;
    } else {
      buffer = Buffer.allocUnsafe(this.size + 1);
    }
    let position = 0;
    while (position <= this.size) {
      const wanted = this.size + 1 - position;
      const bytesRead = this.#pread(buffer, position, wanted, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      // A short read that ends exactly at the size is the end of a regular file: no second
      // call to learn it (a file that grew would have filled the one byte more asked for).
      if (position === this.size && bytesRead < wanted) break;
    }
    if (position > this.size) {
      throw new CheckError(ErrorCode.FileChanged, `${this.displayPath} grew while it was being read (it had ${this.size} bytes when opened)`, {
        retryable: true,
      });
    }
    if (position < this.size) throw truncatedError(this.displayPath, this.size, position);
    this.#whole = buffer.subarray(0, this.size);
    return this.#whole;
  }

  /** `min(length, size - position)` bytes at `position`. */
  read(position: number, length: number): Uint8Array {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    if (this.#whole || this.size <= WHOLE_READ_LIMIT) return this.bytes().subarray(position, position + wanted);
    const buffer = Buffer.allocUnsafe(wanted);
    this.readInto(buffer, position);
    return buffer;
  }

  /**
   * Fills `buffer` (or what is left of the file) from `position`, for
   * reading a large file block by block into one reused buffer; returns the
   * bytes read. A file that ends before its size is `FILE_CHANGED`.
   */
  readInto(buffer: Uint8Array, position: number): number {
    const wanted = Math.max(0, Math.min(buffer.length, this.size - position));
    let done = 0;
    while (done < wanted) {
      const bytesRead = this.#pread(buffer, done, wanted - done, position + done);
      if (bytesRead === 0) throw truncatedError(this.displayPath, this.size, position + done);
      done += bytesRead;
    }
    return done;
  }

  /** Throws `FILE_CHANGED` if the file's size or modification time is not what it was when opened. */
  confirmUnchanged(): void {
    try {
      checkUnchanged(this.#identity, fstatSync(this.#fd), this.displayPath);
    } catch (error) {
      throw checkErrorFromFsError(error, this.displayPath);
    }
  }

  /** The file as container readers take it (their reads are asynchronous; these are not, underneath). */
  randomAccess(): { readonly size: number; read(position: number, length: number): Promise<Uint8Array> } {
    return { size: this.size, read: async (position, length) => this.read(position, length) };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#whole = undefined;
    if (this.#scratch && idleScratch.length < MAX_IDLE_SCRATCH) idleScratch.push(this.#scratch);
    this.#scratch = undefined;
    closeSync(this.#fd);
  }

  #pread(buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (this.#closed) throw new Error(`${this.displayPath} was read after it was closed`);
    try {
      return readSync(this.#fd, buffer, offset, length, position);
    } catch (error) {
      throw checkErrorFromFsError(error, this.displayPath);
    }
  }
}
