/**
 * Parses the text of a PRONOM pattern into elements (see ./units.ts).
 *
 * One parser serves both dialects found in DROID signature files:
 * - the binary file's precompiled `Sequence`s and fragments (hex and
 *   bracket sets only), which DROID hands to byteseek's regex compiler after
 *   `FragmentRewriter` (droid-core `signature/droid6/FragmentRewriter.java`,
 *   byteseek 2.0.3 `parser/regex/RegexParser.java`);
 * - the container file's PRONOM source syntax (quoted text, `(a|b)`,
 *   `[xx:yy]`, `['6'-'7']`), as DROID's own `ByteSequenceParser` reads it
 *   (droid-core `signature/compiler/ByteSequenceParser.java`), plus the
 *   rest of that syntax: `??`, `{n}`, `{n-m}`, `{n-*}`, `*`, `[!…]`.
 *
 * Where the two disagree we follow PRONOM's meaning, which is also DROID's
 * `ByteSequenceParser` and siegfried: `{n}` is a gap of n bytes (byteseek
 * would read it as "repeat the previous byte n times"), `??` any byte. For
 * every token that occurs in the current signature files both readings agree.
 *
 * Bracket sets always match exactly ONE byte, as in DROID (byteseek): the
 * members of `[…]` are united into a set, so `[0000:1000]` is one byte in
 * 00…10 and `[!0000]` one byte other than 00, `[!4001C80000000000]` one byte
 * not in {40, 01, C8, 00}. siegfried reads the multi-byte forms as 2- and
 * 8-byte patterns instead; we follow DROID. `[!&01]` is a byte whose lowest
 * bit is clear (`&xx`: all bits of xx set; byteseek `AllBitmaskMatcher`),
 * which siegfried reads the same way.
 */
import { addBound, ANY, ClassInterner, type Element, UNBOUNDED } from './units.js';

/** A pattern text could not be read; the signature that holds it is skipped (as DROID does). */
export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

/**
 * A parsed piece of pattern: its elements (the first element's gap is the
 * gap the text starts with) and the gap the text ends with.
 */
export interface Chunk {
  readonly elements: readonly Element[];
  readonly tailMin: number;
  readonly tailMax: number;
}

export const EMPTY_CHUNK: Chunk = { elements: [], tailMin: 0, tailMax: 0 };

/** A chunk that is only a gap (no bytes). */
export function gapChunk(min: number, max: number): Chunk {
  return { elements: [], tailMin: min, tailMax: max };
}

/** `a`, then a gap, then `b`. */
export function joinChunks(a: Chunk, gapMin: number, gapMax: number, b: Chunk): Chunk {
  const min = a.tailMin + gapMin;
  const max = addBound(a.tailMax, gapMax);
  if (b.elements.length === 0) {
    return { elements: a.elements, tailMin: min + b.tailMin, tailMax: addBound(max, b.tailMax) };
  }
  const [first, ...rest] = b.elements as Element[];
  const joined: Element = { ...first, gapMin: min + first.gapMin, gapMax: addBound(max, first.gapMax) };
  return { elements: [...a.elements, joined, ...rest], tailMin: b.tailMin, tailMax: b.tailMax };
}

/** The same pattern read backwards (for EOF-anchored matching on a reversed tail). */
export function reverseChunk(chunk: Chunk): Chunk {
  const elements = chunk.elements;
  const n = elements.length;
  if (n === 0) return chunk;
  const reversed: Element[] = [];
  for (let i = 0; i < n; i++) {
    const original = elements[n - 1 - i] as Element;
    const gapSource = i === 0 ? { gapMin: chunk.tailMin, gapMax: chunk.tailMax } : (elements[n - i] as Element);
    reversed.push({
      ...original,
      gapMin: gapSource.gapMin,
      gapMax: gapSource.gapMax,
      alts: original.alts.map((alt) => [...alt].reverse()),
    });
  }
  const first = elements[0] as Element;
  return { elements: reversed, tailMin: first.gapMin, tailMax: first.gapMax };
}

/** Largest fixed gap merged into a neighbouring element as `ANY` units (fewer elements, same meaning). */
const MAX_PADDING = 16;

/**
 * Merges neighbouring single-alternative elements separated by a small fixed
 * gap, and turns alternatives that are all one byte long into one class.
 * A fragment merged with an anchor makes an anchor: the scan limit then
 * bounds a few more bytes than DROID's would, at the window's edge only.
 */
export function normalizeChunk(chunk: Chunk, classes: ClassInterner): Chunk {
  const out: { gapMin: number; gapMax: number; alts: number[][]; fragment?: true }[] = [];
  for (const element of chunk.elements) {
    let alts = dedupeAlts(element.alts);
    if (alts.length > 1 && alts.every((alt) => alt.length === 1)) {
      const members = new Uint8Array(256);
      for (const alt of alts) {
        const unitMembers = classes.members(alt[0] as number);
        for (let byte = 0; byte < 256; byte++) if (unitMembers[byte]) members[byte] = 1;
      }
      alts = [[classes.unitFor(members)]];
    }
    const previous = out[out.length - 1];
    if (
      previous !== undefined &&
      previous.alts.length === 1 &&
      alts.length === 1 &&
      element.gapMin === element.gapMax &&
      element.gapMin <= MAX_PADDING
    ) {
      const run = previous.alts[0] as number[];
      for (let i = 0; i < element.gapMin; i++) run.push(ANY);
      run.push(...(alts[0] as number[]));
      if (element.fragment !== true) delete previous.fragment;
      continue;
    }
    const copy = { gapMin: element.gapMin, gapMax: element.gapMax, alts: alts.map((alt) => [...alt]) };
    out.push(element.fragment === true ? { ...copy, fragment: true } : copy);
  }
  return { elements: out, tailMin: chunk.tailMin, tailMax: chunk.tailMax };
}

function dedupeAlts(alts: readonly (readonly number[])[]): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const alt of alts) {
    const key = alt.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push([...alt]);
    }
  }
  return out;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

/**
 * Parses one pattern text (a `Sequence`, a fragment, or a whole PRONOM
 * expression) into a chunk.
 * @throws PatternSyntaxError saying what is wrong and where.
 */
export function parsePattern(text: string, classes: ClassInterner): Chunk {
  return new Parser(text, classes).parse();
}

class Parser {
  private position = 0;
  private readonly elements: { gapMin: number; gapMax: number; alts: number[][] }[] = [];
  private pendingMin = 0;
  private pendingMax = 0;
  /** The run the next literal units may extend (no gap since it started). */
  private openRun: number[] | undefined;

  constructor(
    private readonly text: string,
    private readonly classes: ClassInterner,
  ) {}

  parse(): Chunk {
    const text = this.text;
    if (text.trim() === '') this.fail('empty pattern');
    while (this.position < text.length) {
      const char = text[this.position] as string;
      if (WHITESPACE.has(char)) {
        this.position++;
      } else if (char === '*') {
        this.position++;
        this.addGap(0, UNBOUNDED);
      } else if (char === '{') {
        const [min, max] = this.readGap();
        this.addGap(min, max);
      } else if (char === '(') {
        this.addAlternatives(this.readAlternatives());
      } else {
        const units = this.readUnits();
        if (units === undefined) this.fail(`unexpected character '${char}'`);
        this.addUnits(units);
      }
    }
    return { elements: this.elements, tailMin: this.pendingMin, tailMax: this.pendingMax };
  }

  private fail(message: string): never {
    throw new PatternSyntaxError(`${message} at position ${this.position} in "${this.text}"`);
  }

  private addGap(min: number, max: number): void {
    this.pendingMin += min;
    this.pendingMax = addBound(this.pendingMax, max);
    this.openRun = undefined;
  }

  private addUnits(units: number[]): void {
    if (this.openRun !== undefined) {
      this.openRun.push(...units);
      return;
    }
    const run = [...units];
    this.elements.push({ gapMin: this.pendingMin, gapMax: this.pendingMax, alts: [run] });
    this.pendingMin = 0;
    this.pendingMax = 0;
    this.openRun = run;
  }

  private addAlternatives(alts: number[][]): void {
    if (alts.length === 1) {
      this.addUnits(alts[0] as number[]);
      return;
    }
    if (alts.every((alt) => alt.length === 1)) {
      // One byte each: one class (DROID's and byteseek's optimiseSingleByteAlternatives).
      const members = new Uint8Array(256);
      for (const alt of alts) {
        const unitMembers = this.classes.members(alt[0] as number);
        for (let byte = 0; byte < 256; byte++) if (unitMembers[byte]) members[byte] = 1;
      }
      this.addUnits([this.classes.unitFor(members)]);
      return;
    }
    this.elements.push({ gapMin: this.pendingMin, gapMax: this.pendingMax, alts });
    this.pendingMin = 0;
    this.pendingMax = 0;
    this.openRun = undefined;
  }

  /** `{n}`, `{n-m}`, `{n-*}` (also `,` for `-`, as byteseek writes it). */
  private readGap(): [number, number] {
    this.position++; // {
    const min = this.readInt();
    const separator = this.text[this.position];
    if (separator === '}') {
      this.position++;
      return [min, min];
    }
    if (separator !== '-' && separator !== ',') this.fail('expected "-" or "}" in a {n-m} gap');
    this.position++;
    let max: number;
    if (this.text[this.position] === '*') {
      this.position++;
      max = UNBOUNDED;
    } else {
      max = Math.max(min, this.readInt()); // DROID: a max below the min is raised to the min
    }
    if (this.text[this.position] !== '}') this.fail('expected "}" to close a gap');
    this.position++;
    return [min, max];
  }

  private readInt(): number {
    const match = /^\s*(\d+)\s*/.exec(this.text.slice(this.position));
    if (match === null) this.fail('expected a number');
    this.position += match[0].length;
    const value = Number(match[1]);
    if (!Number.isSafeInteger(value) || value > 0x7fffffff) this.fail('number too large');
    return value;
  }

  /** `(a|b|…)`: each alternative a fixed-length run (no gaps, no nesting), as in DROID. */
  private readAlternatives(): number[][] {
    this.position++; // (
    const alts: number[][] = [];
    let current: number[] = [];
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.fail('no ")" closing the alternatives');
      if (WHITESPACE.has(char)) {
        this.position++;
      } else if (char === '|' || char === ')') {
        if (current.length === 0) this.fail('empty alternative');
        alts.push(current);
        current = [];
        this.position++;
        if (char === ')') return alts;
      } else {
        const units = this.readUnits();
        if (units === undefined) this.fail(`unexpected character '${char}' in alternatives`);
        current.push(...units);
      }
    }
  }

  /** A literal run: hex bytes, quoted text, `??`, `.`, a set, a bitmask, a `^`-negation. */
  private readUnits(): number[] | undefined {
    const text = this.text;
    const char = text[this.position] as string;
    if (isHexDigit(char)) return [this.readHexByte()];
    switch (char) {
      case "'": {
        const value = this.readQuoted("'");
        return [...value].map((c) => this.charByte(c));
      }
      case '`': {
        const value = this.readQuoted('`');
        return [...value].map((c) => {
          const members = new Uint8Array(256);
          members[this.charByte(c.toLowerCase())] = 1;
          members[this.charByte(c.toUpperCase())] = 1;
          return this.classes.unitFor(members);
        });
      }
      case '?':
        if (text[this.position + 1] !== '?') this.fail('"?" not followed by "?"');
        this.position += 2;
        return [ANY];
      case '.':
        this.position++;
        return [ANY];
      case '[':
        return [this.readSet(false)];
      case '&':
      case '~':
        return [this.classes.unitFor(this.readBitmask())];
      case '^': {
        this.position++;
        const next = text[this.position];
        if (next === '[') return [this.readSet(true)];
        let members: Uint8Array;
        if (isHexDigit(next)) {
          members = new Uint8Array(256);
          members[this.readHexByte()] = 1;
        } else if (next === '&' || next === '~') {
          members = this.readBitmask();
        } else {
          this.fail('"^" must precede a byte, a set or a bitmask');
        }
        return [this.classes.unitFor(invert(members))];
      }
      default:
        return undefined;
    }
  }

  private readHexByte(): number {
    const pair = this.text.slice(this.position, this.position + 2);
    if (pair.length !== 2 || !isHexDigit(pair[0]) || !isHexDigit(pair[1])) this.fail('expected two hex digits');
    this.position += 2;
    return parseInt(pair, 16);
  }

  private readQuoted(quote: string): string {
    const end = this.text.indexOf(quote, this.position + 1);
    if (end < 0) this.fail(`no closing ${quote}`);
    const value = this.text.slice(this.position + 1, end);
    if (value.length === 0) this.fail('empty quoted text');
    this.position = end + 1;
    return value;
  }

  private charByte(char: string): number {
    const code = char.charCodeAt(0);
    if (char.length !== 1 || code > 255) this.fail(`character "${char}" is not a single byte (ISO-8859-1)`);
    return code;
  }

  /** `&xx` (every bit of xx set) or `~xx` (any bit of xx set). */
  private readBitmask(): Uint8Array {
    const kind = this.text[this.position];
    this.position++;
    const mask = this.readHexByte();
    const members = new Uint8Array(256);
    for (let byte = 0; byte < 256; byte++) {
      members[byte] = kind === '&' ? Number((byte & mask) === mask) : Number((byte & mask) !== 0);
    }
    return members;
  }

  /** `[…]`, `[!…]`: one byte from (or not from) the united members. */
  private readSet(negatedBefore: boolean): number {
    this.position++; // [
    let negate = negatedBefore;
    const first = this.text[this.position];
    if (first === '!' || first === '^') {
      negate = !negate;
      this.position++;
    }
    const members = new Uint8Array(256);
    let empty = true;
    /** The last single value read, a candidate range start. */
    let lastValue: number | undefined;
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.fail('no "]" closing the set');
      if (WHITESPACE.has(char)) {
        this.position++;
        continue;
      }
      if (char === ']') {
        this.position++;
        break;
      }
      empty = false;
      if (char === ':' || char === '-') {
        if (lastValue === undefined) this.fail('a range needs a value before it');
        this.position++;
        while (WHITESPACE.has(this.text[this.position] ?? '')) this.position++;
        const end = this.readSetValue();
        if (end === undefined) this.fail('a range needs a value after it');
        const [low, high] = lastValue <= end ? [lastValue, end] : [end, lastValue];
        for (let byte = low; byte <= high; byte++) members[byte] = 1;
        lastValue = undefined;
        continue;
      }
      if (char === '&' || char === '~') {
        const mask = this.readBitmask();
        for (let byte = 0; byte < 256; byte++) if (mask[byte]) members[byte] = 1;
        lastValue = undefined;
        continue;
      }
      if (char === "'") {
        const value = this.readQuoted("'");
        for (const c of value) members[this.charByte(c)] = 1;
        lastValue = value.length === 1 ? this.charByte(value) : undefined;
        continue;
      }
      const value = this.readSetValue();
      if (value === undefined) this.fail(`unexpected character '${char}' in a set`);
      members[value] = 1;
      lastValue = value;
    }
    if (empty) this.fail('empty set');
    return this.classes.unitFor(negate ? invert(members) : members);
  }

  private readSetValue(): number | undefined {
    const char = this.text[this.position];
    if (isHexDigit(char)) return this.readHexByte();
    if (char === "'") {
      const value = this.readQuoted("'");
      if (value.length !== 1) this.fail('a range bound must be a single character');
      return this.charByte(value);
    }
    return undefined;
  }
}

function invert(members: Uint8Array): Uint8Array {
  return members.map((flag) => (flag ? 0 : 1));
}
