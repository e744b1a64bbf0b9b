/**
 * The checksum algorithms tdr-checks computes. SHA-1/2 and MD5 come from
 * `node:crypto` (OpenSSL, which uses the CPU's SHA instructions: about 7×
 * faster than WebAssembly here); the rest from `hash-wasm`.
 */
export const CHECKSUM_ALGORITHMS = [
  'sha256',
  'sha1',
  'md5',
  'sha224',
  'sha384',
  'sha512',
  'blake3',
  'xxh64',
  'crc32c',
] as const;

export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export const DEFAULT_ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha256'];

/** Algorithms `node:crypto` computes; the others need `hash-wasm`. */
export const NODE_CRYPTO_ALGORITHMS: ReadonlySet<ChecksumAlgorithm> = new Set([
  'sha256',
  'sha1',
  'md5',
  'sha224',
  'sha384',
  'sha512',
]);

/** Hex digits of each algorithm's digest, to validate expected values. */
export const DIGEST_HEX_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = {
  sha256: 64,
  sha1: 40,
  md5: 32,
  sha224: 56,
  sha384: 96,
  sha512: 128,
  blake3: 64,
  xxh64: 16,
  crc32c: 8,
};

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * Parses a comma-separated list such as `sha256,md5` (case-insensitive,
 * `SHA-256` accepted), in the order given, without repeats.
 * @throws RangeError naming the unknown algorithm and listing the known ones.
 */
export function parseAlgorithmList(list: string): ChecksumAlgorithm[] {
  const names = list
    .split(',')
    .map((name) => name.trim().toLowerCase().replace(/[-_]/g, ''))
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new RangeError('no checksum algorithm given');
  const unknown = names.filter((name) => !isChecksumAlgorithm(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `unknown checksum algorithm ${unknown.map((name) => `"${name}"`).join(', ')}; known: ${CHECKSUM_ALGORITHMS.join(', ')}`,
    );
  }
  return [...new Set(names as ChecksumAlgorithm[])];
}
