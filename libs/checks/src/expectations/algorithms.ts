/**
 * Algorithm names and checksum shapes shared by every manifest format.
 * Names are normalised once here so that `SHA-256`, `sha_256` and `SHA256`
 * all become the `sha256` key the checksum check computes.
 */

import { DIGEST_HEX_LENGTH, isChecksumAlgorithm } from '../checksum/algorithms.js';

/**
 * Algorithms that GNU and BSD lines may carry. Narrower than CHECKSUM_ALGORITHMS on
 * purpose: GNU lines name no algorithm (it is inferred from the length, and
 * BLAKE3 and SHA-256 have the same length), and the brief limits BSD tags to
 * what coreutils and BSD `md5`/`sha*` write for these.
 */
export const TAGGED_ALGORITHMS: ReadonlySet<string> = new Set(['md5', 'sha1', 'sha256', 'sha384', 'sha512']);

/** Other spellings, after punctuation is dropped: OpenSSL 3 writes `SHA2-256`. */
const ALIASES: Readonly<Record<string, string>> = {
  sha2224: 'sha224',
  sha2256: 'sha256',
  sha2384: 'sha384',
  sha2512: 'sha512',
  xxhash64: 'xxh64',
};

/** Which algorithm a bare hex checksum of this many digits is taken to be. */
const BY_LENGTH: ReadonlyMap<number, string> = new Map([
  [32, 'md5'],
  [40, 'sha1'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
]);

/** Lowercase without spaces, `_` or `-`: the key form of a name or a column header. */
export function squash(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * The canonical name of an algorithm (`sha256`), or undefined when it is not
 * one this tool can verify.
 */
export function canonicalAlgorithm(name: string): string | undefined {
  const squashed = squash(name);
  const canonical = ALIASES[squashed] ?? squashed;
  // A manifest may name exactly the algorithms the checksum check computes.
  return isChecksumAlgorithm(canonical) ? canonical : undefined;
}

/** The algorithm inferred from a bare checksum's length, when the length is unambiguous enough to guess. */
export function algorithmFromLength(hexDigits: number): string | undefined {
  return BY_LENGTH.get(hexDigits);
}

/** For messages: `md5 32, sha1 40, …`. */
export const LENGTH_TABLE = [...BY_LENGTH].map(([digits, name]) => `${name} ${digits}`).join(', ');

const HEX = /^[0-9a-f]+$/;

/**
 * Lowercases a checksum and checks it has the shape of `algorithm`. Returns
 * the checksum, or a reason (without line) it is not one.
 */
export function normaliseChecksum(algorithm: string, value: string): { ok: string } | { problem: string } {
  const lower = value.toLowerCase();
  if (!HEX.test(lower)) return { problem: `${algorithm} checksum is not hexadecimal` };
  const digits = isChecksumAlgorithm(algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  if (digits !== undefined && lower.length !== digits) {
    return { problem: `${algorithm} checksum must have ${digits} hex digits, found ${lower.length}` };
  }
  return { ok: lower };
}
