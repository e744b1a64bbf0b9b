import { expect } from 'vitest';
import { ManifestError } from '../expectations/manifest-error.js';

/** Checksums of the right lengths (sha256, md5, sha1, sha384, sha512). */
export const A64 = 'a'.repeat(64);
export const B64 = 'b'.repeat(64);
export const C32 = 'c'.repeat(32);
export const D40 = 'd'.repeat(40);
export const E96 = 'e'.repeat(96);
export const F128 = 'f'.repeat(128);

/** Runs `fn`, which must throw a ManifestError, and returns it. */
export function manifestError(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError, nothing was thrown');
}
