/**
 * Picks, for one file, the few signatures worth matching in full, so that
 * ~2,000 signatures are not tried one by one.
 *
 * Every sequence gets one cheap necessary condition, taken from its anchors
 * (the `Sequence`s, which lie within the scanned window) or from fragments
 * that can only lie within {@link CONDITION_BYTES} of their end of the file
 * (a fragment may otherwise lie anywhere, see ./compile.ts):
 * - a *key*: one or two literal bytes at a fixed position from the start (or,
 *   for EOF sequences, from the end). All keys at one position share a
 *   lookup table, so checking them costs one lookup per distinct position;
 * - otherwise a *literal* (up to {@link MAX_LITERAL} bytes that every match
 *   contains), with its *reach*: how far from its end of the file any match
 *   can place it (Infinity after an unbounded gap or an indirect offset);
 * - a sequence without any literal byte is always a candidate (a handful).
 * Alternatives give several keys or literals, any of which will do.
 * A signature is a candidate when every one of its sequences is.
 *
 * Literals become *patterns*, in file order (EOF literals un-reversed), so
 * that the window is read forwards only, and once when it holds the whole
 * file. Each byte range is read only as far as some pattern can be needed:
 * - patterns of {@link LONG_PATTERN} bytes or more: one Aho–Corasick
 *   automaton, run only where a cheap test says a pattern may start. The
 *   window is read as aligned 32-bit words; each word's two even-aligned
 *   byte pairs are looked up in a 64 KiB table of the pairs at offsets 0
 *   and 1 of every pattern (every occurrence puts one of those at an even
 *   position), and the automaton runs over the few bytes around a hit. On
 *   random-looking bytes (compressed streams: most of any real file) hits
 *   are rare and this reads ~4× faster than the automaton; where hits are
 *   dense (text) a block switches to the plain automaton;
 * - shorter patterns: a small automaton per side over the bytes their reach
 *   allows (a few KB at each end with the current signatures); the few
 *   needed farther than {@link SEARCH_BEYOND} are searched for one by one.
 * Everything is built at compile time into {@link CompiledPrefilter} (plain
 * typed arrays, kept in the compiled cache), so loading is cheap. Cost stays
 * linear in the window whatever its bytes: each byte is read by an
 * automaton at most once per scanner, plus the word test.
 */
import type { CompiledSequence, CompiledSignature } from './compile.js';
import { longestLiteralRun } from './sequence-matcher.js';
import { type Element, UNBOUNDED } from './units.js';

/**
 * The prefilter reads at least this many bytes at each end of a file (more
 * when the scan limit is larger), so a fragment that cannot lie farther from
 * its end than this can give its sequence a condition.
 */
export const CONDITION_BYTES = 65_536;
/** Longest literal fed to the automaton (longer literals are cut: the full match is checked later). */
export const MAX_LITERAL = 8;
/** Shortest pattern found by the word-sampled scan (it looks up byte pairs at pattern offsets 0 and 1). */
export const LONG_PATTERN = 3;
/** Short patterns needed farther from their end than this are searched for one by one (when there are few). */
export const SEARCH_BEYOND = 4096;
/** Most short patterns per side searched for one by one; with more, the side's automaton reads as far as they reach. */
const MAX_SEARCHED = 8;

/** Which buffer a sequence is matched in: the head (forward) or the reversed tail. */
export type Side = 0 | 1;
export const HEAD: Side = 0;
export const TAIL: Side = 1;

export interface Key {
  readonly side: Side;
  readonly position: number;
  readonly width: 1 | 2;
  readonly value: number;
}

/** The cheap condition chosen for one sequence. */
export type Condition =
  | { readonly kind: 'keys'; readonly keys: readonly Key[] }
  | {
      readonly kind: 'literals';
      readonly side: Side;
      readonly literals: readonly (readonly number[])[];
      /** Bytes from the side's end within which every match places the literal (Infinity: anywhere). */
      readonly reach: number;
    }
  | { readonly kind: 'always' };

function byteWeight(byte: number): number {
  if (byte === 0x00) return 0.3;
  if (byte === 0xff || byte === 0x20) return 0.6;
  return 1;
}

function weight(bytes: readonly number[]): number {
  return bytes.reduce((sum, byte) => sum + byteWeight(byte), 0);
}

/**
 * How far from the anchor any placement of `elements[0 … last]` can end:
 * the sum of the largest gaps and lengths, or Infinity after an unbounded gap.
 */
export function elementsReach(elements: readonly Element[], last = elements.length - 1): number {
  let reach = 0;
  for (let k = 0; k <= last; k++) {
    const element = elements[k] as Element;
    if (element.gapMax === UNBOUNDED) return Infinity;
    reach += element.gapMax + Math.max(...element.alts.map((alt) => alt.length));
  }
  return reach;
}

/** How far from its side's end a sequence can match (Infinity for an indirect offset or an unbounded gap). */
export function sequenceReach(sequence: Pick<CompiledSequence, 'indirect' | 'elements'>): number {
  return sequence.indirect === undefined ? elementsReach(sequence.elements) : Infinity;
}

/** Chooses the condition for a sequence. */
export function chooseCondition(sequence: CompiledSequence): Condition {
  const side: Side = sequence.anchor === 'EOF' ? TAIL : HEAD;
  if (sequence.indirect === undefined && sequence.anchor !== 'VAR') {
    const keys = chooseKeys(sequence.elements, side);
    if (keys !== undefined) return { kind: 'keys', keys };
  }
  const chosen = chooseLiterals(sequence.elements);
  if (chosen !== undefined) {
    const reach = sequence.indirect === undefined ? elementsReach(sequence.elements, chosen.element) : Infinity;
    return { kind: 'literals', side, literals: chosen.literals, reach };
  }
  return { kind: 'always' };
}

/** Keys from the element at a fixed position that gives the most selective key. */
function chooseKeys(elements: readonly Element[], side: Side): Key[] | undefined {
  let position = 0;
  let best: { score: number; keys: Key[] } | undefined;
  for (let k = 0; k < elements.length; k++) {
    const element = elements[k] as Element;
    if (element.gapMin !== element.gapMax || element.gapMax === UNBOUNDED) break;
    position += element.gapMin;
    const keys: Key[] = [];
    // A fragment may lie anywhere in the file: only one within what the prefilter reads gives a key.
    let score = element.fragment === true && position > CONDITION_BYTES ? -1 : Infinity;
    for (const alt of score < 0 ? [] : element.alts) {
      const key = bestKey(alt, position, side);
      if (key === undefined) {
        score = -1;
        break;
      }
      keys.push(key.key);
      score = Math.min(score, key.score);
    }
    if (element.alts.length > 1) score -= 0.5;
    if (score > 0 && (best === undefined || score > best.score)) best = { score, keys };
    const length = (element.alts[0] as readonly number[]).length;
    if (element.alts.some((alt) => alt.length !== length)) break;
    position += length;
  }
  return best?.keys;
}

function bestKey(alt: readonly number[], start: number, side: Side): { key: Key; score: number } | undefined {
  let best: { key: Key; score: number } | undefined;
  for (let i = 0; i < alt.length; i++) {
    const unit = alt[i] as number;
    if (unit >= 256) continue;
    const next = alt[i + 1];
    let candidate: { key: Key; score: number };
    if (next !== undefined && next < 256) {
      candidate = {
        key: { side, position: start + i, width: 2, value: (unit << 8) | next },
        score: 1.5 + byteWeight(unit) + byteWeight(next),
      };
    } else {
      candidate = { key: { side, position: start + i, width: 1, value: unit }, score: byteWeight(unit) };
    }
    if (best === undefined || candidate.score > best.score) best = candidate;
  }
  return best;
}

/** The most selective literal every match must contain (one per alternative of one element), and that element. */
function chooseLiterals(elements: readonly Element[]): { literals: number[][]; element: number } | undefined {
  let best: { score: number; literals: number[][]; element: number } | undefined;
  elements.forEach((element, index) => {
    // Anchors lie within the scanned window; a fragment may lie anywhere, so it serves only when
    // every placement of it lies within the bytes the prefilter reads.
    if (element.fragment === true && elementsReach(elements, index) > CONDITION_BYTES) return;
    const literals: number[][] = [];
    let score = Infinity;
    for (const alt of element.alts) {
      const literal = bestLiteral(alt);
      if (literal === undefined) {
        score = -1;
        break;
      }
      literals.push(literal);
      score = Math.min(score, weight(literal));
    }
    if (element.alts.length > 1) score -= 0.5;
    if (score > 0 && (best === undefined || score > best.score)) best = { score, literals, element: index };
  });
  return best;
}

function bestLiteral(alt: readonly number[]): number[] | undefined {
  const run = longestLiteralRun(alt);
  if (run.length === 0) return undefined;
  if (run.length <= MAX_LITERAL) return run.bytes;
  let bestStart = 0;
  let bestWeight = -1;
  for (let start = 0; start + MAX_LITERAL <= run.length; start++) {
    const value = weight(run.bytes.slice(start, start + MAX_LITERAL));
    if (value > bestWeight) {
      bestWeight = value;
      bestStart = start;
    }
  }
  return run.bytes.slice(bestStart, bestStart + MAX_LITERAL);
}

// ---------------------------------------------------------------------------
// Compiled form (built once, kept in the compiled cache)

/**
 * A multi-pattern automaton (Aho–Corasick) over bytes with a dense
 * transition table. Entries are pre-multiplied by 256 (the next state's row)
 * and complemented (`~`) when the next state reports patterns, so the inner
 * loop is one array read and one sign test per byte.
 */
export interface CompiledScanner {
  /** `delta[row + byte]`: the next state's row (`state * 256`), complemented when that state reports. */
  readonly delta: Int32Array;
  /** Patterns state `s` reports, longest first: `reports[reportStart[s] … reportStart[s + 1])`. */
  readonly reportStart: Int32Array;
  readonly reports: Int32Array;
  /** Longest pattern, in bytes. */
  readonly maxLength: number;
  /** Bytes from the start (head side) and from the end (tail side) where its patterns are needed; 0 for a side it does not serve. */
  readonly headReach: number;
  readonly tailReach: number;
}

/** The automaton of the long patterns, with the byte pairs that may start them. */
export interface CompiledLongScanner extends CompiledScanner {
  /** `pairs[first | second << 8]` is 1 when that byte pair lies at offset 0 or 1 of some pattern. */
  readonly pairs: Uint8Array;
}

/** The keys at one position: `sequences[starts[i] … starts[i + 1])` for `values[i]` (sorted). */
export interface CompiledKeyGroup {
  readonly side: Side;
  readonly position: number;
  readonly width: 1 | 2;
  readonly values: Int32Array;
  readonly starts: Int32Array;
  readonly sequences: Int32Array;
}

/** A short pattern needed far from its end, searched for on its own. */
export interface SearchedPattern {
  readonly pattern: number;
  readonly side: Side;
  readonly bytes: Uint8Array;
  readonly reach: number;
}

/** Everything the prefilter needs, as plain serialisable data. Sequences are numbered across signatures, in order. */
export interface CompiledPrefilter {
  /** Per sequence, its signature's index. */
  readonly sequenceSignature: Int32Array;
  /** Per signature, its first sequence and how many it has. */
  readonly signatureFirst: Int32Array;
  readonly signatureSize: Int32Array;
  readonly always: Int32Array;
  readonly keyGroups: readonly CompiledKeyGroup[];
  readonly patternCount: number;
  /** The sequences a pattern stands for on each side: `headSequences[headStart[p] … headStart[p + 1])`. */
  readonly headStart: Int32Array;
  readonly headSequences: Int32Array;
  readonly tailStart: Int32Array;
  readonly tailSequences: Int32Array;
  readonly headShort: CompiledScanner | undefined;
  readonly tailShort: CompiledScanner | undefined;
  readonly long: CompiledLongScanner | undefined;
  readonly searched: readonly SearchedPattern[];
}

interface PatternDraft {
  readonly bytes: readonly number[];
  readonly sequences: [number[], number[]];
  readonly reach: [number, number];
}

/** Builds the prefilter of a list of signatures (their sequences numbered in order). */
export function compilePrefilter(signatures: readonly CompiledSignature[]): CompiledPrefilter {
  const sequenceSignature: number[] = [];
  const signatureFirst: number[] = [];
  const always: number[] = [];
  const groups = new Map<string, { side: Side; position: number; width: 1 | 2; byValue: Map<number, number[]> }>();
  const patternIndex = new Map<string, number>();
  const patterns: PatternDraft[] = [];
  signatures.forEach((signature, signatureIndex) => {
    signatureFirst.push(sequenceSignature.length);
    for (const sequence of signature.sequences) {
      const sequenceIndex = sequenceSignature.length;
      sequenceSignature.push(signatureIndex);
      const condition = chooseCondition(sequence);
      if (condition.kind === 'keys') {
        for (const key of condition.keys) {
          const groupKey = `${key.side}:${key.position}:${key.width}`;
          let group = groups.get(groupKey);
          if (group === undefined) {
            group = { side: key.side, position: key.position, width: key.width, byValue: new Map() };
            groups.set(groupKey, group);
          }
          addOnce(group.byValue, key.value, sequenceIndex);
        }
      } else if (condition.kind === 'literals') {
        for (const literal of condition.literals) {
          // In file order: EOF literals were reversed with their sequence.
          const bytes = condition.side === TAIL ? [...literal].reverse() : [...literal];
          const text = bytes.join(',');
          let index = patternIndex.get(text);
          if (index === undefined) {
            index = patterns.length;
            patterns.push({ bytes, sequences: [[], []], reach: [0, 0] });
            patternIndex.set(text, index);
          }
          const pattern = patterns[index] as PatternDraft;
          const list = pattern.sequences[condition.side];
          if (!list.includes(sequenceIndex)) list.push(sequenceIndex);
          pattern.reach[condition.side] = Math.max(pattern.reach[condition.side], condition.reach);
        }
      } else {
        always.push(sequenceIndex);
      }
    }
  });

  const ids = patterns.map((_, index) => index);
  const isShort = (index: number): boolean => (patterns[index] as PatternDraft).bytes.length < LONG_PATTERN;
  const searched: SearchedPattern[] = [];
  const shortScanner = (side: Side): CompiledScanner | undefined => {
    let members = ids.filter((index) => isShort(index) && (patterns[index] as PatternDraft).sequences[side].length > 0);
    const far = members.filter((index) => (patterns[index] as PatternDraft).reach[side] > SEARCH_BEYOND);
    if (far.length > 0 && far.length <= MAX_SEARCHED) {
      for (const index of far) {
        const pattern = patterns[index] as PatternDraft;
        searched.push({ pattern: index, side, bytes: Uint8Array.from(pattern.bytes), reach: pattern.reach[side] });
      }
      members = members.filter((index) => !far.includes(index));
    }
    return members.length === 0 ? undefined : buildScanner(patterns, members);
  };
  const headShort = shortScanner(HEAD);
  const tailShort = shortScanner(TAIL);
  const longMembers = ids.filter((index) => !isShort(index));
  let long: CompiledLongScanner | undefined;
  if (longMembers.length > 0) {
    const pairs = new Uint8Array(65536);
    for (const index of longMembers) {
      const bytes = (patterns[index] as PatternDraft).bytes;
      for (let offset = 0; offset < 2; offset++) pairs[(bytes[offset] as number) | ((bytes[offset + 1] as number) << 8)] = 1;
    }
    long = { ...buildScanner(patterns, longMembers), pairs };
  }

  const packSide = (side: Side): { starts: Int32Array; sequences: Int32Array } => {
    const starts = new Int32Array(patterns.length + 1);
    const flat: number[] = [];
    patterns.forEach((pattern, index) => {
      starts[index] = flat.length;
      flat.push(...pattern.sequences[side]);
    });
    starts[patterns.length] = flat.length;
    return { starts, sequences: Int32Array.from(flat) };
  };
  const head = packSide(HEAD);
  const tail = packSide(TAIL);
  return {
    sequenceSignature: Int32Array.from(sequenceSignature),
    signatureFirst: Int32Array.from(signatureFirst),
    signatureSize: Int32Array.from(signatures, (signature) => signature.sequences.length),
    always: Int32Array.from(always),
    keyGroups: [...groups.values()].map((group) => {
      const values = [...group.byValue.keys()].sort((a, b) => a - b);
      const starts = new Int32Array(values.length + 1);
      const flat: number[] = [];
      values.forEach((value, index) => {
        starts[index] = flat.length;
        flat.push(...(group.byValue.get(value) as number[]));
      });
      starts[values.length] = flat.length;
      return {
        side: group.side,
        position: group.position,
        width: group.width,
        values: Int32Array.from(values),
        starts,
        sequences: Int32Array.from(flat),
      };
    }),
    patternCount: patterns.length,
    headStart: head.starts,
    headSequences: head.sequences,
    tailStart: tail.starts,
    tailSequences: tail.sequences,
    headShort,
    tailShort,
    long,
    searched,
  };
}

function addOnce(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** The automaton of some patterns (reporting their global indexes). */
function buildScanner(patterns: readonly PatternDraft[], members: readonly number[]): CompiledScanner {
  const children: Map<number, number>[] = [new Map()];
  const terminal: number[] = [-1];
  let maxLength = 0;
  let headReach = 0;
  let tailReach = 0;
  for (const index of members) {
    const pattern = patterns[index] as PatternDraft;
    maxLength = Math.max(maxLength, pattern.bytes.length);
    if (pattern.sequences[HEAD].length > 0) headReach = Math.max(headReach, pattern.reach[HEAD]);
    if (pattern.sequences[TAIL].length > 0) tailReach = Math.max(tailReach, pattern.reach[TAIL]);
    let state = 0;
    for (const byte of pattern.bytes) {
      let next = (children[state] as Map<number, number>).get(byte);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        terminal.push(-1);
        (children[state] as Map<number, number>).set(byte, next);
      }
      state = next;
    }
    terminal[state] = index;
  }
  const states = children.length;
  const next = new Int32Array(states * 256);
  const fail = new Int32Array(states);
  const dictionary = new Int32Array(states).fill(-1); // nearest state on the suffix chain that ends a pattern
  const queue: number[] = [];
  for (let byte = 0; byte < 256; byte++) {
    const child = (children[0] as Map<number, number>).get(byte);
    if (child !== undefined) {
      next[byte] = child;
      queue.push(child);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const failure = fail[state] as number;
    dictionary[state] = (terminal[failure] as number) >= 0 ? failure : (dictionary[failure] as number);
    for (let byte = 0; byte < 256; byte++) {
      const child = (children[state] as Map<number, number>).get(byte);
      if (child === undefined) {
        next[state * 256 + byte] = next[failure * 256 + byte] as number;
      } else {
        next[state * 256 + byte] = child;
        fail[child] = next[failure * 256 + byte] as number;
        queue.push(child);
      }
    }
  }
  const reportStart = new Int32Array(states + 1);
  const reports: number[] = [];
  for (let state = 0; state < states; state++) {
    reportStart[state] = reports.length;
    if ((terminal[state] as number) >= 0) reports.push(terminal[state] as number);
    for (let link = dictionary[state] as number; link >= 0; link = dictionary[link] as number) reports.push(terminal[link] as number);
  }
  reportStart[states] = reports.length;
  const delta = new Int32Array(states * 256);
  for (let i = 0; i < delta.length; i++) {
    const target = next[i] as number;
    delta[i] = reportStart[target + 1] !== reportStart[target] ? ~(target * 256) : target * 256;
  }
  return { delta, reportStart, reports: Int32Array.from(reports), maxLength, headReach, tailReach };
}

// ---------------------------------------------------------------------------
// Scanning

/** Words per block of the sampled scan; a block with more than DENSE_HITS hits is finished (and the next one read) by the automaton. */
const BLOCK_WORDS = 1024;
const DENSE_HITS = 96;
/** Regions shorter than this are read by the automaton directly. */
const MIN_SAMPLED_BYTES = 64;
/** Ranges at least this long are read by the automaton as two interleaved halves (more than twice the longest pattern). */
const INTERLEAVE_BYTES = 256;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const HEAD_MASK = 1;
const TAIL_MASK = 2;

/**
 * The prefilter at work: `candidates` gives the signatures worth matching in
 * a window. Holds scratch arrays reused from call to call (stamped with a
 * generation number instead of cleared), so one instance serves one thread;
 * calls are synchronous and never interleave.
 */
export class Prefilter {
  private readonly sequenceStamp: Uint32Array;
  private readonly signatureStamp: Uint32Array;
  private readonly signatureCount: Uint32Array;
  private readonly patternStamp: Uint32Array;
  private call = 0;
  private run = 0;
  private result: number[] = [];

  constructor(readonly compiled: CompiledPrefilter) {
    this.sequenceStamp = new Uint32Array(compiled.sequenceSignature.length);
    this.signatureStamp = new Uint32Array(compiled.signatureSize.length);
    this.signatureCount = new Uint32Array(compiled.signatureSize.length);
    this.patternStamp = new Uint32Array(compiled.patternCount);
  }

  /**
   * Indexes of the signatures whose every sequence passes its condition, in
   * ascending order.
   * @param head The first bytes of the file.
   * @param tail The last bytes of the file, in file order (the same bytes as `head` when `whole`).
   * @param whole Whether `head` is the whole file (then `tail` is not read).
   */
  candidates(head: Buffer, tail: Buffer, whole: boolean): number[] {
    const compiled = this.compiled;
    if (++this.call === 0xffffffff) {
      this.sequenceStamp.fill(0);
      this.signatureStamp.fill(0);
      this.call = 1;
    }
    this.result = [];
    for (const sequence of compiled.always) this.mark(sequence);
    this.checkKeys(head, whole ? head : tail);

    const { headShort, tailShort, long } = compiled;
    if (whole) {
      const size = head.length;
      if (headShort !== undefined) this.scan(headShort, head, 0, Math.min(size, headShort.headReach), HEAD_MASK);
      if (tailShort !== undefined) this.scan(tailShort, head, size - Math.min(size, tailShort.tailReach), size, TAIL_MASK);
      if (long !== undefined) {
        const headEnd = Math.min(size, long.headReach);
        const tailStart = size - Math.min(size, long.tailReach);
        if (tailStart <= headEnd) {
          this.sampled(long, head, 0, size, HEAD_MASK | TAIL_MASK);
        } else {
          if (headEnd > 0) this.sampled(long, head, 0, headEnd, HEAD_MASK);
          if (tailStart < size) this.sampled(long, head, tailStart, size, TAIL_MASK);
        }
      }
    } else {
      if (headShort !== undefined) this.scan(headShort, head, 0, Math.min(head.length, headShort.headReach), HEAD_MASK);
      if (tailShort !== undefined) {
        this.scan(tailShort, tail, tail.length - Math.min(tail.length, tailShort.tailReach), tail.length, TAIL_MASK);
      }
      if (long !== undefined) {
        if (long.headReach > 0) this.sampled(long, head, 0, Math.min(head.length, long.headReach), HEAD_MASK);
        if (long.tailReach > 0) this.sampled(long, tail, tail.length - Math.min(tail.length, long.tailReach), tail.length, TAIL_MASK);
      }
    }
    for (const searched of compiled.searched) {
      const buf = searched.side === HEAD ? head : whole ? head : tail;
      const length = Math.min(buf.length, searched.reach);
      const [from, to] = searched.side === HEAD ? [0, length] : [buf.length - length, buf.length];
      if (contains(buf, from, to, searched.bytes)) this.found(searched.pattern, searched.side === HEAD ? HEAD_MASK : TAIL_MASK);
    }
    return this.result.sort((a, b) => a - b);
  }

  private mark(sequence: number): void {
    const call = this.call;
    if (this.sequenceStamp[sequence] === call) return;
    this.sequenceStamp[sequence] = call;
    const signature = this.compiled.sequenceSignature[sequence] as number;
    let count = 1;
    if (this.signatureStamp[signature] === call) count = (this.signatureCount[signature] as number) + 1;
    else this.signatureStamp[signature] = call;
    this.signatureCount[signature] = count;
    if (count === this.compiled.signatureSize[signature]) this.result.push(signature);
  }

  private checkKeys(head: Buffer, tail: Buffer): void {
    for (const group of this.compiled.keyGroups) {
      const { position, width } = group;
      let value: number;
      if (group.side === HEAD) {
        if (position + width > head.length) continue;
        value = width === 2 ? ((head[position] as number) << 8) | (head[position + 1] as number) : (head[position] as number);
      } else {
        // Counted from the end, in reversed order.
        if (position + width > tail.length) continue;
        const at = tail.length - 1 - position;
        value = width === 2 ? ((tail[at] as number) << 8) | (tail[at - 1] as number) : (tail[at] as number);
      }
      const values = group.values;
      let lo = 0;
      let hi = values.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const found = values[mid] as number;
        if (found < value) lo = mid + 1;
        else if (found > value) hi = mid - 1;
        else {
          for (let i = group.starts[mid] as number, end = group.starts[mid + 1] as number; i < end; i++) {
            this.mark(group.sequences[i] as number);
          }
          break;
        }
      }
    }
  }

  /** A pattern occurs where the sides in `mask` need it. */
  private found(pattern: number, mask: number): void {
    const compiled = this.compiled;
    if ((mask & HEAD_MASK) !== 0) {
      for (let i = compiled.headStart[pattern] as number, end = compiled.headStart[pattern + 1] as number; i < end; i++) {
        this.mark(compiled.headSequences[i] as number);
      }
    }
    if ((mask & TAIL_MASK) !== 0) {
      for (let i = compiled.tailStart[pattern] as number, end = compiled.tailStart[pattern + 1] as number; i < end; i++) {
        this.mark(compiled.tailSequences[i] as number);
      }
    }
  }

  private nextRun(): void {
    if (++this.run === 0xffffffff) {
      this.patternStamp.fill(0);
      this.run = 1;
    }
  }

  /** Reports every pattern occurring within `buf[from, to)`. */
  private scan(scanner: CompiledScanner, buf: Uint8Array, from: number, to: number, mask: number): void {
    if (to - from <= 0) return;
    this.nextRun();
    this.automaton(scanner, buf, from, to, 0, mask);
  }

  /**
   * Runs the automaton over `buf[from, to)` from `row`; returns the row it
   * ends in. A long range is read as two halves at once (the second from a
   * fresh start `maxLength - 1` bytes before the first one ends, so no
   * occurrence is cut): each step waits for the previous table read, so two
   * independent chains run nearly twice as fast as one.
   */
  private automaton(scanner: CompiledScanner, buf: Uint8Array, from: number, to: number, row: number, mask: number): number {
    const delta = scanner.delta;
    if (to - from >= INTERLEAVE_BYTES) {
      const half = (to - from) >> 1;
      let i = from;
      let j = from + half - (scanner.maxLength - 1);
      let second = 0;
      for (const end = from + half; i < end; i++, j++) {
        row = delta[row + (buf[i] as number)] as number;
        second = delta[second + (buf[j] as number)] as number;
        if ((row | second) < 0) {
          if (row < 0) {
            row = ~row;
            this.report(scanner, row >> 8, mask);
          }
          if (second < 0) {
            second = ~second;
            this.report(scanner, second >> 8, mask);
          }
        }
      }
      from = j;
      row = second;
    }
    for (let i = from; i < to; i++) {
      row = delta[row + (buf[i] as number)] as number;
      if (row < 0) {
        row = ~row;
        this.report(scanner, row >> 8, mask);
      }
    }
    return row;
  }

  private report(scanner: CompiledScanner, state: number, mask: number): void {
    const { reportStart, reports } = scanner;
    const stamp = this.patternStamp;
    const run = this.run;
    for (let i = reportStart[state] as number, end = reportStart[state + 1] as number; i < end; i++) {
      const pattern = reports[i] as number;
      if (stamp[pattern] === run) break; // the rest of its suffix chain was reported with it
      stamp[pattern] = run;
      this.found(pattern, mask);
    }
  }

  /**
   * Reports every long pattern occurring within `buf[from, to)`, running the
   * automaton only around words whose byte pairs may start one (see the file
   * comment). An occurrence at `s` puts the pair at offset 0 or 1 at an even
   * distance from the first word, so the word holding that pair has a hit
   * and the automaton then reads `[p - 1, p + 2 + maxLength)` around it.
   */
  private sampled(scanner: CompiledLongScanner, buf: Uint8Array, from: number, to: number, mask: number): void {
    if (to - from <= 0) return;
    this.nextRun();
    const start = from + ((4 - ((buf.byteOffset + from) & 3)) & 3);
    const words = to - start >= 4 ? (to - start) >> 2 : 0;
    if (!LITTLE_ENDIAN || to - from < MIN_SAMPLED_BYTES || words === 0) {
      this.automaton(scanner, buf, from, to, 0, mask);
      return;
    }
    const wordView = new Uint32Array(buf.buffer, buf.byteOffset + start, words);
    const pairs = scanner.pairs;
    const reach = 2 + scanner.maxLength; // from a word's start to the end of a pattern starting in it
    // The automaton has read buf[…, done) without a break, and is in `row`.
    let done = from;
    let row = 0;
    const cover = (begin: number, end: number): void => {
      if (end > to) end = to;
      if (begin < from) begin = from;
      if (begin <= done) begin = done;
      else row = 0;
      if (end <= begin) return;
      row = this.automaton(scanner, buf, begin, end, row, mask);
      done = end;
    };
    cover(from, start + reach); // occurrences starting before the first word's pairs can catch them
    let dense = false;
    let k = 0;
    while (k < words) {
      const blockEnd = Math.min(words, k + BLOCK_WORDS);
      if (dense) {
        cover(start + 4 * k - 1, start + 4 * (blockEnd - 1) + reach);
        k = blockEnd;
        dense = false;
        continue;
      }
      let hits = 0;
      for (;;) {
        k = nextHit(wordView, pairs, k, blockEnd);
        if (k >= blockEnd) break;
        const p = start + 4 * k;
        if (++hits > DENSE_HITS) {
          cover(p - 1, start + 4 * (blockEnd - 1) + reach);
          k = blockEnd;
          dense = true;
          break;
        }
        cover(p - 1, p + reach);
        // Words whose every possible occurrence the automaton has now read are skipped.
        const skip = done - reach - start;
        k = skip >= 0 ? Math.max(k + 1, (skip >> 2) + 1) : k + 1;
      }
    }
    cover(start + 4 * words - 1, to); // occurrences starting too late for the last word's pairs
  }
}

/** The first word from `k` (before `end`) with a byte pair that may start a pattern, else `end`. */
function nextHit(words: Uint32Array, pairs: Uint8Array, k: number, end: number): number {
  for (; k < end; k++) {
    const word = words[k] as number;
    if (((pairs[word & 0xffff] as number) | (pairs[word >>> 16] as number)) !== 0) return k;
  }
  return end;
}

/**
 * Whether `pattern` occurs within `buf[from, to)`. Jumps between occurrences
 * of its last byte with `indexOf` (memchr); when that byte turns out to be
 * common, reads the rest byte by byte, so the cost stays linear.
 */
function contains(buf: Buffer, from: number, to: number, pattern: Uint8Array): boolean {
  const length = pattern.length;
  const first = pattern[0] as number;
  const last = pattern[length - 1] as number;
  let position = from + length - 1; // where the last byte of an occurrence may lie
  let misses = 0;
  const matchesAt = (end: number): boolean => {
    for (let i = 0; i < length - 1; i++) if (buf[end - length + 1 + i] !== pattern[i]) return false;
    return true;
  };
  while (position < to) {
    if (misses > 16 && misses * 64 > position - from) {
      for (; position < to; position++) {
        if (buf[position] === last && buf[position - length + 1] === first && matchesAt(position)) return true;
      }
      return false;
    }
    const found = buf.indexOf(last, position);
    if (found < 0 || found >= to) return false;
    if (matchesAt(found)) return true;
    misses++;
    position = found + 1;
  }
  return false;
}
