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

/**
 * Files up to this size are identified from all their bytes, with the scan
 * limit still bounding where anchors lie: a fragment (say a ZIP's central
 * directory entry before its end record) is then found wherever it lies, as
 * DROID finds it. Larger files are read in their two windows only, so a
 * fragment farther than a window from both ends goes unseen there (real
 * files keep fragments next to their anchors; the synthetic skeleton
 * samples that do not are all small).
 */
export const WHOLE_FILE_MATCH_BYTES = 1024 * 1024;

/** Anything with a size and random access: a `FileRef` fits. */
export interface WindowSource {
  readonly size: number;
  read(position: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * Reads the first and last `windowBytes` of a file, or the whole file, once,
 * when it is no larger than `wholeFileBytes` (or the window). Two reads at
 * most, whatever the file's size. The window's scan limit is `windowBytes`.
 * @throws CheckError `FILE_CHANGED` when the file is shorter than its size.
 * @example
 * const window = await readWindow(file, DEFAULT_WINDOW_BYTES, ctx.signal, WHOLE_FILE_MATCH_BYTES);
 * const result = identify(signatures, window, file.path);
 */
export async function readWindow(
  source: WindowSource,
  windowBytes: number = DEFAULT_WINDOW_BYTES,
  signal?: AbortSignal,
  wholeFileBytes: number = windowBytes,
): Promise<ByteWindow> {
  if (!Number.isSafeInteger(windowBytes) || windowBytes < 1) throw new RangeError(`window of ${windowBytes} bytes`);
  const size = source.size;
  const scanLimit = windowBytes;
  const expect = (bytes: Uint8Array, length: number): Uint8Array => {
    if (bytes.length < length) {
      throw new CheckError(ErrorCode.FileChanged, `file is shorter (${bytes.length} bytes read) than its size ${size}`, {
        retryable: true,
      });
    }
    return bytes.length === length ? bytes : bytes.subarray(0, length);
  };
  if (size <= Math.max(windowBytes, wholeFileBytes)) {
    const all = size === 0 ? new Uint8Array(0) : expect(await source.read(0, size, signal), size);
    return { size, head: all, tail: all, scanLimit };
  }
  const [head, tail] = await Promise.all([
    source.read(0, windowBytes, signal),
    source.read(size - windowBytes, windowBytes, signal),
  ]);
  return { size, head: expect(head, windowBytes), tail: expect(tail, windowBytes), scanLimit };
}

/**
 * `readWindow` for a file whose bytes can be had synchronously (a worker's
 * `LocalFile`, whose reads check the size themselves).
 */
export function windowOf(
  file: { readonly size: number; read(position: number, length: number): Uint8Array },
  windowBytes: number,
  wholeFileBytes: number = windowBytes,
): ByteWindow {
  const size = file.size;
  if (size <= Math.max(windowBytes, wholeFileBytes)) {
    const all = file.read(0, size);
    return { size, head: all, tail: all, scanLimit: windowBytes };
  }
  return { size, head: file.read(0, windowBytes), tail: file.read(size - windowBytes, windowBytes), scanLimit: windowBytes };
}
