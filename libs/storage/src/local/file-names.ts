/**
 * File names as the OS gives them (bytes) and as the rest of tdr-checks
 * needs them (strings). Linux names are byte strings; only those that are
 * valid UTF-8 can round-trip through a JavaScript string path.
 */

// fatal: an invalid name must be caught, not silently turned into a different
// name (which would then not exist). ignoreBOM: a name may start with U+FEFF,
// and the default decoder would strip it.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The name as a string, or `undefined` when it is not valid UTF-8 (surrogates and overlong forms included). */
export function decodeName(raw: Uint8Array): string | undefined {
  try {
    return strict.decode(raw);
  } catch {
    return undefined;
  }
}

/** The name for people: each invalid sequence shown as U+FFFD (�). */
export function displayName(raw: Uint8Array): string {
  return lenient.decode(raw);
}

/**
 * The name for an id: valid sequences as text, every byte of an invalid one
 * as `%XX`, and `%` itself as `%25`. Unlike `displayName` it tells apart two
 * names that differ only in their invalid bytes (`caf\xE9` and `caf\xE8`, as
 * Latin-1 names from an old system often do), so their ids stay unique.
 */
export function escapedName(raw: Uint8Array): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  const flush = (end: number): void => {
    if (end > runStart) out += strict.decode(raw.subarray(runStart, end)).replaceAll('%', '%25');
  };
  while (i < raw.length) {
    const length = validSequenceLength(raw, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    out += `%${raw[i].toString(16).toUpperCase().padStart(2, '0')}`;
    i++;
    runStart = i;
  }
  flush(i);
  return out;
}

/**
 * Length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there
 * does not start one (the byte ranges of the Unicode Standard, table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF).
 */
function validSequenceLength(raw: Uint8Array, i: number): number {
  const b0 = raw[i];
  if (b0 < 0x80) return 1;
  const between = (at: number, low: number, high: number): boolean => {
    const b = raw[at];
    return b !== undefined && b >= low && b <= high;
  };
  const tail = (at: number): boolean => between(at, 0x80, 0xbf);
  if (b0 >= 0xc2 && b0 <= 0xdf) return tail(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const second = b0 === 0xe0 ? between(i + 1, 0xa0, 0xbf) : b0 === 0xed ? between(i + 1, 0x80, 0x9f) : tail(i + 1);
    return second && tail(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const second = b0 === 0xf0 ? between(i + 1, 0x90, 0xbf) : b0 === 0xf4 ? between(i + 1, 0x80, 0x8f) : tail(i + 1);
    return second && tail(i + 2) && tail(i + 3) ? 4 : 0;
  }
  return 0;
}
