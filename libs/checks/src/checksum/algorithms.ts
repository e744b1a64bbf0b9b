/**
 * The checksum algorithms tdr-checks computes, in one table. SHA-1/2 and MD5
 * come from `node:crypto` (OpenSSL, which uses the CPU's SHA instructions:
 * about 7× faster than WebAssembly here); the rest from `hash-wasm`.
 */
const ALGORITHMS = {
  sha256: { hexLength: 64, by: 'node:crypto' },
  sha1: { hexLength: 40, by: 'node:crypto' },
  md5: { hexLength: 32, by: 'node:crypto' },
  sha224: { hexLength: 56, by: 'node:crypto' },
  sha384: { hexLength: 96, by: 'node:crypto' },
  sha512: { hexLength: 128, by: 'node:crypto' },
  blake3: { hexLength: 64, by: 'hash-wasm' },
  xxh64: { hexLength: 16, by: 'hash-wasm' },
  crc32c: { hexLength: 8, by: 'hash-wasm' },
} as const;

export type ChecksumAlgorithm = keyof typeof ALGORITHMS;

/** Every algorithm, in the order `--help` lists them. */
export const CHECKSUM_ALGORITHMS = Object.keys(ALGORITHMS) as readonly ChecksumAlgorithm[];

export const DEFAULT_ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha256'];

/** Algorithms `node:crypto` computes; the others need `hash-wasm`. */
export const NODE_CRYPTO_ALGORITHMS: ReadonlySet<ChecksumAlgorithm> = new Set(
  CHECKSUM_ALGORITHMS.filter((algorithm) => ALGORITHMS[algorithm].by === 'node:crypto'),
);

/** Hex digits of each algorithm's digest, to validate expected values. */
export const DIGEST_HEX_LENGTH = Object.fromEntries(
  CHECKSUM_ALGORITHMS.map((algorithm) => [algorithm, ALGORITHMS[algorithm].hexLength]),
) as Readonly<Record<ChecksumAlgorithm, number>>;

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return Object.hasOwn(ALGORITHMS, name);
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
