/**
 * Whether a PDF is encrypted (password to open, or permissions): its
 * trailer — or, from PDF 1.5, its cross-reference stream's dictionary,
 * which is never compressed — holds an `/Encrypt` entry. Both sit at the
 * end of the file; a linearised PDF repeats them near the start. So the
 * first and last bytes are searched, not the whole file.
 */

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ENCRYPT = new TextEncoder().encode('/Encrypt');

/** Whether `head` starts like a PDF (the header may be preceded by up to 1 KB of junk, as readers allow). */
export function looksLikePdf(head: Uint8Array): boolean {
  return indexOf(head.subarray(0, 1024 + PDF_MAGIC.length), Uint8Array.from(PDF_MAGIC)) >= 0;
}

/**
 * Whether `/Encrypt` appears as a whole key in the given parts of a PDF:
 * followed by a delimiter (white space, `<`, `/`, `[`) or a digit, so that
 * `/EncryptMetadata` (inside an encryption dictionary) does not count alone.
 */
export function hasEncryptEntry(...parts: Uint8Array[]): boolean {
  for (const part of parts) {
    let from = 0;
    for (;;) {
      const at = indexOf(part, ENCRYPT, from);
      if (at < 0) break;
      const next = part[at + ENCRYPT.length];
      if (next === undefined || isDelimiter(next)) return true;
      from = at + 1;
    }
  }
  return false;
}

function isDelimiter(byte: number): boolean {
  // PDF white space (NUL, TAB, LF, FF, CR, SP), delimiters that may follow a key, and digits.
  return byte === 0 || byte === 9 || byte === 10 || byte === 12 || byte === 13 || byte === 32 || byte === 0x3c || byte === 0x2f || byte === 0x5b || (byte >= 0x30 && byte <= 0x39);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from);
}
