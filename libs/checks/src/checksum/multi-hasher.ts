import { createHash } from 'node:crypto';
import type { IHasher } from 'hash-wasm';
import { NODE_CRYPTO_ALGORITHMS, type ChecksumAlgorithm } from './algorithms.js';

/** Every requested algorithm over one pass of the bytes. */
export interface MultiHasher {
  update(chunk: Uint8Array): void;
  /** Lowercase hex digests keyed by algorithm. Ends the hasher. */
  digest(): Record<ChecksumAlgorithm, string>;
}

/** What `node:crypto` and `hash-wasm` hashers have in common. */
interface HexHasher {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

/** CRC-32C (Castagnoli), reflected polynomial, as iSCSI, ext4 and Google Cloud Storage use. */
const CRC32C_POLYNOMIAL = 0x82f63b78;

/**
 * hash-wasm is loaded on first use: it costs ~15 ms to import, which every
 * start-up (the CLI, a Lambda cold start, each hashing worker) would pay
 * even when only SHA-256 is asked for.
 */
async function createWasmHasher(algorithm: ChecksumAlgorithm): Promise<IHasher> {
  const { createBLAKE3, createCRC32, createXXHash64 } = await import('hash-wasm');
  switch (algorithm) {
    case 'blake3':
      return createBLAKE3();
    case 'xxh64':
      return createXXHash64();
    case 'crc32c':
      return createCRC32(CRC32C_POLYNOMIAL);
    default:
      throw new RangeError(`no WebAssembly hasher for ${algorithm}`);
  }
}

/**
 * Makes a hasher for the algorithms, every hasher fresh (safe to interleave
 * with other hashing, as a large file's hash does when it yields between
 * blocks and the worker hashes small files meanwhile). WebAssembly modules are
 * compiled once per thread by hash-wasm and cached.
 */
export async function createMultiHasher(algorithms: readonly ChecksumAlgorithm[]): Promise<MultiHasher> {
  const hashers: Array<[ChecksumAlgorithm, HexHasher]> = [];
  for (const algorithm of algorithms) {
    if (NODE_CRYPTO_ALGORITHMS.has(algorithm)) {
      hashers.push([algorithm, createHash(algorithm)]);
    } else {
      const hasher = await createWasmHasher(algorithm);
      hasher.init();
      hashers.push([algorithm, hasher]);
    }
  }
  return multiHasher(hashers);
}

/** One WebAssembly hasher per algorithm, reused by `createMultiHasherSync` (see there). */
const sharedWasmHashers = new Map<ChecksumAlgorithm, IHasher>();

/** Loads what `createMultiHasherSync` needs for these algorithms; resolves at once once it has. */
export async function prepareSyncHashers(algorithms: readonly ChecksumAlgorithm[]): Promise<void> {
  for (const algorithm of algorithms) {
    if (!NODE_CRYPTO_ALGORITHMS.has(algorithm) && !sharedWasmHashers.has(algorithm)) {
      sharedWasmHashers.set(algorithm, await createWasmHasher(algorithm));
    }
  }
}

/**
 * A hasher made without awaiting anything, for a file hashed in one
 * synchronous go: no promise per small file. WebAssembly hashers are shared
 * and reset, which is safe only because nothing else can run until this
 * file's digest is taken. Call `prepareSyncHashers` first.
 */
export function createMultiHasherSync(algorithms: readonly ChecksumAlgorithm[]): MultiHasher {
  const hashers: Array<[ChecksumAlgorithm, HexHasher]> = [];
  for (const algorithm of algorithms) {
    if (NODE_CRYPTO_ALGORITHMS.has(algorithm)) {
      hashers.push([algorithm, createHash(algorithm)]);
      continue;
    }
    const shared = sharedWasmHashers.get(algorithm);
    if (!shared) throw new Error(`prepareSyncHashers was not called for ${algorithm}`);
    shared.init();
    hashers.push([algorithm, shared]);
  }
  return multiHasher(hashers);
}

function multiHasher(hashers: ReadonlyArray<[ChecksumAlgorithm, HexHasher]>): MultiHasher {
  return {
    update(chunk) {
      for (const [, hasher] of hashers) hasher.update(chunk);
    },
    digest() {
      const digests = {} as Record<ChecksumAlgorithm, string>;
      for (const [algorithm, hasher] of hashers) digests[algorithm] = hasher.digest('hex');
      return digests;
    },
  };
}
