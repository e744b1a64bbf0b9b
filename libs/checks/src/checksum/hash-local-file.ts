import { CheckError, ErrorCode } from '../errors.js';
import type { LocalFile } from '../workers/local-file.js';
import type { ChecksumAlgorithm } from './algorithms.js';
import { createMultiHasher } from './multi-hasher.js';

export interface HashControl {
  isCancelled(): boolean;
  progress(bytesDone: number): void;
}

/**
 * Files up to this size are read whole in one call and hashed without a
 * promise (see hash-task.ts); larger ones block by block by `hashLargeFile`,
 * as a job of their own that the runner may interrupt.
 */
export const WHOLE_FILE_HASH_LIMIT = 8 * 1024 * 1024;
/**
 * Block of a large file's reads. Small enough that a block is still in the
 * CPU's cache when it is hashed, large enough that system calls cost
 * nothing. Measured on a 2 GiB file (2 cores, page cache warm, decision
 * 0017): 256 KiB–1 MiB blocks read synchronously hash in 1.45–1.51 s, 4 MiB
 * in 1.48–1.58 s, 8 MiB blocks read asynchronously (the next while this one
 * is hashed) in 1.62–1.78 s; `openssl dgst -sha256` takes 1.56 s.
 */
const BLOCK = 256 * 1024;
/**
 * Bytes (~20 ms of hashing from the page cache) or milliseconds (a slow
 * disk) between two turns of the worker's event loop, when cancellation
 * messages arrive and progress goes out; the pool replaces a worker that
 * falls silent.
 */
const YIELD_EVERY_BYTES = 32 * 1024 * 1024;
const YIELD_EVERY_MS = 250;

/**
 * Hashes the whole of a large local file with every algorithm in one pass:
 * synchronous reads of one reused block, each hashed while it is in the
 * cache, with the kernel's read-ahead fetching the next from the disk
 * meanwhile (what `sha256sum` and `openssl dgst` rely on too). Reads exactly
 * the file's listed size and fails with `FILE_CHANGED` if it changes while
 * it is read. Runs in a worker thread, which may block.
 */
export async function hashLargeFile(file: LocalFile, algorithms: readonly ChecksumAlgorithm[], control: HashControl): Promise<Record<string, string>> {
  const hasher = await createMultiHasher(algorithms);
  const block = Buffer.allocUnsafe(BLOCK);
  let position = 0;
  let nextYield = YIELD_EVERY_BYTES;
  let yieldedAt = performance.now();
  while (position < file.size) {
    const bytesRead = file.readInto(block, position);
    hasher.update(bytesRead === BLOCK ? block : block.subarray(0, bytesRead));
    position += bytesRead;
    if (position >= nextYield || performance.now() - yieldedAt >= YIELD_EVERY_MS) {
      nextYield = position + YIELD_EVERY_BYTES;
      await new Promise((resolve) => setImmediate(resolve));
      if (control.isCancelled()) {
        throw new CheckError(ErrorCode.Aborted, `hashing ${file.displayPath} was cancelled`, { retryable: true });
      }
      control.progress(position);
      yieldedAt = performance.now();
    }
  }
  file.confirmUnchanged();
  return hasher.digest();
}
