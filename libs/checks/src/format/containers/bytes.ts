/**
 * Little-endian field access and bounded reads shared by the ZIP and OLE2
 * readers. Both formats are little-endian throughout; every read from the
 * source goes through `readExact`, so a structure that points outside the
 * file becomes a `MALFORMED` ContainerError instead of a short buffer that a
 * later field access would misread.
 */
import { ContainerError, type RandomAccess } from './types.js';

export function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

export function u32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/**
 * A 64-bit field as a number. Values of 2^53 and more lose precision, which
 * does not matter: every such offset or size is larger than any file we can
 * read, so the size checks that follow reject it all the same.
 */
export function u64(bytes: Uint8Array, offset: number): number {
  return u32(bytes, offset) + u32(bytes, offset + 4) * 0x1_0000_0000;
}

export function malformed(message: string): ContainerError {
  return new ContainerError('MALFORMED', message);
}

export function limitExceeded(message: string): ContainerError {
  return new ContainerError('LIMIT_EXCEEDED', message);
}

/**
 * Exactly `length` bytes at `position`, or a `MALFORMED` error naming `what`
 * when they are not all in the file. `RandomAccess.read` may return fewer
 * bytes at the end of the file (FileRef does); a source shorter than its
 * own `size` is treated the same way, as a structure pointing past the end.
 */
export async function readExact(source: RandomAccess, position: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > source.size) {
    throw malformed(`${what} (${length} bytes at offset ${position}) lies past the end of the file (${source.size} bytes)`);
  }
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(position, length);
  if (bytes.byteLength < length) {
    throw malformed(`${what}: the file ended after ${bytes.byteLength} of ${length} bytes at offset ${position}`);
  }
  return bytes.byteLength === length ? bytes : bytes.subarray(0, length);
}

/** Joins chunks into one array of `total` bytes (the sum of their lengths). */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteLength === total) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The `maxBytes` argument of `ContainerView.read`: a whole number of bytes,
 * `Infinity` meaning "all of it" (the limits still apply). Anything else is
 * the caller's bug, not the file's, so it is a RangeError.
 */
export function checkMaxBytes(maxBytes: number): number {
  if (maxBytes === Number.POSITIVE_INFINITY) return maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a whole number of bytes ≥ 0 or Infinity, not ${String(maxBytes)}`);
  }
  return maxBytes;
}

/**
 * Merges the caller's partial limits over the defaults and checks them: a
 * limit that is not a positive number is the caller's bug (RangeError).
 */
export function resolveLimits<T extends object>(defaults: Readonly<T>, given: Partial<T> | undefined, kind: string): Readonly<T> {
  const merged = { ...defaults, ...(given ?? {}) } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    const value = merged[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new RangeError(`${kind} limit ${key} must be a positive number, not ${String(value)}`);
    }
  }
  return Object.freeze(merged) as unknown as Readonly<T>;
}
