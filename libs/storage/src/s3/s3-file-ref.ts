import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { CheckError, ErrorCode, type ExpectedFacts, type FileRef } from '@tdr/checks';
import type { RouteSource } from '../routing/route-source.js';
import type { S3Sender } from './client.js';
import { readError } from './errors.js';
import { s3Url } from '../s3-url.js';
import { abortable } from '../abortable.js';

/** How an `S3FileRef` turns small random reads into few requests (see docs/decisions/0015-s3-reads-and-routing.md). */
export interface S3ReadOptions {
  /**
   * Objects up to this size are fetched whole by the first read (one GET),
   * and every later read and `stream()` is served from that copy. Default
   * 1 MiB. Memory: at most this much per object being checked.
   */
  readonly wholeObjectMax?: number;
  /** A read of a larger object fetches at least this many bytes (a ranged GET), kept for later reads. Default 64 KiB. */
  readonly blockSize?: number;
  /** Fetched blocks kept per object (oldest dropped first). Default 8. */
  readonly maxBlocks?: number;
}

export const DEFAULT_WHOLE_OBJECT_MAX = 1024 * 1024;
export const DEFAULT_BLOCK_SIZE = 64 * 1024;
export const DEFAULT_MAX_BLOCKS = 8;

/** What an `S3FileRef` is made from: the facts a listing (or an event) found. */
export interface S3FileRefInit {
  readonly client: S3Sender;
  readonly bucket: string;
  readonly key: string;
  /** The name to show and report: the key relative to the prefix listed. */
  readonly path: string;
  /** Size in bytes when listed. */
  readonly size: number;
  /** The ETag when listed, quoted as S3 sends it (`"9e10…"`); every read requires it still (`If-Match`). */
  readonly etag: string;
  /** A version id, when the bucket is versioned and the listing or event named one. */
  readonly versionId?: string;
  /** Last modification time when listed (ISO 8601). */
  readonly lastModified?: string;
  readonly expected?: ExpectedFacts;
  /** Default `s3://bucket/key`. */
  readonly id?: string;
  readonly readOptions?: S3ReadOptions;
}

interface Block {
  readonly start: number;
  readonly end: number;
  readonly bytes: Promise<Uint8Array>;
}

/**
 * An S3 object as a `FileRef`. Every request carries `If-Match` with the
 * ETag the listing saw, so a read of an object that was overwritten since
 * is `FILE_CHANGED` and never a mix of two versions; one deleted since is
 * `FILE_NOT_FOUND`.
 *
 * Reads are coalesced: an object up to `wholeObjectMax` (1 MiB) is fetched
 * whole by its first read or stream and served from memory after that (one
 * GET per small object for format, flags and checksum together); a larger
 * one is read in blocks of at least `blockSize` (64 KiB) by ranged GETs,
 * the last few blocks kept, so the format check's head, tail and container
 * directory reads cost a couple of requests. `stream()` of a large object is
 * one streamed GET.
 *
 * @example
 * ```ts
 * const ref = new S3FileRef({ client, bucket: 'in', key: 't/a.pdf', path: 'a.pdf', size: 1234, etag: '"9e10…"' });
 * try {
 *   const head = await ref.read(0, 8);
 *   for await (const chunk of ref.stream()) hash.update(chunk);
 * } finally {
 *   await ref.close();
 * }
 * ```
 */
export class S3FileRef implements FileRef {
  readonly id: string;
  readonly path: string;
  readonly size: number;
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly versionId?: string;
  readonly lastModified?: string;
  readonly expected?: ExpectedFacts;
  readonly #client: S3Sender;
  readonly #wholeObjectMax: number;
  readonly #blockSize: number;
  readonly #maxBlocks: number;
  /** Aborts fetches shared between readers (each reader races them against its own signal) on `close()`. */
  readonly #fetches = new AbortController();
  #blocks: Block[] = [];
  #closed = false;

  constructor(init: S3FileRefInit) {
    if (!Number.isSafeInteger(init.size) || init.size < 0) throw new RangeError(`size must be a whole number ≥ 0, got ${init.size}`);
    this.#client = init.client;
    this.bucket = init.bucket;
    this.key = init.key;
    this.id = init.id ?? s3Url(init.bucket, init.key);
    this.path = init.path;
    this.size = init.size;
    this.etag = init.etag;
    if (init.versionId !== undefined) this.versionId = init.versionId;
    if (init.lastModified !== undefined) this.lastModified = init.lastModified;
    if (init.expected !== undefined) this.expected = init.expected;
    this.#wholeObjectMax = init.readOptions?.wholeObjectMax ?? DEFAULT_WHOLE_OBJECT_MAX;
    this.#blockSize = Math.max(1, init.readOptions?.blockSize ?? DEFAULT_BLOCK_SIZE);
    this.#maxBlocks = Math.max(1, init.readOptions?.maxBlocks ?? DEFAULT_MAX_BLOCKS);
  }

  /**
   * Reads `min(length, size - position)` bytes at `position` (nothing at or
   * past `size`, though the object is still asked for, so every read says
   * whether it is still there and unchanged).
   *
   * @throws CheckError `FILE_NOT_FOUND`, `FILE_CHANGED`, `PERMISSION_DENIED`, `READ_ERROR`.
   * @throws RangeError when `position` or `length` is not a whole number ≥ 0.
   */
  async read(position: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    assertWhole('position', position);
    assertWhole('length', length);
    this.#assertUsable(signal);
    const wanted = Math.max(0, Math.min(length, this.size - position));
    const start = Math.min(position, this.size);
    const block = this.#blockFor(start, wanted);
    const bytes = await abortable(block.bytes, signal);
    // A copy: the caller may keep or change it; the block stays for the next read.
    return bytes.slice(start - block.start, start - block.start + wanted);
  }

  /**
   * Every byte, exactly `size` of them: from memory for an object fetched
   * whole, otherwise one GET streamed (with `If-Match`), its length checked.
   *
   * @throws CheckError `FILE_CHANGED` when the object is not the one listed
   * (another ETag, another length), `FILE_NOT_FOUND` when it is gone.
   */
  async *stream(signal?: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
    this.#assertUsable(signal);
    if (this.size <= this.#wholeObjectMax) {
      const all = await abortable(this.#blockFor(0, this.size).bytes, signal);
      if (all.length > 0) yield all.slice();
      return;
    }
    let response: GetObjectCommandOutput;
    try {
      response = await this.#client.send(new GetObjectCommand(this.#get()), signal === undefined ? {} : { abortSignal: signal });
    } catch (error) {
      throw readError(error, this.id, this.etag, signal);
    }
    this.#judge(response, this.size);
    const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?(): void }) | undefined;
    if (!body) throw new CheckError(ErrorCode.ReadError, `reading ${this.id}: the response had no body`, { retryable: true });
    let received = 0;
    let finished = false;
    try {
      for await (const chunk of body) {
        received += chunk.length;
        if (received > this.size) throw this.#changed(`it sent more than the ${this.size} bytes listed`);
        signal?.throwIfAborted();
        yield chunk;
      }
      finished = true;
    } catch (error) {
      throw readError(error, this.id, this.etag, signal);
    } finally {
      if (!finished) body.destroy?.();
    }
    if (received !== this.size) throw this.#changed(`it ended after ${received} of the ${this.size} bytes listed`);
  }

  /**
   * This object as a routing source (an S3 destination copies it
   * server-side, requiring this ETag), with the SHA-256 the checksum check
   * recorded, when it ran.
   */
  routeSource(sha256?: string): RouteSource {
    return {
      path: this.path,
      size: this.size,
      ...(this.lastModified === undefined ? {} : { lastModified: this.lastModified }),
      ...(sha256 === undefined ? {} : { sha256 }),
      s3: { bucket: this.bucket, key: this.key, etag: this.etag, ...(this.versionId === undefined ? {} : { versionId: this.versionId }) },
    };
  }

  /** Drops the kept bytes and stops fetches in flight. Safe to call more than once; reads throw afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#blocks = [];
    this.#fetches.abort(new Error(`${this.id} was closed`));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A kept block holding `[start, start + length)`, or a new one fetched (shared by every reader that needs it). */
  #blockFor(start: number, length: number): Block {
    const end = start + length;
    const kept = this.#blocks.find((block) => block.start <= start && end <= block.end);
    if (kept) return kept;
    let block: Block;
    if (this.size <= this.#wholeObjectMax) {
      block = { start: 0, end: this.size, bytes: this.#fetch(undefined) };
    } else {
      // At least a block; near the end, the block ending at the end (the tail reads that follow are in it).
      const blockEnd = Math.min(this.size, Math.max(end, start + this.#blockSize));
      const blockStart = Math.max(0, Math.min(start, blockEnd - this.#blockSize));
      block = { start: blockStart, end: blockEnd, bytes: this.#fetch({ start: blockStart, end: blockEnd }) };
    }
    this.#blocks.push(block);
    if (this.#blocks.length > this.#maxBlocks) this.#blocks.shift();
    // A failed fetch is not kept: the next read asks again (and reports the error again, or succeeds).
    block.bytes.catch(() => {
      this.#blocks = this.#blocks.filter((other) => other !== block);
    });
    return block;
  }

  /** One GET with `If-Match`: the whole object, or `[range.start, range.end)`; its length checked. */
  async #fetch(range: { start: number; end: number } | undefined): Promise<Uint8Array> {
    // An empty range cannot be asked for (`bytes=0--1`); the whole object is asked for instead (it is empty, or this never happens).
    const ranged = range !== undefined && range.end > range.start;
    const expected = ranged ? range.end - range.start : this.size;
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ ...this.#get(), ...(ranged ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}) }),
        { abortSignal: this.#fetches.signal },
      );
      this.#judge(response, expected);
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
      if (bytes.length !== expected) throw this.#changed(`a read of ${expected} bytes got ${bytes.length}`);
      return bytes;
    } catch (error) {
      throw readError(error, this.id, this.etag);
    }
  }

  #get(): { Bucket: string; Key: string; IfMatch: string; VersionId?: string } {
    return { Bucket: this.bucket, Key: this.key, IfMatch: this.etag, ...(this.versionId === undefined ? {} : { VersionId: this.versionId }) };
  }

  /** A response for another ETag or length than asked (a server that ignores `If-Match`) is a changed object too. */
  #judge(response: GetObjectCommandOutput, length: number): void {
    if (response.ETag !== undefined && response.ETag !== this.etag) throw this.#changed(`it now has ETag ${response.ETag}`);
    if (response.ContentLength !== undefined && response.ContentLength !== length) {
      throw this.#changed(`the response holds ${response.ContentLength} bytes where ${length} were expected`);
    }
  }

  #changed(why: string): CheckError {
    return new CheckError(ErrorCode.FileChanged, `${this.id} changed after it was listed (${why})`, { retryable: true });
  }

  #assertUsable(signal: AbortSignal | undefined): void {
    signal?.throwIfAborted();
    if (this.#closed) throw new Error(`${this.id} was closed; it cannot be read any more`);
  }
}

function assertWhole(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
}
