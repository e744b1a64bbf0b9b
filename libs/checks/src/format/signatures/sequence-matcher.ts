/**
 * Matches one compiled sequence (a list of elements with gaps, see
 * ./units.ts) against a buffer.
 *
 * The question asked is DROID's: is there any placement of every element,
 * each within its gap of the previous one, with the first one within its
 * gap of the anchor? It is answered with a dynamic programme over sets of
 * positions, element by element: the possible start positions of an element
 * are kept as sorted, disjoint intervals, every position in them is tested
 * once, and the matches' end positions, widened by the next gap, give the
 * next element's intervals. Each element therefore tests at most one
 * position per byte it may lie in (the scan limit for anchors, the buffer
 * for fragments), so the work is O(elements × bytes × alternative length) whatever
 * the bytes are: no backtracking, nothing super-linear, and never more than
 * the window the caller handed in. When the next gap is unbounded only the
 * earliest end matters, and the scan stops as soon as it is known.
 *
 * DROID's own search (`SubSequence.findSequenceFromPosition` with
 * `bytePosForLeftFragments`/`bytePosForRightFragments`) finds the same
 * matches with a greedy search plus limited back-tracking over fragment
 * offsets; this programme is exact where that back-tracking is not.
 */
import { ANY, CLASS_BASE, type ClassTable, type Element, UNBOUNDED } from './units.js';

/** An element prepared for scanning (derived once from the compiled element). */
export interface PreparedElement {
  readonly gapMin: number;
  readonly gapMax: number;
  readonly alts: readonly (readonly number[])[];
  readonly minLength: number;
  /** Bytes the first unit of some alternative accepts (256 flags). */
  readonly firstBytes: Uint8Array;
  /** For a single-alternative element: its longest literal run, to jump with `indexOf`. */
  readonly literal: { readonly bytes: Buffer; readonly offset: number } | undefined;
  /**
   * Whether it must end within the scan limit: an anchor, or any element
   * matched before one (it ends before that anchor starts). Only fragments
   * after the last anchor may lie anywhere in the buffer.
   */
  readonly scanLimited: boolean;
}

export function prepareElements(elements: readonly Element[], classes: ClassTable): PreparedElement[] {
  let lastAnchor = -1;
  elements.forEach((element, index) => {
    if (element.fragment !== true) lastAnchor = index;
  });
  return elements.map((element, index) => {
    const firstBytes = new Uint8Array(256);
    for (const alt of element.alts) {
      const unit = alt[0] as number;
      if (unit < 256) firstBytes[unit] = 1;
      else if (unit === ANY) firstBytes.fill(1);
      else {
        const base = (unit - CLASS_BASE) * 256;
        for (let byte = 0; byte < 256; byte++) if (classes[base + byte] === 1) firstBytes[byte] = 1;
      }
    }
    let literal: PreparedElement['literal'];
    if (element.alts.length === 1) {
      const run = longestLiteralRun(element.alts[0] as readonly number[]);
      if (run.length >= 2) literal = { bytes: Buffer.from(run.bytes), offset: run.offset };
    }
    return {
      gapMin: element.gapMin,
      gapMax: element.gapMax,
      alts: element.alts,
      minLength: Math.min(...element.alts.map((alt) => alt.length)),
      firstBytes,
      literal,
      scanLimited: index <= lastAnchor,
    };
  });
}

/** The longest run of literal units in an alternative. */
export function longestLiteralRun(alt: readonly number[]): { offset: number; length: number; bytes: number[] } {
  let bestOffset = 0;
  let bestLength = 0;
  let start = 0;
  for (let i = 0; i <= alt.length; i++) {
    const unit = alt[i];
    if (unit === undefined || unit >= 256) {
      if (i - start > bestLength) {
        bestLength = i - start;
        bestOffset = start;
      }
      start = i + 1;
    }
  }
  return { offset: bestOffset, length: bestLength, bytes: alt.slice(bestOffset, bestOffset + bestLength) as number[] };
}

function altMatches(buf: Uint8Array, position: number, alt: readonly number[], classes: ClassTable): boolean {
  for (let i = 0; i < alt.length; i++) {
    const unit = alt[i] as number;
    const byte = buf[position + i] as number;
    if (unit < 256) {
      if (unit !== byte) return false;
    } else if (unit !== ANY && classes[(unit - CLASS_BASE) * 256 + byte] !== 1) {
      return false;
    }
  }
  return true;
}

/** Where one placement of the whole sequence lies: `[start, end)` in the buffer. */
export interface MatchSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Finds a placement of `elements` in `buf`, the first element's gap counted
 * from `base`: anchors within `buf[0, scanLimit)` (DROID's "max bytes to
 * scan"), fragments anywhere in `buf`. Returns the placement that ends
 * earliest (its start as placed), or undefined when there is none.
 */
export function matchElements(
  buf: Buffer,
  scanLimit: number,
  base: number,
  elements: readonly PreparedElement[],
  classes: ClassTable,
): MatchSpan | undefined {
  const count = elements.length;
  if (count === 0) return undefined;
  const anchorLimit = Math.min(scanLimit, buf.length);
  const limitOf = (element: PreparedElement): number => (element.scanLimited ? anchorLimit : buf.length);
  const first = elements[0] as PreparedElement;
  let starts = [base + first.gapMin, first.gapMax === UNBOUNDED ? limitOf(first) : base + first.gapMax];
  const allStarts: number[][] = [];
  const allEnds: number[][] = [];
  for (let k = 0; k < count; k++) {
    const element = elements[k] as PreparedElement;
    const next = elements[k + 1];
    const minOnly = next === undefined || next.gapMax === UNBOUNDED;
    const ends = scanElement(buf, limitOf(element), starts, element, minOnly, classes);
    if (ends.length === 0) return undefined;
    allStarts.push(starts);
    allEnds.push(ends);
    if (next !== undefined) starts = widen(ends, next.gapMin, next.gapMax, limitOf(next));
  }
  return witness(buf, elements, allStarts, allEnds, classes);
}

/** Sorted, unique end positions of the element's matches starting within `intervals`. */
function scanElement(
  buf: Buffer,
  limit: number,
  intervals: readonly number[],
  element: PreparedElement,
  minOnly: boolean,
  classes: ClassTable,
): number[] {
  const ends: number[] = [];
  let best = Infinity;
  const { alts, firstBytes, literal, minLength } = element;
  const lastStart = limit - minLength;
  for (let i = 0; i < intervals.length; i += 2) {
    const from = Math.max(0, intervals[i] as number);
    let to = Math.min(lastStart, intervals[i + 1] as number);
    if (minOnly && best !== Infinity) to = Math.min(to, best - minLength);
    if (from > to) {
      if (minOnly && best !== Infinity) break;
      continue;
    }
    let position = from;
    while (position <= to) {
      if (literal !== undefined && to - position > 8) {
        // Jump to the next occurrence of the element's literal run, searching only this interval.
        const stop = to + literal.offset + literal.bytes.length;
        const found = buf.subarray(0, Math.min(stop, limit)).indexOf(literal.bytes, position + literal.offset);
        if (found < 0) break;
        position = found - literal.offset;
        if (position > to) break;
      }
      if (firstBytes[buf[position] as number] === 1) {
        for (const alt of alts) {
          const end = position + alt.length;
          if (end <= limit && altMatches(buf, position, alt, classes)) {
            ends.push(end);
            if (end < best) {
              best = end;
              if (minOnly) to = Math.min(to, best - minLength);
            }
          }
        }
      }
      position++;
    }
  }
  if (minOnly) return best === Infinity ? [] : [best];
  if (alts.length > 1) {
    ends.sort((a, b) => a - b);
    return ends.filter((end, index) => index === 0 || end !== ends[index - 1]);
  }
  return ends;
}

/** The start intervals `[end + gapMin, end + gapMax]` of the next element, merged. */
function widen(ends: readonly number[], gapMin: number, gapMax: number, limit: number): number[] {
  const first = ends[0] as number;
  if (gapMax === UNBOUNDED) return [first + gapMin, limit];
  const out: number[] = [];
  for (const end of ends) {
    const from = end + gapMin;
    if (from > limit) break;
    const to = Math.min(limit, end + gapMax);
    const last = out.length - 1;
    if (last > 0 && from <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, to);
    else out.push(from, to);
  }
  return out;
}

/** Whether `position` lies in one of the sorted, disjoint `[from, to]` pairs (binary search). */
function inIntervals(intervals: readonly number[], position: number): boolean {
  let lo = 0;
  let hi = intervals.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (position < (intervals[2 * mid] as number)) hi = mid - 1;
    else if (position > (intervals[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The largest value of sorted `values` within `[low, high]`, or undefined. */
function largestWithin(values: readonly number[], low: number, high: number): number | undefined {
  let lo = 0;
  let hi = values.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = values[mid] as number;
    if (value <= high) {
      found = value;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found !== undefined && found >= low ? found : undefined;
}

/** Walks back from the earliest end to one concrete placement (every step exists by construction). */
function witness(
  buf: Buffer,
  elements: readonly PreparedElement[],
  allStarts: readonly number[][],
  allEnds: readonly number[][],
  classes: ClassTable,
): MatchSpan {
  const lastEnds = allEnds[allEnds.length - 1] as number[];
  const end = lastEnds[0] as number;
  let target = end;
  let start = target;
  for (let k = elements.length - 1; k >= 0; k--) {
    const element = elements[k] as PreparedElement;
    const starts = allStarts[k] as number[];
    let placed: number | undefined;
    for (const alt of element.alts) {
      const position = target - alt.length;
      if (position >= 0 && inIntervals(starts, position) && altMatches(buf, position, alt, classes)) {
        placed = position;
        break;
      }
    }
    if (placed === undefined) throw new Error('internal error: no placement for a matched element');
    start = placed;
    if (k > 0) {
      const low = element.gapMax === UNBOUNDED ? 0 : placed - element.gapMax;
      const previous = largestWithin(allEnds[k - 1] as number[], low, placed - element.gapMin);
      if (previous === undefined) throw new Error('internal error: no end for a matched element');
      target = previous;
    }
  }
  return { start, end };
}
