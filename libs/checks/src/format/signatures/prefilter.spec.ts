/**
 * The prefilter must never lose a signature that matches. Checked two ways:
 * - against the strategy it replaced (kept below as `Reference`: one
 *   automaton of every literal, run over the whole head and the whole
 *   reversed tail, EOF sequences matched in the whole reversed tail), on the
 *   real V122 signatures over random, corpus-derived and hostile windows:
 *   the new candidates are a subset of the old ones and the signatures that
 *   match are the same;
 * - on random synthetic signature sets (fast-check): every signature that
 *   matches a window is a candidate, whatever the window's alignment, size
 *   or split into head and tail.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchSequence, type PreparedWindow, prepareWindow } from './identify.js';
import { compileSignatures } from './load.js';
import type { PronomSignatures } from './model.js';
import { chooseCondition, type Condition, HEAD, SEARCH_BEYOND, type Side, TAIL } from './prefilter.js';
import { matchElements } from './sequence-matcher.js';
import { buildBinarySignatureXml, sharedTestDataDir, type TestByteSequence, type TestSignature, useSharedSignatures } from './test-support.js';
import type { ByteWindow } from './types.js';

// ---------------------------------------------------------------------------
// The reference: the prefilter as first written.

interface ReferenceAutomaton {
  readonly delta: Int32Array;
  readonly output: Int32Array;
  readonly dictionary: Int32Array;
}

function referenceAutomaton(literals: readonly (readonly number[])[]): ReferenceAutomaton {
  const children: Map<number, number>[] = [new Map()];
  const terminal: number[] = [-1];
  literals.forEach((literal, literalIndex) => {
    let state = 0;
    for (const byte of literal) {
      let next = (children[state] as Map<number, number>).get(byte);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        terminal.push(-1);
        (children[state] as Map<number, number>).set(byte, next);
      }
      state = next;
    }
    terminal[state] = literalIndex;
  });
  const states = children.length;
  const delta = new Int32Array(states * 256);
  const fail = new Int32Array(states);
  const dictionary = new Int32Array(states).fill(-1);
  const output = Int32Array.from(terminal);
  const queue: number[] = [];
  for (let byte = 0; byte < 256; byte++) {
    const child = (children[0] as Map<number, number>).get(byte);
    if (child !== undefined) {
      delta[byte] = child;
      queue.push(child);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const failure = fail[state] as number;
    dictionary[state] = (output[failure] as number) >= 0 ? failure : (dictionary[failure] as number);
    for (let byte = 0; byte < 256; byte++) {
      const child = (children[state] as Map<number, number>).get(byte);
      if (child === undefined) {
        delta[state * 256 + byte] = delta[failure * 256 + byte] as number;
      } else {
        delta[state * 256 + byte] = child;
        fail[child] = delta[failure * 256 + byte] as number;
        queue.push(child);
      }
    }
  }
  return { delta, output, dictionary };
}

function referenceScan(automaton: ReferenceAutomaton, buf: Uint8Array, found: Uint8Array): void {
  const { delta, output, dictionary } = automaton;
  let state = 0;
  for (let i = 0; i < buf.length; i++) {
    state = delta[(state << 8) | (buf[i] as number)] as number;
    let report = (output[state] as number) >= 0 ? state : (dictionary[state] as number);
    while (report >= 0) {
      const literal = output[report] as number;
      if (found[literal] === 1) break;
      found[literal] = 1;
      report = dictionary[report] as number;
    }
  }
}

class Reference {
  private readonly sequences: { signatureIndex: number; side: Side; condition: Condition }[] = [];
  private readonly signatureSequences: number[][] = [];
  private readonly keyGroups = new Map<string, { side: Side; position: number; width: 1 | 2; sequences: Map<number, number[]> }>();
  private readonly literalSequences: number[][] = [];
  private readonly automaton: ReferenceAutomaton;

  constructor(private readonly signatures: PronomSignatures) {
    const literalIndex = new Map<string, number>();
    const literals: number[][] = [];
    signatures.model.signatures.forEach((signature, signatureIndex) => {
      const ids: number[] = [];
      for (const sequence of signature.sequences) {
        const index = this.sequences.length;
        ids.push(index);
        const condition = chooseCondition(sequence);
        this.sequences.push({ signatureIndex, side: sequence.anchor === 'EOF' ? TAIL : HEAD, condition });
        if (condition.kind === 'keys') {
          for (const key of condition.keys) {
            const name = `${key.side}:${key.position}:${key.width}`;
            let group = this.keyGroups.get(name);
            if (group === undefined) {
              group = { side: key.side, position: key.position, width: key.width, sequences: new Map() };
              this.keyGroups.set(name, group);
            }
            group.sequences.set(key.value, [...(group.sequences.get(key.value) ?? []), index]);
          }
        } else if (condition.kind === 'literals') {
          for (const literal of condition.literals) {
            const text = literal.join(',');
            let literalId = literalIndex.get(text);
            if (literalId === undefined) {
              literalId = literals.length;
              literals.push([...literal]);
              this.literalSequences.push([]);
              literalIndex.set(text, literalId);
            }
            (this.literalSequences[literalId] as number[]).push(index);
          }
        }
      }
      this.signatureSequences.push(ids);
    });
    this.automaton = referenceAutomaton(literals);
  }

  /** The reversed tail as the old window held it: the whole tail. */
  private reversed(window: ByteWindow): Buffer {
    return Buffer.from(window.head.length === window.size ? window.head : window.tail).reverse();
  }

  candidates(window: ByteWindow): number[] {
    const head = window.head;
    const reversedTail = this.reversed(window);
    const passed = new Set<number>();
    for (const [index, sequence] of this.sequences.entries()) if (sequence.condition.kind === 'always') passed.add(index);
    for (const group of this.keyGroups.values()) {
      const buf = group.side === HEAD ? head : reversedTail;
      if (group.position + group.width > buf.length) continue;
      const value =
        group.width === 2
          ? ((buf[group.position] as number) << 8) | (buf[group.position + 1] as number)
          : (buf[group.position] as number);
      for (const index of group.sequences.get(value) ?? []) passed.add(index);
    }
    for (const side of [HEAD, TAIL] as const) {
      const buf = side === HEAD ? head : reversedTail;
      const found = new Uint8Array(this.literalSequences.length);
      referenceScan(this.automaton, buf, found);
      found.forEach((flag, literal) => {
        if (flag !== 1) return;
        for (const index of this.literalSequences[literal] as number[]) {
          if ((this.sequences[index] as { side: Side }).side === side) passed.add(index);
        }
      });
    }
    return this.signatureSequences.flatMap((ids, signatureIndex) => (ids.every((index) => passed.has(index)) ? [signatureIndex] : []));
  }

  /** The signatures among `indexes` whose every sequence matches (EOF sequences in the whole reversed tail). */
  matches(window: ByteWindow, indexes: readonly number[]): number[] {
    const prepared = prepareWindow(window);
    const reversedTail = this.reversed(window);
    const classes = this.signatures.model.classes;
    return indexes.filter((signatureIndex) =>
      (this.signatureSequences[signatureIndex] as number[]).every((index) => {
        const sequence = this.signatures.engine.sequence(index);
        if (sequence.side === HEAD) return matchSequence(prepared, sequence, classes) !== undefined;
        return matchElements(reversedTail, reversedTail.length, 0, sequence.elements, classes) !== undefined;
      }),
    );
  }
}

function newCandidates(signatures: PronomSignatures, window: ByteWindow): number[] {
  const prepared: PreparedWindow = prepareWindow(window);
  return signatures.engine.prefilter.candidates(prepared.head, prepared.tail, prepared.head.length === prepared.size);
}

/** A deterministic generator (the windows must be the same on every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` at byte offset `shift` of a fresh buffer: the word-sampled scan must not care about alignment. */
function shifted(bytes: Uint8Array, shift: number): Buffer {
  const buf = Buffer.alloc(bytes.length + shift);
  buf.set(bytes, shift);
  return buf.subarray(shift);
}

/** The whole file as its window, or its first and last `part` bytes. */
function windowOf(bytes: Buffer, part: number | undefined, shift: number): ByteWindow {
  if (part === undefined || bytes.length <= part) {
    const all = shifted(bytes, shift);
    return { size: bytes.length, head: all, tail: all };
  }
  return {
    size: bytes.length,
    head: shifted(bytes.subarray(0, part), shift),
    tail: shifted(bytes.subarray(bytes.length - part), (shift + 1) % 4),
  };
}

// ---------------------------------------------------------------------------

describe('prefilter on the V122 signatures, against the strategy it replaced', () => {
  let signatures: PronomSignatures;
  let reference: Reference;
  let corpus: Buffer[];
  const sharedSignatures = useSharedSignatures();

  beforeAll(() => {
    signatures = sharedSignatures();
    reference = new Reference(signatures);
    const skeleton = join(sharedTestDataDir(), 'corpus', 'skeleton');
    corpus = readFileSync(join(skeleton, 'manifest.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => readFileSync(join(skeleton, line.split('\t')[0] as string)));
  }, 120_000);

  function windows(): { name: string; window: ByteWindow }[] {
    const next = random(20_260_119);
    const int = (n: number): number => Math.floor(next() * n);
    const noise = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));
    const pick = (): Buffer => corpus[int(corpus.length)] as Buffer;
    const out: { name: string; window: ByteWindow }[] = [];
    const add = (name: string, bytes: Buffer): void => {
      for (const part of [undefined, 4096, 65_536]) {
        if (part !== undefined && bytes.length <= part) continue;
        out.push({ name: `${name} (${part ?? 'whole'})`, window: windowOf(bytes, part, int(4)) });
      }
    };
    for (let i = 0; i < 1000; i++) add(`random ${i}`, noise(1 + int(65_536)));
    for (const [i, sample] of corpus.entries()) if (i % 2 === 0) add(`corpus ${i}`, sample);
    for (let i = 0; i < 1500; i++) {
      const a = pick();
      const kind = i % 5;
      let bytes: Buffer;
      if (kind === 0) {
        bytes = Buffer.from(a);
        for (let k = 0; k < 1 + int(8) && bytes.length > 0; k++) bytes[int(bytes.length)] = int(256);
      } else if (kind === 1) {
        bytes = Buffer.concat([noise(int(3000)), a, noise(int(3000))]);
      } else if (kind === 2) {
        bytes = Buffer.concat([a, noise(int(70_000)), pick()]);
      } else if (kind === 3) {
        // Pieces of samples strewn over noise: literals of variable-position and EOF sequences out of place.
        bytes = noise(1000 + int(60_000));
        for (let k = 0; k < 40; k++) {
          const source = pick();
          if (source.length === 0) continue;
          const start = int(source.length);
          source.copy(bytes, int(bytes.length), start, start + 1 + int(24));
        }
      } else {
        const b = pick();
        bytes = Buffer.concat([a.subarray(0, int(a.length + 1)), b.subarray(int(b.length + 1))]);
      }
      add(`mutated ${i}`, bytes);
    }
    add('zeros', Buffer.alloc(65_536));
    add('0xFF', Buffer.alloc(65_536, 0xff));
    add('text', Buffer.from('The quick brown fox jumps over the lazy dog. <?xml version="1.0"?> %PDF-1.4\n'.repeat(900)));
    return out;
  }

  it('keeps every signature the old strategy found that matches, and only candidates it had', () => {
    let oldCandidates = 0;
    let newCandidates_ = 0;
    let matched = 0;
    const cases = windows();
    for (const { name, window } of cases) {
      const before = reference.candidates(window);
      const after = newCandidates(signatures, window);
      oldCandidates += before.length;
      newCandidates_ += after.length;
      const known = new Set(before);
      const extra = after.filter((index) => !known.has(index));
      expect(extra, `${name}: candidates the old strategy did not have`).toEqual([]);
      const expected = reference.matches(window, before);
      matched += expected.length;
      expect(reference.matches(window, after), `${name}: matching signatures`).toEqual(expected);
    }
    console.log(
      `${cases.length} windows: ${oldCandidates} candidates before, ${newCandidates_} now; ${matched} signature matches, all kept`,
    );
    expect(matched).toBeGreaterThan(2000); // the windows do exercise real matches
  }, 120_000);

  it('stays linear on hostile windows (a few ms for 64 KiB at worst)', () => {
    const longest = new Map<string, Buffer>();
    for (const signature of signatures.model.signatures) {
      for (const sequence of signature.sequences) {
        const condition = chooseCondition(sequence);
        if (condition.kind !== 'literals') continue;
        for (const literal of condition.literals) {
          const bytes = Buffer.from(condition.side === TAIL ? [...literal].reverse() : literal);
          longest.set(bytes.toString('hex'), bytes);
        }
      }
    }
    const prefixes = Buffer.concat([...longest.values()].map((bytes) => bytes.subarray(0, Math.max(1, bytes.length - 1))));
    const fill = (pattern: Buffer): Buffer => {
      const buf = Buffer.alloc(65_536);
      for (let i = 0; i < buf.length; i += pattern.length) pattern.copy(buf, i);
      return buf;
    };
    const hostile = [Buffer.alloc(65_536), Buffer.alloc(65_536, 0xff), Buffer.alloc(65_536, 0xd9), fill(prefixes), fill(Buffer.from('ffd9ff', 'hex'))];
    let worst = 0;
    for (const bytes of hostile) {
      for (const part of [undefined, 4096]) {
        const window = windowOf(bytes, part, 1);
        newCandidates(signatures, window); // warm up
        const started = performance.now();
        newCandidates(signatures, window);
        worst = Math.max(worst, performance.now() - started);
      }
    }
    expect(worst).toBeLessThan(50); // ~1 ms here; generous for slow CI machines
  });
});

// ---------------------------------------------------------------------------

describe('prefilter on synthetic signatures', () => {
  const ALPHABET = [0x00, 0x41, 0x42, 0x7e, 0xff];
  const hex = (bytes: readonly number[]): string => Buffer.from(bytes).toString('hex').toUpperCase();
  const literalArb = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 10 });
  const partArb = fc.oneof(
    { weight: 4, arbitrary: literalArb.map(hex) },
    { weight: 1, arbitrary: fc.constant('??') },
    { weight: 1, arbitrary: fc.tuple(fc.nat(4), fc.nat(30)).map(([min, extra]) => `{${min}-${min + extra}}`) },
    { weight: 1, arbitrary: fc.constant('*') },
  );
  const textArb = fc.tuple(literalArb, fc.array(partArb, { maxLength: 4 })).map(([first, rest]) => [hex(first), ...rest].join(''));
  const sequenceArb: fc.Arbitrary<TestByteSequence> = fc
    .record({
      reference: fc.constantFrom('BOFoffset', 'EOFoffset', undefined),
      text: textArb,
      min: fc.nat(40),
      extra: fc.option(fc.oneof(fc.nat(100), fc.integer({ min: SEARCH_BEYOND - 100, max: 3 * SEARCH_BEYOND })), { nil: undefined }),
    })
    .map(({ reference, text, min, extra }) => ({
      ...(reference === undefined ? {} : { reference }),
      subSequences: [{ sequence: text, min, ...(extra === undefined ? {} : { max: min + extra }) }],
    }));
  const signaturesArb = fc.array(fc.array(sequenceArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 24 }).map((list) =>
    list.map((byteSequences, index): TestSignature => ({ id: index + 1, byteSequences })),
  );

  /** Windows strewn with the signatures' own literals, at every alignment, whole and split. */
  function windowsFor(list: readonly TestSignature[], seed: number): ByteWindow[] {
    const next = random(seed);
    const int = (n: number): number => Math.floor(next() * n);
    const literals = list.flatMap((signature) =>
      signature.byteSequences.flatMap((sequence) =>
        (sequence.subSequences[0]?.sequence.match(/(?:[0-9A-F]{2})+/g) ?? []).map((text) => Buffer.from(text, 'hex')),
      ),
    );
    const out: ByteWindow[] = [];
    for (let k = 0; k < 4; k++) {
      const size = [int(64), int(2000), int(14_000), 30_000 + int(4000)][k] as number;
      const bytes = Buffer.from(Array.from({ length: size }, () => (next() < 0.7 ? (ALPHABET[int(ALPHABET.length)] as number) : int(256))));
      const strewn = int(k === 3 ? 400 : 40);
      for (let i = 0; i < strewn && literals.length > 0 && size > 0; i++) {
        (literals[int(literals.length)] as Buffer).copy(bytes, int(size));
      }
      out.push(windowOf(bytes, k === 3 ? 5000 + int(9000) : undefined, int(4)));
    }
    return out;
  }

  it('never drops a signature that matches', () => {
    fc.assert(
      fc.property(signaturesArb, fc.integer(), (list, seed) => {
        const signatures = compileSignatures(
          buildBinarySignatureXml(list, [{ id: 1, puid: 'x-fmt/1', signatureIds: list.map((signature) => signature.id) }]),
        );
        const reference = new Reference(signatures);
        const all = signatures.model.signatures.map((_, index) => index);
        for (const window of windowsFor(list, seed)) {
          const candidates = newCandidates(signatures, window);
          const matching = reference.matches(window, all);
          expect(matching.filter((index) => !candidates.includes(index))).toEqual([]);
          const before = new Set(reference.candidates(window));
          expect(candidates.filter((index) => !before.has(index))).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('finds patterns at the very edges: of the window, of their reach, of words and of scan blocks', () => {
    const bof = (id: number, sequence: string, max: number): TestSignature => ({
      id,
      byteSequences: [{ reference: 'BOFoffset', subSequences: [{ sequence, min: 0, max }] }],
    });
    const eof = (id: number, sequence: string, max: number): TestSignature => ({
      id,
      byteSequences: [{ reference: 'EOFoffset', subSequences: [{ sequence, min: 0, max }] }],
    });
    const variable = (id: number, sequence: string): TestSignature => ({ id, byteSequences: [{ subSequences: [{ sequence }] }] });
    const full = [
      bof(1, 'A1A2A3', 300), // long, head, bounded: the head region of the word-sampled scan
      bof(2, 'B1B2', 600), // short, head: the head automaton (read as two interleaved halves)
      eof(3, 'C1C2C3C4', 300), // long, tail, bounded
      eof(4, 'D1D2', 600), // short, tail: the tail automaton
      eof(5, 'E1E2', 6000), // short, tail, far: searched for
      variable(6, 'F1F2F3'), // long, anywhere (then the word-sampled scan reads the whole file)
      variable(7, 'F4'), // short, anywhere: searched for
    ];
    const texts = ['A1A2A3', 'B1B2', 'C1C2C3C4', 'D1D2', 'E1E2', 'F1F2F3', 'F4'].map((text) => Buffer.from(text, 'hex'));
    let checked = 0;
    // Without the variable sequences, a file longer than 604 bytes has separate head and tail regions.
    for (const list of [full, full.slice(0, 5)]) {
      const signatures = compileSignatures(buildBinarySignatureXml(list, [{ id: 1, puid: 'x-fmt/1', signatureIds: [1] }]));
      const reference = new Reference(signatures);
      const all = list.map((_, index) => index);
      const check = (text: Buffer, position: number, size: number, shifts: readonly number[]): void => {
        const bytes = Buffer.alloc(size, 0x41);
        text.copy(bytes, position);
        for (const part of size > 4096 ? [undefined, 4096] : [undefined]) {
          for (const shift of shifts) {
            const window = windowOf(bytes, part, shift);
            const candidates = newCandidates(signatures, window);
            const missed = reference.matches(window, all).filter((index) => !candidates.includes(index));
            const where = `${text.toString('hex')} at ${position} of ${size} (window ${part ?? 'whole'}, shift ${shift})`;
            expect(missed, where).toEqual([]);
            checked++;
          }
        }
      };
      for (const size of [3, 9, 63, 64, 65, 70, 301, 700, 1300, 4100, 4200, 9000, 20_000]) {
        const positions = new Set<number>();
        for (const around of [0, 600 - 2, 300 - 4, 4096, 4096 + 1024 * 4, size - 600, size - 300, size - 6000, size]) {
          for (let delta = -9; delta <= 9; delta++) if (around + delta >= 0 && around + delta < size) positions.add(around + delta);
        }
        for (const text of texts) {
          for (const position of positions) if (position + text.length <= size) check(text, position, size, [0, 1, 2, 3]);
        }
      }
      // Every split of the short patterns' ranges into two interleaved halves.
      for (const text of texts.filter((bytes) => bytes.length === 2)) {
        for (let position = 0; position + 2 <= 1300; position++) check(text, position, 1300, [0]);
      }
    }
    // Where pattern starts abound (text), blocks are read whole by the automaton: anywhere in them too.
    const signatures = compileSignatures(buildBinarySignatureXml(full, [{ id: 1, puid: 'x-fmt/1', signatureIds: [1] }]));
    const dense = Buffer.alloc(9000);
    for (let i = 0; i < dense.length; i += 4) dense.write('A1A20000', i, 'hex');
    const variableIndex = signatures.model.signatures.findIndex((signature) => signature.id === 6); // signatures are in DROID's order
    for (let position = 0; position + 3 <= dense.length; position++) {
      const bytes = Buffer.from(dense);
      bytes.write('F1F2F3', position, 'hex');
      for (const shift of [0, 3]) {
        const candidates = newCandidates(signatures, windowOf(bytes, undefined, shift));
        expect(candidates, `F1F2F3 at ${position} (dense, shift ${shift})`).toContain(variableIndex);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40_000);
  });

  it('searches a few far-reaching short patterns one by one, and scans for many', () => {
    // EOF sequences with two-byte patterns up to 9,000 bytes from the end: 3 are searched for, 12 scanned.
    const far = (count: number): TestSignature[] =>
      Array.from({ length: count }, (_, index) => ({
        id: index + 1,
        byteSequences: [{ reference: 'EOFoffset', subSequences: [{ sequence: hex([0x41 + index, 0x7e]), min: 0, max: 9000 }] }],
      }));
    for (const count of [3, 12]) {
      const signatures = compileSignatures(buildBinarySignatureXml(far(count), [{ id: 1, puid: 'x-fmt/1', signatureIds: [1] }]));
      expect(signatures.model.prefilter.searched.length).toBe(count <= 8 ? count : 0);
      for (const filler of [0x7e, 0x00, 0x41]) {
        const bytes = Buffer.alloc(20_000, filler);
        bytes[20_000 - 8000] = 0x41 + count - 1; // the last signature's pattern, 8,000 bytes from the end
        bytes[20_000 - 7999] = 0x7e;
        for (const part of [undefined, 10_000]) {
          const window = windowOf(bytes, part, 2);
          expect(newCandidates(signatures, window)).toContain(count - 1);
          expect(new Reference(signatures).matches(window, [count - 1])).toEqual([count - 1]);
        }
        bytes[20_000 - 7999] = 0x00;
        expect(newCandidates(signatures, windowOf(bytes, undefined, 0))).not.toContain(count - 1);
      }
    }
  });
});
