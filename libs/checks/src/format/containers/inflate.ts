/**
 * Raw-deflate decompression of a prefix, bounded in output, input and work.
 *
 * A container signature needs the first few KB of an entry; a zip bomb's
 * entry inflates to gigabytes. So we never ask zlib for "everything": either
 * one call capped with `maxOutputLength` (small entries, the common case), or
 * a zlib stream fed a piece of compressed input at a time and destroyed from
 * its own `data` handler as soon as enough output has come out. Every output
 * chunk is charged to an {@link InflateGuard} before we ask for more, so the
 * ratio and the per-archive budget stop a bomb after at most one chunk.
 */
import { constants, createInflateRaw, inflateRawSync, type InflateRaw } from 'node:zlib';
import { concatBytes } from './bytes.js';
import { ContainerError } from './types.js';

/** Counts decompressed bytes against the limits; throws a ContainerError to stop. */
export interface InflateGuard {
  /** Bytes that may still be produced before the archive's budget is spent. */
  remaining(): number;
  /**
   * Records `produced` more output bytes; `consumed` is the compressed input
   * used for all output so far (for the ratio). Throws `LIMIT_EXCEEDED`.
   */
  charge(produced: number, consumed: number): void;
}

/** Reads `length` compressed bytes at `offset` within the entry's data. */
export type ReadCompressed = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Entries up to this compressed size whose declared size is small are
 * inflated in one synchronous call: no thread-pool round trip per entry
 * (a 10,000-entry archive read entry by entry stays fast).
 */
const ONE_SHOT_MAX_INPUT = 64 * 1024;
/**
 * The output cap of that one call. An entry that lies about its size and
 * inflates past it costs at most this much before we switch to streaming,
 * and those bytes are charged too (so many lying entries still run into the
 * archive budget).
 */
const ONE_SHOT_MAX_OUTPUT = 256 * 1024;
/** Compressed bytes read from the source per streaming step. */
const STREAM_INPUT_CHUNK = 64 * 1024;
/** zlib's output chunk when streaming: the most we inflate past what is needed. */
const STREAM_OUTPUT_CHUNK = 64 * 1024;
/**
 * Compressed bytes a read may consume per byte it returns, beyond
 * {@link INPUT_ALLOWANCE}. Deflate needs at most about 2 input bytes per
 * output byte (15-bit codes), 6 for a stream sync-flushed after every byte;
 * only a hostile stream (say gigabytes of empty blocks) needs more, and it
 * must not make a 4 KB read download and inflate the whole entry.
 */
const INPUT_PER_OUTPUT = 8;
const INPUT_ALLOWANCE = 1024 * 1024;

/**
 * The first `want` bytes (fewer if the data ends first) of the raw deflate
 * data of `compressedSize` bytes read through `read`. `declaredSize` is the
 * uncompressed size the archive claims; it only chooses the strategy, the
 * caller caps `want` with it. `what` names the entry in error messages.
 */
export async function inflatePrefix(
  read: ReadCompressed,
  compressedSize: number,
  declaredSize: number,
  want: number,
  guard: InflateGuard,
  what: string,
): Promise<Uint8Array> {
  if (want === 0 || compressedSize === 0) return new Uint8Array(0);
  let input: Uint8Array | undefined;
  if (compressedSize <= ONE_SHOT_MAX_INPUT && declaredSize <= ONE_SHOT_MAX_OUTPUT) {
    input = await read(0, compressedSize);
    // At least 1: with the budget spent, the first byte out is charged and refused.
    const cap = Math.max(1, Math.min(ONE_SHOT_MAX_OUTPUT, Math.floor(guard.remaining())));
    try {
      // Z_SYNC_FLUSH at the end: data cut short gives what it holds instead of "unexpected end of file".
      const out = inflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: cap });
      guard.charge(out.byteLength, compressedSize);
      return plain(out.byteLength > want ? out.subarray(0, want) : out);
    } catch (error) {
      if (!isBufferTooLarge(error)) throw corrupt(error, what);
      // It inflates to more than it declared: charge the work done, then stream.
      guard.charge(cap, compressedSize);
    }
  }
  return inflateStreaming(read, compressedSize, want, guard, what, input);
}

async function inflateStreaming(
  read: ReadCompressed,
  compressedSize: number,
  want: number,
  guard: InflateGuard,
  what: string,
  alreadyRead: Uint8Array | undefined,
): Promise<Uint8Array> {
  const inflater = createInflateRaw({
    finishFlush: constants.Z_SYNC_FLUSH,
    chunkSize: Math.max(1024, Math.min(STREAM_OUTPUT_CHUNK, want)),
  });
  const kept: Uint8Array[] = [];
  let got = 0;
  let failure: unknown;
  inflater.on('data', (chunk: Buffer) => {
    if (failure !== undefined) return;
    if (got < want) {
      const take = Math.min(chunk.byteLength, want - got);
      kept.push(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
      got += take;
    }
    try {
      // bytesWritten: compressed bytes zlib has consumed so far, updated before each chunk is pushed.
      guard.charge(chunk.byteLength, inflater.bytesWritten);
    } catch (error) {
      failure = error;
    }
    // Destroying here stops zlib before it inflates the rest of the piece it was given.
    if (failure !== undefined || got >= want) inflater.destroy();
  });
  inflater.on('error', (error) => {
    failure ??= error;
  });
  const inputCap = Math.min(compressedSize, want * INPUT_PER_OUTPUT + INPUT_ALLOWANCE);
  let consumed = 0;
  try {
    while (consumed < inputCap && got < want && failure === undefined && !inflater.destroyed) {
      const length = Math.min(STREAM_INPUT_CHUNK, inputCap - consumed);
      const piece =
        alreadyRead !== undefined ? alreadyRead.subarray(consumed, consumed + length) : await read(consumed, length);
      consumed += length;
      await settle(inflater, (done) => inflater.write(piece, done));
    }
    if (got < want && failure === undefined && !inflater.destroyed) {
      // Whatever zlib still holds for the input it has seen.
      await settle(inflater, (done) => inflater.flush(constants.Z_SYNC_FLUSH, done));
    }
  } finally {
    inflater.destroy();
  }
  if (failure !== undefined) throw failure instanceof ContainerError ? failure : corrupt(failure, what);
  if (got < want && consumed < compressedSize) {
    throw new ContainerError(
      'LIMIT_EXCEEDED',
      `${what} gave only ${got} bytes from ${consumed} compressed bytes; reading ${want} would take more input than a deflate stream needs (empty blocks?)`,
    );
  }
  return plain(concatBytes(kept, got));
}

/** A plain Uint8Array view of zlib's Buffers, so callers compare and copy them like any other read. */
function plain(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

/**
 * Waits for a write or flush callback, or for the stream to close (after
 * `destroy()` from the data handler, or an error), whichever comes first,
 * so the loop above can never wait forever.
 */
function settle(stream: InflateRaw, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('close', done);
      resolve();
    };
    stream.once('close', done);
    start(done);
  });
}

function isBufferTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
}

function corrupt(error: unknown, what: string): ContainerError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ContainerError('MALFORMED', `the deflate data of ${what} is corrupt: ${detail}`, { cause: error });
}
