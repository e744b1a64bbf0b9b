/**
 * Binary identification with DROID's semantics.
 *
 * - Which bytes are searched: BOF-anchored and variable sequences in the
 *   head, EOF-anchored ones in the tail. DROID's "max bytes to scan" limits
 *   every forward search for a subsequence's `Sequence` to the first N bytes
 *   and every backward search to the last N
 *   (`SubSequence.findSequenceFromPosition`), and reads its fragments
 *   wherever they lie; the window's scan limit plays that part, and its
 *   fragments are looked for in all the bytes the window holds. DROID's profile default is 65,536 bytes
 *   (droid-results `ProfileContextLocator.DEFAULT_MAX_BYTES_TO_SCAN`); the
 *   DROID API default is the whole file. A zero-byte file matches no
 *   signature (`InternalSignatureCollection.getMatchingSignatures`).
 * - A signature matches when every `ByteSequence` matches
 *   (`InternalSignature.matches`); each sequence is matched on its own from
 *   its anchor (`ByteSequence.matches` resets the position).
 * - Results: one per PUID (`IdentificationResultCollection.addResult`), in
 *   the order DROID tries signatures (`InternalSignatureComparator`), then
 *   `BinarySignatureIdentifier.removeLowerPriorityHits`: a result is dropped
 *   when ANY result's format lists it in `HasPriorityOverFileFormatID`. Not
 *   transitive: siegfried completes priorities transitively
 *   (`priority.Map.Complete`), DROID does not, and we follow DROID.
 * - When no signature result remains, extension matches
 *   (`BinarySignatureIdentifier.matchExtensions(request, false)`): formats
 *   listing the extension that have no binary signature and no container
 *   signature (`FFSignatureFile.getTentativeFormatsForExtension`, after
 *   `puidHasOverridingSignatures`), or every format with the extension when
 *   "match all extensions" is on; priorities apply to them too (droid-api
 *   `DroidAPI.identifyByExtension`). Extension matches are reported only when
 *   there is no signature match.
 * - Extension mismatch (`FileFormat.hasExtensionMismatch`,
 *   `BinarySignatureIdentifier.checkForExtensionsMismatches`): a format with
 *   extensions none of which is the file's (case-insensitive), or any format
 *   with extensions when the file has none. Not computed for extension matches.
 * - Container trigger: the first result, before priorities, whose PUID is a
 *   `TriggerPuid` (droid-results `SubmissionGateway.getContainerFormat`,
 *   droid-api `DroidAPI.getContainerPuid`).
 */
import type { ContainerType } from '../containers/types.js';
import type { PreparedSequence, PronomSignatures } from './model.js';
import { CONDITION_BYTES, HEAD } from './prefilter.js';
import { matchElements, type MatchSpan } from './sequence-matcher.js';
import type { ByteWindow, FormatInfo, FormatMatch, Identification, IdentifyOptions } from './types.js';
import type { ClassTable } from './units.js';

/**
 * The extension DROID takes from a name (droid-core-interfaces
 * `ResourceUtils.getExtension`): the text after the last `.` of the last
 * path segment (`/` or `\`), or `''` when there is no dot or the name starts
 * with its only dot (`.bashrc`). Multi-dot PRONOM extensions such as
 * `src.rpm` therefore never match, as in DROID. (DROID also cuts a name at
 * `?`, a rule for URLs that we do not apply to file names.)
 * @example
 * droidExtension('sub/Report.final.PDF'); // 'PDF'
 * droidExtension('.bashrc'); // ''
 */
export function droidExtension(fileName: string): string {
  const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

/** The buffers a window offers, ready for matching. */
export interface PreparedWindow {
  readonly size: number;
  readonly head: Buffer;
  /** The last bytes of the file, in file order (the same buffer as `head` when that is the whole file). */
  readonly tail: Buffer;
  /** False when the bytes may be cut short (a container entry read up to a limit): nothing is known about the end. */
  readonly sizeKnown: boolean;
  /** How far from its end of the file an anchor may lie (fragments may lie anywhere in `head` or `tail`). */
  readonly scanLimit: number;
  /**
   * The last `length` bytes of the tail (all of it when shorter), reversed:
   * index 0 is the last byte of the file. Made when first asked for, and only
   * as long as asked: most EOF sequences reach a few bytes back only.
   */
  reversedTail(length: number): Buffer;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class Window implements PreparedWindow {
  #reversed: Buffer | undefined;

  constructor(
    readonly size: number,
    readonly head: Buffer,
    readonly tail: Buffer,
    readonly sizeKnown: boolean,
    readonly scanLimit: number,
  ) {}

  reversedTail(length: number): Buffer {
    const wanted = Math.min(length, this.tail.length);
    let reversed = this.#reversed;
    if (reversed === undefined || reversed.length < wanted) {
      // At least twice the last length, so that growing requests cost a bounded number of copies.
      const take = Math.min(this.tail.length, Math.max(wanted, 2 * (reversed?.length ?? 0)));
      reversed = Buffer.from(this.tail.subarray(this.tail.length - take)).reverse();
      this.#reversed = reversed;
    }
    return reversed.length === wanted ? reversed : reversed.subarray(0, wanted);
  }
}

/** A window over given buffers (`tail` in file order; `head` itself when it holds the whole file). */
export function windowOver(
  size: number,
  head: Uint8Array,
  tail: Uint8Array,
  sizeKnown: boolean,
  scanLimit = Math.max(head.length, tail.length),
): PreparedWindow {
  return new Window(size, asBuffer(head), asBuffer(tail), sizeKnown, scanLimit);
}

export function prepareWindow(window: ByteWindow): PreparedWindow {
  const { size, head, tail } = window;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`window size ${size} is not a byte count`);
  if (head.length > size || tail.length > size) {
    throw new RangeError(`window head (${head.length}) or tail (${tail.length}) is longer than the file (${size})`);
  }
  const scanLimit = window.scanLimit ?? Math.max(head.length, tail.length);
  if (window.scanLimit !== undefined && (!Number.isSafeInteger(scanLimit) || scanLimit < 1)) {
    throw new RangeError(`scan limit of ${scanLimit} bytes`);
  }
  return windowOver(size, head, head.length === size ? head : tail, true, scanLimit);
}

/**
 * The bytes the prefilter reads: the scan limit's worth at each end, and at
 * least `CONDITION_BYTES`, where the fragments that give conditions lie
 * (see ./prefilter.ts). Not the whole of a window that holds the whole file:
 * conditions of patterns found anywhere would have it read all of it.
 */
function prefilterPart(window: PreparedWindow): { head: Buffer; tail: Buffer; whole: boolean } {
  const { size, head, tail } = window;
  const reach = Math.max(window.scanLimit, CONDITION_BYTES);
  const whole = head.length === size;
  if (whole && size <= reach) return { head, tail: head, whole };
  const partHead = head.length > reach ? head.subarray(0, reach) : head;
  const partTail = tail.length > reach ? tail.subarray(tail.length - reach) : tail;
  return { head: partHead, tail: partTail, whole: false };
}

/** The value of an indirect offset, read from the window, or undefined when those bytes are not in it. */
function readIndirect(window: PreparedWindow, indirect: NonNullable<PreparedSequence['indirect']>): number | undefined {
  if (indirect.fromEnd && !window.sizeKnown) return undefined;
  const location = indirect.fromEnd ? window.size - indirect.location - 1 : indirect.location;
  if (location < 0 || location + indirect.length > window.size) return undefined;
  let bytes: Uint8Array;
  if (location + indirect.length <= window.head.length) {
    bytes = window.head.subarray(location, location + indirect.length);
  } else if (location >= window.size - window.tail.length) {
    const start = location - (window.size - window.tail.length);
    bytes = window.tail.subarray(start, start + indirect.length);
  } else {
    return undefined;
  }
  let value = 0;
  for (let i = 0; i < indirect.length; i++) {
    const byte = bytes[indirect.bigEndian ? i : indirect.length - 1 - i] as number;
    value = value * 256 + byte;
  }
  return value;
}

/**
 * Matches one sequence in the window; returns `[file offset, length]` or undefined.
 * An EOF sequence is matched in the reversed tail, cut to its reach when it
 * has one (no placement lies beyond it, so the match is the same).
 */
export function matchSequence(
  window: PreparedWindow,
  sequence: Pick<PreparedSequence, 'side' | 'indirect' | 'elements'> & { readonly reach?: number },
  classes: ClassTable,
): [number, number] | undefined {
  let span: MatchSpan | undefined;
  if (sequence.side === HEAD) {
    let base = 0;
    if (sequence.indirect !== undefined) {
      const value = readIndirect(window, sequence.indirect);
      if (value === undefined) return undefined;
      base = value;
    }
    span = matchElements(window.head, window.scanLimit, base, sequence.elements, classes);
    return span === undefined ? undefined : [span.start, span.end - span.start];
  }
  const reversed = window.reversedTail(sequence.reach ?? Infinity);
  span = matchElements(reversed, window.scanLimit, 0, sequence.elements, classes);
  return span === undefined ? undefined : [window.size - span.end, span.end - span.start];
}

interface Hit {
  readonly format: number;
  readonly signatureIds: number[];
  readonly basis: string[];
}

/** `[[0 8] [1204 5]]`, siegfried's way of writing offsets and lengths. */
function positions(spans: readonly [number, number][]): string {
  return `[${spans.map(([offset, length]) => `[${offset} ${length}]`).join(' ')}]`;
}

/**
 * Identifies a file from the bytes of its window and its name, with DROID's
 * binary-signature and extension semantics (see the file comment).
 *
 * @param window The bytes to look at: `head` from the start, `tail` to the end.
 *   Only these are searched, so the cost never grows with the file.
 * @param fileName The name (or path) the uploader gave; only its extension is used.
 * @example
 * const result = identify(signatures, await readWindow(file), file.path);
 * result.matches.map((match) => match.puid); // ['fmt/276']
 * result.matches[0]?.basis; // 'byte match at [[0 8] [1204 5]] (signature 289)'
 */
export function identify(
  signatures: PronomSignatures,
  window: ByteWindow,
  fileName: string,
  options: IdentifyOptions = {},
): Identification {
  const extension = droidExtension(fileName);
  const prepared = prepareWindow(window);
  const engine = signatures.engine;
  const classes = signatures.model.classes;
  const useContainerFormats = options.containerFormatBinarySignatures === 'use';

  const hits: Hit[] = [];
  const hitByFormat = new Map<number, Hit>();
  if (prepared.size > 0) {
    const part = prefilterPart(prepared);
    for (const signatureIndex of engine.prefilter.candidates(part.head, part.tail, part.whole)) {
      const formats = engine.formatsOf(signatureIndex, useContainerFormats);
      if (formats.length === 0) continue; // DROID drops signatures without formats
      const sequences = engine.sequencesOf(signatureIndex);
      const spans: [number, number][] = [];
      for (const sequenceIndex of sequences) {
        const span = matchSequence(prepared, engine.sequence(sequenceIndex), classes);
        if (span === undefined) break;
        spans.push(span);
      }
      if (spans.length !== sequences.length) continue;
      const signatureId = engine.signatureId(signatureIndex);
      const basis = `byte match at ${positions(spans)} (signature ${signatureId})`;
      for (const format of formats) {
        let hit = hitByFormat.get(format);
        if (hit === undefined) {
          hit = { format, signatureIds: [], basis: [] };
          hitByFormat.set(format, hit);
          hits.push(hit);
        }
        hit.signatureIds.push(signatureId);
        hit.basis.push(basis);
      }
    }
  }

  let containerType: ContainerType | undefined;
  for (const hit of hits) {
    containerType = signatures.containerTriggers.get((signatures.formats[hit.format] as FormatInfo).puid);
    if (containerType !== undefined) break;
  }

  const { kept, lowerPriority } = applyPriorities(signatures, hits.map((hit) => hit.format));
  let matches: FormatMatch[];
  if (kept.length > 0) {
    matches = kept.map((format) => {
      const hit = hitByFormat.get(format) as Hit;
      const info = signatures.formats[format] as FormatInfo;
      return formatMatch(info, 'Signature', hit.basis.join('; '), hasExtensionMismatch(info, extension), hit.signatureIds);
    });
  } else {
    const index = options.matchAllExtensions === true ? signatures.allByExtension : signatures.tentativeByExtension;
    const byExtension = extension === '' ? [] : (index.get(extension.toUpperCase()) ?? []);
    const extensionResult = applyPriorities(signatures, byExtension);
    lowerPriority.push(...extensionResult.lowerPriority);
    matches = extensionResult.kept.map((format) => {
      return formatMatch(signatures.formats[format] as FormatInfo, 'Extension', `extension match ${extension}`, false, []);
    });
  }
  const result: Identification = {
    extension,
    matches,
    extensionMismatch: matches.some((match) => match.extensionMismatch),
    lowerPriority,
  };
  return containerType === undefined ? result : { ...result, containerType };
}

/** A match of a known format, described from the signature file's entry for it. */
function formatMatch(
  info: FormatInfo,
  method: FormatMatch['method'],
  basis: string,
  extensionMismatch: boolean,
  signatureIds: readonly number[],
): FormatMatch {
  return { puid: info.puid, name: info.name, version: info.version, mimeType: info.mimeType, method, basis, extensionMismatch, signatureIds };
}

/** `FileFormat.hasExtensionMismatch`, and DROID's rule for a file without extension. */
export function hasExtensionMismatch(format: FormatInfo, extension: string): boolean {
  if (format.extensions.length === 0) return false;
  if (extension === '') return true;
  const upper = extension.toUpperCase();
  return !format.extensions.some((candidate) => candidate.toUpperCase() === upper);
}

/** `removeLowerPriorityHits` over format indexes (non-transitive, as DROID). */
export function applyPriorities(
  signatures: PronomSignatures,
  formats: readonly number[],
): { kept: number[]; lowerPriority: { puid: string; below: string[] }[] } {
  const below = new Map<number, string[]>();
  for (const format of formats) {
    const info = signatures.formats[format] as FormatInfo;
    for (const id of info.hasPriorityOver) {
      const list = below.get(id) ?? [];
      list.push(info.puid);
      below.set(id, list);
    }
  }
  const kept: number[] = [];
  const lowerPriority: { puid: string; below: string[] }[] = [];
  for (const format of formats) {
    const info = signatures.formats[format] as FormatInfo;
    const superiors = below.get(info.id);
    if (superiors === undefined) kept.push(format);
    else lowerPriority.push({ puid: info.puid, below: superiors });
  }
  return { kept, lowerPriority };
}
