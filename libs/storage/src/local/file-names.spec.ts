import { describe, expect, it } from 'vitest';
import { decodeName, displayName, escapedName } from './file-names.js';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('file names', () => {
  it('decodes valid UTF-8 exactly, a leading BOM included', () => {
    for (const name of ['plain.txt', 'caf\u00E9', 'cafe\u0301', '\u{1F600}', '\uFEFFbom', 'a\nb', '%41']) {
      expect(decodeName(utf8(name))).toBe(name);
      expect(escapedName(utf8(name))).toBe(name.replaceAll('%', '%25'));
    }
  });

  it.each([
    ['a Latin-1 byte', bytes(0x63, 0xe9), 'c%E9', 'c\uFFFD'],
    ['a lone continuation byte', bytes(0x80, 0x61), '%80a', '\uFFFDa'],
    ['an overlong NUL', bytes(0xc0, 0x80), '%C0%80', '\uFFFD\uFFFD'],
    ['an overlong slash', bytes(0xe0, 0x80, 0xaf), '%E0%80%AF', '\uFFFD\uFFFD\uFFFD'],
    ['a UTF-16 surrogate (CESU-8)', bytes(0xed, 0xa0, 0x80), '%ED%A0%80', '\uFFFD\uFFFD\uFFFD'],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), '%F4%90%80%80', '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['a sequence cut short at the end', bytes(0x61, 0xe2, 0x82), 'a%E2%82', 'a\uFFFD'],
    ['a sequence cut short by ASCII', bytes(0xe2, 0x28, 0xa1), '%E2(%A1', '\uFFFD(\uFFFD'],
    ['invalid bytes around valid text with %', bytes(0xff, 0x25, 0xc3, 0xa9, 0xfe), '%FF%25\u00E9%FE', '\uFFFD%\u00E9\uFFFD'],
  ])('rejects %s, escapes it for ids and shows it with U+FFFD', (_what, raw, escaped, shown) => {
    expect(decodeName(raw)).toBeUndefined();
    expect(escapedName(raw)).toBe(escaped);
    expect(displayName(raw)).toBe(shown);
  });

  it('gives names that differ only in invalid bytes different ids', () => {
    expect(escapedName(bytes(0x63, 0xe9))).not.toBe(escapedName(bytes(0x63, 0xe8)));
    // and `%` is escaped, so an escape cannot be mistaken for text that looks like one
    expect(escapedName(bytes(0x25, 0x45, 0x39, 0xff))).toBe('%25E9%FF');
  });
});
