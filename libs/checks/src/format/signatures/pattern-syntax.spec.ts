import { describe, expect, it } from 'vitest';
import { joinChunks, normalizeChunk, parsePattern, PatternSyntaxError, reverseChunk } from './pattern-syntax.js';
import { ANY, ClassInterner, UNBOUNDED, unitAccepts } from './units.js';

function parse(text: string) {
  const classes = new ClassInterner();
  const chunk = parsePattern(text, classes);
  return { chunk, classes, table: classes.table() };
}

/** The bytes a one-unit pattern accepts. */
function acceptedBytes(text: string): number[] {
  const { chunk, table } = parse(text);
  expect(chunk.elements).toHaveLength(1);
  const alt = chunk.elements[0]?.alts[0] ?? [];
  expect(alt).toHaveLength(1);
  const unit = alt[0] as number;
  return Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => unitAccepts(unit, byte, table));
}

describe('parsePattern: tokens', () => {
  it('reads hex bytes in either case, ignoring spaces', () => {
    const { chunk } = parse('49 49 2a 00 Ff');
    expect(chunk.elements).toEqual([{ gapMin: 0, gapMax: 0, alts: [[0x49, 0x49, 0x2a, 0x00, 0xff]] }]);
  });

  it('reads quoted ASCII, including parentheses and runs of spaces', () => {
    const { chunk } = parse("'Microsoft (R) PowerPoint (R) Windows  ' 00 07");
    const text = 'Microsoft (R) PowerPoint (R) Windows  ';
    expect(chunk.elements[0]?.alts[0]).toEqual([...[...text].map((c) => c.charCodeAt(0)), 0x00, 0x07]);
  });

  it('reads text glued to hex without a space', () => {
    const { chunk } = parse("'Visio (TM) Drawing'0D0A");
    expect(chunk.elements[0]?.alts[0]?.slice(-2)).toEqual([0x0d, 0x0a]);
  });

  it('reads ?? and . as any byte', () => {
    const { chunk } = parse('01 ?? 02 . 03');
    expect(chunk.elements[0]?.alts[0]).toEqual([1, ANY, 2, ANY, 3]);
  });

  it('reads {n}, {n-m}, {n-*} and * as gaps between elements', () => {
    const { chunk } = parse('01 {4} 02 {2-6} 03 {3-*} 04 * 05');
    expect(chunk.elements.map((e) => [e.gapMin, e.gapMax, e.alts])).toEqual([
      [0, 0, [[1]]],
      [4, 4, [[2]]],
      [2, 6, [[3]]],
      [3, UNBOUNDED, [[4]]],
      [0, UNBOUNDED, [[5]]],
    ]);
  });

  it('adds up consecutive gaps and keeps leading and trailing gaps', () => {
    const { chunk } = parse('{2} ?? {1-3} 01 {5}');
    // ?? is a byte (ANY), so the leading gap is 2 and the element is ANY 01 after a 1-3 gap.
    expect(chunk.elements.map((e) => [e.gapMin, e.gapMax, e.alts])).toEqual([
      [2, 2, [[ANY]]],
      [1, 3, [[1]]],
    ]);
    expect([chunk.tailMin, chunk.tailMax]).toEqual([5, 5]);
  });

  it('accepts byteseek-style {n,m}', () => {
    const { chunk } = parse('01 {2,4} 02');
    expect(chunk.elements[1]).toMatchObject({ gapMin: 2, gapMax: 4 });
  });

  it('reads (a|b) of one byte each as one class that joins the run', () => {
    const { chunk, table } = parse("'version=' (22|27) '1.0'");
    expect(chunk.elements).toHaveLength(1);
    const alt = chunk.elements[0]?.alts[0] ?? [];
    expect(alt).toHaveLength(8 + 1 + 3);
    const unit = alt[8] as number;
    expect([0x22, 0x27, 0x23].map((byte) => unitAccepts(unit, byte, table))).toEqual([true, true, false]);
  });

  it('reads multi-byte alternatives (of different lengths) as one element', () => {
    const { chunk } = parse("01 ('ab'|0D0A 0D|0A) 02");
    expect(chunk.elements.map((e) => e.alts)).toEqual([[[1]], [[0x61, 0x62], [0x0d, 0x0a, 0x0d], [0x0a]], [[2]]]);
  });

  it('reads [xx:yy] and [xx-yy] as a range', () => {
    expect(acceptedBytes('[30:37]')).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]);
    expect(acceptedBytes('[37-30]')).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]);
  });

  it("reads ['6'-'7'] as a character range", () => {
    expect(acceptedBytes("['6'-'7']")).toEqual([0x36, 0x37]);
  });

  it('reads [!xx] as any byte but xx', () => {
    const bytes = acceptedBytes('[!00]');
    expect(bytes).toHaveLength(255);
    expect(bytes).not.toContain(0);
  });

  it('reads the multi-byte forms as ONE byte, as DROID (byteseek) does', () => {
    // [0000:1000] = set {00, 00..10, 00}: one byte in 00..10.
    expect(acceptedBytes('[0000:1000]')).toEqual(Array.from({ length: 0x11 }, (_, i) => i));
    // [!0000] = one byte other than 00.
    expect(acceptedBytes('[!0000]')).toHaveLength(255);
    // [!4001C80000000000] = one byte not in {40, 01, C8, 00}.
    const bytes = acceptedBytes('[!4001C80000000000]');
    expect(bytes).toHaveLength(252);
    expect(bytes).not.toContain(0x40);
    expect(bytes).not.toContain(0xc8);
  });

  it('reads [!&01] as a byte whose lowest bit is clear', () => {
    const bytes = acceptedBytes('[!&01]');
    expect(bytes).toHaveLength(128);
    expect(bytes.every((byte) => (byte & 1) === 0)).toBe(true);
  });

  it('reads &xx (all bits) and ~xx (any bit) bitmasks', () => {
    expect(acceptedBytes('&81')).toEqual([0x81, 0x83, 0x85, 0x87].concat(acceptedBytes('&81').slice(4)));
    expect(acceptedBytes('&81').every((byte) => (byte & 0x81) === 0x81)).toBe(true);
    expect(acceptedBytes('~81')).toHaveLength(256 - 64);
  });

  it('reads case-insensitive `text`', () => {
    const { chunk, table } = parse('`Ab`');
    const alt = chunk.elements[0]?.alts[0] ?? [];
    expect(alt.map((unit) => ['a', 'A', 'b', 'B'].filter((c) => unitAccepts(unit, c.charCodeAt(0), table)))).toEqual([
      ['a', 'A'],
      ['b', 'B'],
    ]);
  });

  it('shares one class between equal sets', () => {
    const { classes } = parse('[30:31] [30:31] [!00]');
    expect(classes.table().length).toBe(2 * 256);
  });

  it.each([
    ["'abc", /no closing '/],
    ['0', /two hex digits/],
    ['01 ?', /not followed by "\?"/],
    ['[]', /empty set/],
    ['[01', /no "]"/],
    ['(01|02', /no "\)"/],
    ['(01||02)', /empty alternative/],
    ['(01 {2} 02)', /unexpected character '\{'/],
    ['{2-', /expected a number/],
    ['01 zz', /unexpected character 'z'/],
    ['', /empty pattern/],
  ])('rejects %j', (text, message) => {
    expect(() => parse(text)).toThrow(PatternSyntaxError);
    expect(() => parse(text)).toThrow(message);
  });
});

describe('chunks', () => {
  it('joins with the gaps added up, unbounded winning', () => {
    const a = parse('01 {2}').chunk;
    const b = parse('{1-3} 02').chunk;
    expect(joinChunks(a, 4, 4, b).elements[1]).toMatchObject({ gapMin: 7, gapMax: 9 });
    expect(joinChunks(a, 0, UNBOUNDED, b).elements[1]).toMatchObject({ gapMin: 3, gapMax: UNBOUNDED });
  });

  it('reverses elements, alternatives and gaps', () => {
    const chunk = parse('{1} 01 02 {3-4} (03|04 05) {6}').chunk;
    const reversed = reverseChunk(chunk);
    expect(reversed.elements.map((e) => [e.gapMin, e.gapMax, e.alts])).toEqual([
      [6, 6, [[3], [5, 4]]],
      [3, 4, [[2, 1]]],
    ]);
    expect([reversed.tailMin, reversed.tailMax]).toEqual([1, 1]);
    expect(reverseChunk(reversed)).toEqual(chunk);
  });

  it('normalises: small fixed gaps become ANY padding, single-byte alternatives a class', () => {
    const classes = new ClassInterner();
    const chunk = parsePattern('01 {2} 02 {20} 03 {1-2} 04', classes);
    const normalized = normalizeChunk(chunk, classes);
    expect(normalized.elements.map((e) => [e.gapMin, e.gapMax, e.alts])).toEqual([
      [0, 0, [[1, ANY, ANY, 2]]],
      [20, 20, [[3]]],
      [1, 2, [[4]]],
    ]);
  });
});
