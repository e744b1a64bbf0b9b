/**
 * Turns the raw records of ./xml.ts into compiled sequences: one linear list
 * of elements per `ByteSequence`, in the orientation it is matched in.
 *
 * DROID semantics implemented here (droid-core `signature/droid6`):
 * - `ByteSequence.setReference`: `BOFoffset` anchors at the start, `EOFoffset`
 *   at the end (its subsequences are matched last to first, backwards), any
 *   other value (absent, `Variable`) is a search from the start of the file;
 *   `Indirect…offset` reads the anchor position from the file
 *   (`getIndirectOffset`: `IndirectOffsetLocation`, `IndirectOffsetLength`,
 *   `Endianness`, which matters only there).
 * - `SubSequence.findSequenceFromPosition` / `ByteSequence.prepareSequenceFragments`:
 *   only the FIRST subsequence of a BOF or EOF sequence is bounded by
 *   `SubSeqMinOffset…SubSeqMaxOffset` (from the file's start/end to the
 *   subsequence's outermost fragment); every later subsequence, and the
 *   first one of a variable sequence, is searched from `SubSeqMinOffset`
 *   past the previous match to the end of the window ("full file scan"):
 *   its maximum is unbounded. `setMinSeqOffset`/`setMaxSeqOffset` raise a
 *   missing or smaller maximum to the minimum.
 * - `SubSequence` fragments: `LeftFragment`s at positions 1…n lie before the
 *   `Sequence` (position 1 next to it), `RightFragment`s after it; each
 *   fragment's `MinOffset…MaxOffset` is the gap between it and its inner
 *   neighbour; fragments sharing a position are alternatives. Fragments are
 *   marked: "max bytes to scan" bounds only the search for the `Sequence`
 *   (`endSearchWindow`); `bytePosForLeftFragments`/`…RightFragments` read
 *   the file wherever the fragments lie.
 *   `SideFragment.setMinOffset`/`setMaxOffset` raise a missing max to the min.
 * - `MinFragLength` is ignored, as DROID does (`SubSequence.setMinFragLength`
 *   is a no-op): it restates the left fragments' minimum length.
 * - `InternalSignature.prepareForUse`: a signature with any sequence that
 *   does not compile is dropped (DROID logs "Removing invalid signature").
 * - `InternalSignature.calculateSignatureSortOrder`: the order in which
 *   DROID tries signatures, which is the order it reports hits in.
 */
import type { RawByteSequence, RawFragment, RawInternalSignature, RawSubSequence } from './xml.js';
import {
  type Chunk,
  EMPTY_CHUNK,
  joinChunks,
  normalizeChunk,
  parsePattern,
  PatternSyntaxError,
  reverseChunk,
} from './pattern-syntax.js';
import { type ClassInterner, type Element, UNBOUNDED } from './units.js';

/** Where a sequence is anchored: start of the file, end (matched reversed on the tail), or searched from the start. */
export type Anchor = 'BOF' | 'EOF' | 'VAR';

/** An anchor position read from the file itself (`IndirectBOFoffset` / `IndirectEOFoffset`). */
export interface IndirectOffset {
  /** Where the offset is stored: from the start, or (fromEnd) counting back from the last byte. */
  readonly location: number;
  readonly length: number;
  readonly bigEndian: boolean;
  readonly fromEnd: boolean;
}

export interface CompiledSequence {
  readonly anchor: Anchor;
  readonly indirect?: IndirectOffset;
  /**
   * Elements in matching order. For `EOF` they are reversed (the last byte
   * of the pattern first) and matched on the reversed tail; the first
   * element's gap is then the distance from the end of the file.
   */
  readonly elements: readonly Element[];
}

export interface CompiledSignature {
  /** The `InternalSignature` ID. */
  readonly id: number;
  /** Every one must match. */
  readonly sequences: readonly CompiledSequence[];
  /** DROID's sort order (B=1, B*=2, V=4, E=8, E*=16, or-ed). */
  readonly sortOrder: number;
}

/** Compiles one `InternalSignature`. @throws PatternSyntaxError when any part cannot be compiled. */
export function compileInternalSignature(raw: RawInternalSignature, classes: ClassInterner): CompiledSignature {
  if (raw.byteSequences.length === 0) throw new PatternSyntaxError(`signature ${raw.id} has no ByteSequence`);
  let sortOrder = 0;
  const sequences = raw.byteSequences.map((sequence) => {
    const compiled = compileByteSequence(sequence, classes);
    // ByteSequence.isAnchoredToBOF/EOF: the reference ends with BOFoffset/EOFoffset (Indirect… included).
    const reference = sequence.reference ?? '';
    const several = sequence.subSequences.length > 1;
    if (reference.endsWith('BOFoffset')) sortOrder |= several ? 2 : 1;
    else if (reference.endsWith('EOFoffset')) sortOrder |= several ? 16 : 8;
    else sortOrder |= 4;
    return compiled;
  });
  return { id: raw.id, sequences, sortOrder };
}

function anchorOf(reference: string | undefined): { anchor: Anchor; indirect: boolean; fromEnd: boolean } {
  switch (reference) {
    case 'BOFoffset':
      return { anchor: 'BOF', indirect: false, fromEnd: false };
    case 'EOFoffset':
      return { anchor: 'EOF', indirect: false, fromEnd: true };
    case 'IndirectBOFoffset':
      return { anchor: 'BOF', indirect: true, fromEnd: false };
    case 'IndirectEOFoffset':
      // DROID: "IndirectEOFOffsets are really anchored to the BOF (but we find the BOF offset relative to the EOF)".
      return { anchor: 'BOF', indirect: true, fromEnd: true };
    default:
      return { anchor: 'VAR', indirect: false, fromEnd: false };
  }
}

/** DROID's maximum for a fixed-start subsequence or a fragment: never below the minimum. */
function boundedMax(min: number, max: number | undefined): number {
  return Math.max(min, max ?? 0);
}

export function compileByteSequence(raw: RawByteSequence, classes: ClassInterner): CompiledSequence {
  const { anchor, indirect, fromEnd } = anchorOf(raw.reference);
  let indirectOffset: IndirectOffset | undefined;
  if (indirect) {
    const { indirectOffsetLocation: location, indirectOffsetLength: length } = raw;
    if (location === undefined || length === undefined || length < 1 || length > 6) {
      throw new PatternSyntaxError(`indirect offset needs IndirectOffsetLocation and IndirectOffsetLength (1–6)`);
    }
    // ByteSequence.setEndianness: big-endian unless "Little-endian".
    indirectOffset = { location, length, bigEndian: raw.endianness !== 'Little-endian', fromEnd };
  }

  let chunk: Chunk;
  if (raw.expression !== undefined && raw.expression.trim() !== '') {
    // ByteSequence.compileSequence: a Sequence attribute replaces the subsequences.
    chunk = parsePattern(raw.expression, classes);
    if (anchor === 'VAR' && chunk.elements.length > 0) chunk = openFirstGap(chunk);
  } else {
    chunk = chunkFromSubSequences(raw.subSequences, anchor, classes);
  }
  if (chunk.elements.length === 0) throw new PatternSyntaxError('a ByteSequence without any byte to match');
  if (anchor === 'EOF') chunk = reverseChunk(chunk);
  const normalized = normalizeChunk(chunk, classes);
  return indirectOffset === undefined
    ? { anchor, elements: normalized.elements }
    : { anchor, indirect: indirectOffset, elements: normalized.elements };
}

function openFirstGap(chunk: Chunk): Chunk {
  const [first, ...rest] = chunk.elements as Element[];
  return { ...chunk, elements: [{ ...first, gapMax: UNBOUNDED }, ...rest] };
}

function chunkFromSubSequences(subs: readonly RawSubSequence[], anchor: Anchor, classes: ClassInterner): Chunk {
  if (subs.length === 0) throw new PatternSyntaxError('a ByteSequence without SubSequence');
  let chunk = EMPTY_CHUNK;
  subs.forEach((sub, index) => {
    const body = chunkFromSubSequence(sub, classes);
    let gapMin: number;
    let gapMax: number;
    if (anchor === 'EOF') {
      // Matched backwards: each subsequence's offset is the gap after it.
      const previous = subs[index - 1];
      gapMin = previous === undefined ? 0 : previous.minOffset;
      gapMax = UNBOUNDED;
    } else if (index === 0 && anchor === 'BOF') {
      gapMin = sub.minOffset;
      gapMax = boundedMax(sub.minOffset, sub.maxOffset);
    } else {
      gapMin = sub.minOffset;
      gapMax = UNBOUNDED;
    }
    chunk = joinChunks(chunk, gapMin, gapMax, body);
  });
  if (anchor === 'EOF') {
    const last = subs[subs.length - 1] as RawSubSequence;
    chunk = joinChunks(chunk, last.minOffset, boundedMax(last.minOffset, last.maxOffset), EMPTY_CHUNK);
  }
  return chunk;
}

function chunkFromSubSequence(sub: RawSubSequence, classes: ClassInterner): Chunk {
  const sequence = parsePattern(sub.sequence, classes);
  const left = groupFragments(sub.left, classes);
  const right = groupFragments(sub.right, classes);
  let chunk = EMPTY_CHUNK;
  let gap: [number, number] = [0, 0];
  for (let index = left.length - 1; index >= 0; index--) {
    const group = left[index] as FragmentGroup;
    chunk = joinChunks(chunk, gap[0], gap[1], group.chunk);
    gap = [group.gapMin, group.gapMax];
  }
  chunk = joinChunks(chunk, gap[0], gap[1], sequence);
  for (const group of right) chunk = joinChunks(chunk, group.gapMin, group.gapMax, group.chunk);
  return chunk;
}

interface FragmentGroup {
  readonly chunk: Chunk;
  readonly gapMin: number;
  readonly gapMax: number;
}

/** Fragments by position (1 = next to the sequence); fragments at one position are alternatives. */
function groupFragments(fragments: readonly RawFragment[], classes: ClassInterner): FragmentGroup[] {
  if (fragments.length === 0) return [];
  const byPosition = new Map<number, RawFragment[]>();
  for (const fragment of fragments) {
    const group = byPosition.get(fragment.position) ?? [];
    group.push(fragment);
    byPosition.set(fragment.position, group);
  }
  const count = Math.max(...byPosition.keys());
  const groups: FragmentGroup[] = [];
  for (let position = 1; position <= count; position++) {
    const group = byPosition.get(position);
    if (group === undefined) throw new PatternSyntaxError(`no fragment at position ${position}`);
    // Alternatives with different offsets do not occur (siegfried rejects them); take the hull.
    const gapMin = Math.min(...group.map((fragment) => fragment.minOffset));
    const gapMax = Math.max(...group.map((fragment) => boundedMax(fragment.minOffset, fragment.maxOffset)));
    const chunks = group.map((fragment) => parsePattern(fragment.text, classes));
    groups.push({ chunk: asFragment(alternativesChunk(chunks)), gapMin, gapMax });
  }
  return groups;
}

/** Marks a fragment's elements: the scan limit does not bound where they lie. */
function asFragment(chunk: Chunk): Chunk {
  return { ...chunk, elements: chunk.elements.map((element) => ({ ...element, fragment: true as const })) };
}

function alternativesChunk(chunks: Chunk[]): Chunk {
  if (chunks.length === 1) return chunks[0] as Chunk;
  const alts: number[][] = [];
  for (const chunk of chunks) {
    const only = chunk.elements[0];
    if (
      chunk.elements.length !== 1 ||
      only === undefined ||
      only.gapMin !== 0 ||
      only.gapMax !== 0 ||
      chunk.tailMin !== 0 ||
      chunk.tailMax !== 0
    ) {
      throw new PatternSyntaxError('alternative fragments must be fixed-length runs without gaps');
    }
    for (const alt of only.alts) alts.push([...alt]);
  }
  return { elements: [{ gapMin: 0, gapMax: 0, alts }], tailMin: 0, tailMax: 0 };
}
