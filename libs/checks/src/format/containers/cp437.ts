/**
 * IBM code page 437, the character set of ZIP entry names whose general
 * purpose bit 11 (UTF-8) is clear (APPNOTE.TXT, appendix D). Node's
 * TextDecoder has no CP437, and reading such names as Latin-1 or UTF-8 would
 * turn `Ä` (0x8E) into `Ž` or U+FFFD, so here is the table.
 *
 * Bytes 0x00–0x7F are ASCII, as in Java's IBM437 and Python's cp437 codecs
 * (not the glyphs ☺☻♥… that the original PC font drew for control codes).
 */

/** Bytes 0x80–0xFF, in order (the last one is U+00A0, a no-break space). */
const HIGH_HALF =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' +
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩' +
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes CP437 bytes to a string (every byte maps to exactly one character). */
export function decodeCp437(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += byte < 0x80 ? String.fromCharCode(byte) : HIGH_HALF[byte - 0x80];
  }
  return out;
}
