import type { ExpectedFacts, FileRef } from '../types.js';

/** A FileRef over bytes in memory, for tests of checks that read through the contract. */
export function memoryFile(
  bytes: Uint8Array | string,
  options: { path?: string; expected?: ExpectedFacts; chunkSize?: number; onClose?: () => void } = {},
): FileRef {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const path = options.path ?? 'memory.bin';
  const chunkSize = options.chunkSize ?? 64 * 1024;
  return {
    id: path,
    path,
    size: data.byteLength,
    ...(options.expected ? { expected: options.expected } : {}),
    async read(position, length) {
      return data.subarray(position, Math.min(data.byteLength, position + length));
    },
    async *stream(signal) {
      for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
        signal?.throwIfAborted();
        yield data.subarray(offset, offset + chunkSize);
      }
    },
    async close() {
      options.onClose?.();
    },
  };
}

/**
 * A FileRef naming a local file, for tests of checks that use `localPath`.
 * `size` defaults to the size now; pass another to play a file that changed.
 */
export async function localFile(localPath: string, options: { path?: string; size?: number; expected?: ExpectedFacts } = {}): Promise<FileRef> {
  const { readFile, stat } = await import('node:fs/promises');
  const size = options.size ?? (await stat(localPath)).size;
  const path = options.path ?? localPath;
  return {
    id: path,
    path,
    size,
    localPath,
    ...(options.expected ? { expected: options.expected } : {}),
    async read(position, length) {
      return (await readFile(localPath)).subarray(position, Math.min(size, position + length));
    },
    async *stream() {
      yield (await readFile(localPath)).subarray(0, size);
    },
  };
}
