/**
 * The one internal representation of a byte pattern, shared by binary
 * signatures and the signatures embedded in container signatures.
 *
 * A pattern position is a *unit* that matches exactly one byte:
 * - `0…255`: that byte;
 * - `ANY` (256): any byte (`??`);
 * - `CLASS_BASE + k` (257…): byte class `k` of a {@link ClassTable} (a set
 *   `[…]`, a negation, a bitmask, a range, single-byte alternatives).
 *
 * An {@link Element} is a set of alternatives, each a fixed-length run of
 * units, preceded by a gap of `gapMin…gapMax` bytes (`UNBOUNDED` = no upper
 * limit). A sequence is a list of elements matched in order.
 */

/** Any byte. */
export const ANY = 256;
/** First unit code that names a class: `CLASS_BASE + classIndex`. */
export const CLASS_BASE = 257;
/** A gap without an upper limit (`*`, `{n-*}`, an absent `SubSeqMaxOffset`). */
export const UNBOUNDED = -1;

/** One position group of a pattern: alternatives after a gap. */
export interface Element {
  /** Smallest gap before this element (from the previous element's end, or from the anchor). */
  readonly gapMin: number;
  /** Largest gap before this element, or `UNBOUNDED`. */
  readonly gapMax: number;
  /** Alternatives: fixed-length unit runs (lengths may differ between alternatives). */
  readonly alts: readonly (readonly number[])[];
  /**
   * A `LeftFragment`/`RightFragment`: DROID checks fragments at any offset in
   * the file, while the "max bytes to scan" limit bounds only where the
   * subsequences' `Sequence`s (the anchors) may lie. Absent: an anchor.
   */
  readonly fragment?: true;
}

/**
 * Byte classes, 256 membership bytes (0 or 1) per class, concatenated:
 * class `k` accepts byte `b` when `table[k * 256 + b] === 1`.
 */
export type ClassTable = Uint8Array;

/** Whether `unit` accepts `byte`. */
export function unitAccepts(unit: number, byte: number, classes: ClassTable): boolean {
  if (unit < 256) return unit === byte;
  if (unit === ANY) return true;
  return classes[(unit - CLASS_BASE) * 256 + byte] === 1;
}

/** The 256 membership flags of a unit. */
export function unitMembers(unit: number, classes: ClassTable): Uint8Array {
  const members = new Uint8Array(256);
  if (unit < 256) members[unit] = 1;
  else if (unit === ANY) members.fill(1);
  else members.set(classes.subarray((unit - CLASS_BASE) * 256, (unit - CLASS_BASE + 1) * 256));
  return members;
}

/**
 * Interns byte classes while patterns are compiled, so that equal sets share
 * one class, a one-byte set becomes a literal and a full set becomes `ANY`.
 */
export class ClassInterner {
  private readonly index = new Map<string, number>();
  private readonly tables: Uint8Array[] = [];

  /** The unit for a set of bytes given as 256 membership flags. */
  unitFor(members: Uint8Array): number {
    let count = 0;
    let last = -1;
    for (let byte = 0; byte < 256; byte++) {
      if (members[byte]) {
        count++;
        last = byte;
      }
    }
    if (count === 1) return last;
    if (count === 256) return ANY;
    const key = Buffer.from(members).toString('base64');
    let classIndex = this.index.get(key);
    if (classIndex === undefined) {
      classIndex = this.tables.length;
      this.tables.push(Uint8Array.from(members, (flag) => (flag ? 1 : 0)));
      this.index.set(key, classIndex);
    }
    return CLASS_BASE + classIndex;
  }

  /** Membership flags of a unit interned here (or a literal / ANY). */
  members(unit: number): Uint8Array {
    const members = new Uint8Array(256);
    if (unit < 256) members[unit] = 1;
    else if (unit === ANY) members.fill(1);
    else members.set(this.tables[unit - CLASS_BASE] ?? members);
    return members;
  }

  /** The classes interned so far, as a {@link ClassTable}. */
  table(): ClassTable {
    const table = new Uint8Array(this.tables.length * 256);
    this.tables.forEach((members, classIndex) => table.set(members, classIndex * 256));
    return table;
  }
}

/** `a + b` for gap bounds where either may be `UNBOUNDED`. */
export function addBound(a: number, b: number): number {
  return a === UNBOUNDED || b === UNBOUNDED ? UNBOUNDED : a + b;
}
