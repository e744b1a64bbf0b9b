/**
 * Reading the window of bytes identification looks at.
 */
import { CheckError, ErrorCode } from '../../errors.js';
import type { ByteWindow } from './types.js';

/**
 * Default bytes read from each end of a file: DROID's default "max bytes
 * to scan" (65,536, droid-results `ProfileContextLocator`), which bounds
 * how far from the start (and from the end) DROID searches. The DROID API
 * scans whole files by default; pass a larger window to come closer to it.
 */
export const DEFAULT_WINDOW_BYTES = 65_536;

/** Anything with a size and random access: a `FileRef` fits. */
export interface WindowSource {
  readonly size: number;
  read(position: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * Reads the first and last `windowBytes` of a file (the whole file, once,
 * when it is no larger). Two reads at most, whatever the file's size.
 * @throws CheckError `FILE_CHANGED` when the file is shorter than its size.
 * @example
 * const window = await readWindow(file, DEFAULT_WINDOW_BYTES, ctx.signal);
 * const result = identify(signatures, window, file.path);
 */
export async function readWindow(
  source: WindowSource,
  windowBytes: number = DEFAULT_WINDOW_BYTES,
  signal?: AbortSignal,
): Promise<ByteWindow> {
  if (!Number.isSafeInteger(windowBytes) || windowBytes < 1) throw new RangeError(`window of ${windowBytes} bytes`);
  const size = source.size;
  const expect = (bytes: Uint8Array, length: number): Uint8Array => {
    if (bytes.length < length) {
      throw new CheckError(ErrorCode.FileChanged, `file is shorter (${bytes.length} bytes read) than its size ${size}`, {
        retryable: true,
      });
    }
    return bytes.length === length ? bytes : bytes.subarray(0, length);
  };
  if (size <= windowBytes) {
    const all = size === 0 ? new Uint8Array(0) : expect(await source.read(0, size, signal), size);
    return { size, head: all, tail: all };
  }
  const [head, tail] = await Promise.all([
    source.read(0, windowBytes, signal),
    source.read(size - windowBytes, windowBytes, signal),
  ]);
  return { size, head: expect(head, windowBytes), tail: expect(tail, windowBytes) };
}
