/**
 * Picks, for one file, the few signatures worth matching in full, so that
 * ~2,000 signatures are not tried one by one.
 *
 * Every sequence gets one cheap necessary condition:
 * - a *key*: one or two literal bytes at a fixed position from the start (or,
 *   for EOF sequences, from the end). All keys at one position share a hash
 *   table, so checking them costs one lookup per distinct position;
 * - otherwise a *literal* (up to {@link MAX_LITERAL} bytes that every match
 *   contains). All literals go into one Aho–Corasick automaton that reads the
 *   head (and the reversed tail) once: linear in the window, whatever the
 *   number of signatures;
 * - a sequence without any literal byte is always a candidate (a handful).
 * Alternatives give several keys or literals, any of which will do.
 * A signature is a candidate when every one of its sequences is.
 */
import type { CompiledSequence } from './compile.js';
import { longestLiteralRun } from './sequence-matcher.js';
import { type Element, UNBOUNDED } from './units.js';

/** Longest literal fed to the automaton (longer literals are cut: the full match is checked later). */
export const MAX_LITERAL = 8;

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
  | { readonly kind: 'literals'; readonly side: Side; readonly literals: readonly (readonly number[])[] }
  | { readonly kind: 'always' };

function byteWeight(byte: number): number {
  if (byte === 0x00) return 0.3;
  if (byte === 0xff || byte === 0x20) return 0.6;
  return 1;
}

function weight(bytes: readonly number[]): number {
  return bytes.reduce((sum, byte) => sum + byteWeight(byte), 0);
}

/** Chooses the condition for a sequence. */
export function chooseCondition(sequence: CompiledSequence): Condition {
  const side: Side = sequence.anchor === 'EOF' ? TAIL : HEAD;
  if (sequence.indirect === undefined && sequence.anchor !== 'VAR') {
    const keys = chooseKeys(sequence.elements, side);
    if (keys !== undefined) return { kind: 'keys', keys };
  }
  const literals = chooseLiterals(sequence.elements);
  if (literals !== undefined) return { kind: 'literals', side, literals };
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
    let score = Infinity;
    for (const alt of element.alts) {
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

/** The most selective literal every match must contain (one per alternative of one element). */
function chooseLiterals(elements: readonly Element[]): number[][] | undefined {
  let best: { score: number; literals: number[][] } | undefined;
  for (const element of elements) {
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
    if (score > 0 && (best === undefined || score > best.score)) best = { score, literals };
  }
  return best?.literals;
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

/**
 * A multi-pattern automaton (Aho–Corasick) over bytes, with a dense
 * transition table: one array read per input byte.
 */
export interface Automaton {
  /** `delta[state * 256 + byte]`: next state. */
  readonly delta: Int32Array;
  /** Literal ending at each state, or -1. */
  readonly output: Int32Array;
  /** Nearest state on the suffix chain that ends a literal, or -1. */
  readonly dictionary: Int32Array;
  readonly literalCount: number;
}

export function buildAutomaton(literals: readonly (readonly number[])[]): Automaton {
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
    if (child === undefined) {
      delta[byte] = 0;
    } else {
      delta[byte] = child;
      fail[child] = 0;
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
  return { delta, output, dictionary, literalCount: literals.length };
}

/**
 * Reads `buf[0, limit)` once and sets `found[literal] = 1` for every
 * literal that occurs. Each literal is reported once, so the work is
 * O(limit + literals).
 */
export function scanAutomaton(automaton: Automaton, buf: Uint8Array, limit: number, found: Uint8Array): void {
  const { delta, output, dictionary } = automaton;
  let state = 0;
  for (let i = 0; i < limit; i++) {
    state = delta[(state << 8) | (buf[i] as number)] as number;
    let report = (output[state] as number) >= 0 ? state : (dictionary[state] as number);
    while (report >= 0) {
      const literal = output[report] as number;
      if (found[literal] === 1) break; // its whole suffix chain was reported with it
      found[literal] = 1;
      report = dictionary[report] as number;
    }
  }
}
