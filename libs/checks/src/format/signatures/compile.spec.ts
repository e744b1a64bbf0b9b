/**
 * Offsets, fragments, subsequences and anchors as DROID defines them,
 * checked on small synthetic sequences.
 */
import { describe, expect, it } from 'vitest';
import { compileByteSequence } from './compile.js';
import { matchSequence, prepareWindow } from './identify.js';
import { prepareElements } from './sequence-matcher.js';
import { ClassInterner } from './units.js';
import type { RawByteSequence, RawFragment, RawSubSequence } from './xml.js';

interface Sub {
  seq: string;
  min?: number;
  max?: number;
  left?: [position: number, min: number, max: number | undefined, text: string][];
  right?: [position: number, min: number, max: number | undefined, text: string][];
}

function fragments(list: Sub['left']): RawFragment[] {
  return (list ?? []).map(([position, minOffset, maxOffset, text]) => ({ position, minOffset, maxOffset, text }));
}

function rawSequence(reference: string | undefined, subs: Sub[], extra: Partial<RawByteSequence> = {}): RawByteSequence {
  return {
    reference,
    endianness: undefined,
    indirectOffsetLocation: undefined,
    indirectOffsetLength: undefined,
    expression: undefined,
    subSequences: subs.map(
      (sub): RawSubSequence => ({
        minOffset: sub.min ?? 0,
        maxOffset: sub.max,
        sequence: sub.seq,
        left: fragments(sub.left),
        right: fragments(sub.right),
      }),
    ),
    ...extra,
  };
}

function bytes(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

/** `[offset, length]` of the match in a file whose bytes are all in the window, or undefined. */
function find(raw: RawByteSequence, file: Buffer | string, window?: { head: number; tail: number }): [number, number] | undefined {
  const data = typeof file === 'string' ? bytes(file) : file;
  const classes = new ClassInterner();
  const compiled = compileByteSequence(raw, classes);
  const table = classes.table();
  const head = window === undefined ? data : data.subarray(0, window.head);
  const tail = window === undefined ? data : data.subarray(data.length - window.tail);
  return matchSequence(
    prepareWindow({ size: data.length, head, tail }),
    { side: compiled.anchor === 'EOF' ? 1 : 0, indirect: compiled.indirect, elements: prepareElements(compiled.elements, table) },
    table,
  );
}

describe('BOF sequences', () => {
  const at0 = rawSequence('BOFoffset', [{ seq: 'CAFE', min: 0, max: 0 }]);

  it('match at the fixed offset only', () => {
    expect(find(at0, 'CAFE 0000')).toEqual([0, 2]);
    expect(find(at0, '00 CAFE 00')).toBeUndefined();
  });

  it('match anywhere between SubSeqMinOffset and SubSeqMaxOffset', () => {
    const ranged = rawSequence('BOFoffset', [{ seq: 'CAFE', min: 2, max: 4 }]);
    expect(find(ranged, '0000 CAFE 0000')).toEqual([2, 2]);
    expect(find(ranged, '00000000 CAFE')).toEqual([4, 2]);
    expect(find(ranged, '0000000000 CAFE')).toBeUndefined();
    expect(find(ranged, '00 CAFE 000000')).toBeUndefined();
  });

  it('read an absent or smaller SubSeqMaxOffset of the first subsequence as the minimum (DROID setters)', () => {
    expect(find(rawSequence('BOFoffset', [{ seq: 'CAFE', min: 2 }]), '0000 CAFE')).toEqual([2, 2]);
    expect(find(rawSequence('BOFoffset', [{ seq: 'CAFE', min: 2 }]), '000000 CAFE')).toBeUndefined();
    expect(find(rawSequence('BOFoffset', [{ seq: 'CAFE', min: 3, max: 1 }]), '000000 CAFE')).toEqual([3, 2]);
  });

  it('bound the subsequence by its outermost left fragment', () => {
    // 4D5A at 0, then "PE\0\0" 2–6 bytes later: SubSeqMin/MaxOffset apply to 4D5A.
    const pe = rawSequence('BOFoffset', [{ seq: '50450000', min: 0, max: 0, left: [[1, 2, 6, '4D5A']] }]);
    expect(find(pe, '4D5A 0000 50450000')).toEqual([0, 8]);
    expect(find(pe, '4D5A 000000000000 50450000')).toEqual([0, 12]);
    expect(find(pe, '4D5A 00000000000000 50450000')).toBeUndefined(); // gap 7
    expect(find(pe, '4D5A 00 50450000')).toBeUndefined(); // gap 1
    expect(find(pe, '00 4D5A 0000 50450000')).toBeUndefined(); // 4D5A not at 0
  });

  it('chain left fragments outwards: position 1 next to the sequence, 2 beyond it', () => {
    const raw = rawSequence('BOFoffset', [
      { seq: 'AA', min: 0, max: 0, left: [[1, 1, 1, 'BB'], [2, 0, 2, 'CC']] },
    ]);
    // CC {0-2} BB {1} AA
    expect(find(raw, 'CC BB 00 AA')).toEqual([0, 4]);
    expect(find(raw, 'CC 0000 BB 00 AA')).toEqual([0, 6]);
    expect(find(raw, 'CC 000000 BB 00 AA')).toBeUndefined();
    expect(find(raw, 'BB CC 00 AA')).toBeUndefined();
  });

  it('treat fragments at one position as alternatives, of any length', () => {
    const raw = rawSequence('BOFoffset', [
      { seq: '01', min: 0, max: 0, right: [[1, 0, 0, '0203'], [1, 0, 0, '04'], [2, 1, 1, 'FF']] },
    ]);
    expect(find(raw, '01 0203 00 FF')).toEqual([0, 5]);
    expect(find(raw, '01 04 00 FF')).toEqual([0, 4]);
    expect(find(raw, '01 05 00 FF')).toBeUndefined();
  });

  it('read an absent fragment MaxOffset as its MinOffset (DROID SideFragment)', () => {
    const raw = rawSequence('BOFoffset', [{ seq: '01', min: 0, max: 0, right: [[1, 2, undefined, '02']] }]);
    expect(find(raw, '01 0000 02')).toEqual([0, 4]);
    expect(find(raw, '01 000000 02')).toBeUndefined();
  });

  it('search later subsequences in order, from SubSeqMinOffset past the previous one, with no maximum', () => {
    const raw = rawSequence('BOFoffset', [
      { seq: 'AA', min: 0, max: 0 },
      { seq: 'BB', min: 2 },
      { seq: 'CC', min: 0 },
    ]);
    expect(find(raw, 'AA 0000 BB CC')).toEqual([0, 5]);
    expect(find(raw, 'AA 00 BB CC 0000 BB 0000 CC')).toEqual([0, 10]);
    expect(find(raw, 'AA 0000000000000000000000000000 BB 00 CC')).toEqual([0, 18]);
    expect(find(raw, 'AA 00 BB CC')).toBeUndefined(); // BB only 1 byte after AA
    expect(find(raw, 'AA 0000 CC BB')).toBeUndefined(); // wrong order
  });

  it('reads a one-byte [0000:1000] fragment as DROID does', () => {
    const raw = rawSequence('BOFoffset', [{ seq: '0B01', min: 0, max: 0, right: [[1, 1, 1, '[0000:1000]']] }]);
    expect(find(raw, '0B01 FF 10')).toEqual([0, 4]);
    expect(find(raw, '0B01 FF 11')).toBeUndefined();
  });

  it('read the anchor offset from the file for IndirectBOFoffset, in the given endianness', () => {
    const raw = (endianness?: string) =>
      rawSequence('IndirectBOFoffset', [{ seq: 'CAFE', min: 0, max: 0 }], {
        indirectOffsetLocation: 1,
        indirectOffsetLength: 2,
        endianness,
      });
    // offset stored at 1..2: 00 06 big-endian = 6; little-endian = 0x0600.
    expect(find(raw(), '00 0006 000000 CAFE')).toEqual([6, 2]);
    expect(find(raw('Little-endian'), '00 0600 000000 CAFE')).toEqual([6, 2]);
    expect(find(raw('Little-endian'), '00 0006 000000 CAFE')).toBeUndefined();
  });

  it('compile a whole PRONOM expression given as a Sequence attribute', () => {
    const raw = rawSequence('BOFoffset', [], { expression: "{2} 'AB' {1-2} (01|0203) * 'Z'" });
    expect(find(raw, Buffer.from('..AB.\x01....Z', 'latin1'))).toEqual([2, 9]);
    expect(find(raw, Buffer.from('..AB...\x01Z', 'latin1'))).toBeUndefined();
  });
});

describe('variable sequences (no Reference)', () => {
  it('match anywhere in the head', () => {
    const raw = rawSequence(undefined, [{ seq: 'CAFE' }]);
    expect(find(raw, '0000000000 CAFE 00')).toEqual([5, 2]);
    expect(find(raw, '0000000000 CAFF 00')).toBeUndefined();
  });

  it('start no earlier than SubSeqMinOffset from the start of the file', () => {
    const raw = rawSequence(undefined, [{ seq: 'CAFE', min: 3 }]);
    expect(find(raw, '00 CAFE 00 CAFE')).toEqual([4, 2]);
    expect(find(raw, '00 CAFE 0000')).toBeUndefined();
  });

  it('are searched in the head only (DROID scans forwards up to max bytes)', () => {
    const raw = rawSequence(undefined, [{ seq: 'CAFE' }]);
    const file = Buffer.concat([Buffer.alloc(100), bytes('CAFE')]);
    expect(find(raw, file, { head: 50, tail: 50 })).toBeUndefined();
    expect(find(raw, file, { head: 102, tail: 0 })).toEqual([100, 2]);
  });
});

describe('EOF sequences', () => {
  it('measure the offset from the end of the file to the last byte of the subsequence', () => {
    const raw = rawSequence('EOFoffset', [{ seq: '3B', min: 0, max: 2 }]);
    expect(find(raw, '00 3B')).toEqual([1, 1]);
    expect(find(raw, '00 3B 0000')).toEqual([1, 1]);
    expect(find(raw, '00 3B 000000')).toBeUndefined();
  });

  it('apply left and right fragments around an EOF sequence', () => {
    const raw = rawSequence('EOFoffset', [
      { seq: '2525454F46', min: 0, max: 4, left: [[1, 0, 3, '0A']], right: [[1, 0, 1, '0D']] },
    ]);
    // 0A {0-3} %%EOF {0-1} 0D {0-4} end
    expect(find(raw, '00 0A 2525454F46 0D')).toEqual([1, 7]);
    expect(find(raw, '00 0A 000000 2525454F46 00 0D 00000000')).toEqual([1, 11]);
    expect(find(raw, '00 0A 2525454F46 0D 0000000000')).toBeUndefined();
  });

  it('match several subsequences backwards: each one before the next, the last bounded from the end', () => {
    const raw = rawSequence('EOFoffset', [
      { seq: 'AA', min: 1 },
      { seq: 'BB', min: 0, max: 0 },
    ]);
    expect(find(raw, 'AA 00 BB')).toEqual([0, 3]);
    expect(find(raw, 'AA 0000000000 BB')).toEqual([0, 7]);
    expect(find(raw, 'AA BB')).toBeUndefined(); // less than 1 byte between
    expect(find(raw, 'AA 00 BB 00')).toBeUndefined(); // BB not at the end
  });

  it('are searched in the tail only, and report file offsets', () => {
    const raw = rawSequence('EOFoffset', [{ seq: 'CAFE', min: 0, max: 10 }]);
    const file = Buffer.concat([Buffer.alloc(1000), bytes('CAFE'), Buffer.alloc(4)]);
    expect(find(raw, file, { head: 16, tail: 16 })).toEqual([1000, 2]);
    const early = Buffer.concat([bytes('CAFE'), Buffer.alloc(6)]);
    expect(find(rawSequence('EOFoffset', [{ seq: 'CAFE', min: 0, max: 10 }]), early, { head: 0, tail: 4 })).toBeUndefined();
  });
});

describe('windows', () => {
  it('do not find a BOF sequence beyond the head', () => {
    const raw = rawSequence('BOFoffset', [{ seq: 'CAFE', min: 0, max: 200 }]);
    const file = Buffer.concat([Buffer.alloc(150), bytes('CAFE'), Buffer.alloc(1000)]);
    expect(find(raw, file, { head: 100, tail: 100 })).toBeUndefined();
    expect(find(raw, file, { head: 152, tail: 100 })).toEqual([150, 2]);
  });

  it('match nothing in an empty file', () => {
    expect(find(rawSequence(undefined, [{ seq: 'CAFE' }]), '')).toBeUndefined();
  });
});
