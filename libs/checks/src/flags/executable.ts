/**
 * Executable code recognised by its own header, whatever its name or PRONOM
 * identification says: Windows PE, MS-DOS MZ, ELF, Mach-O (thin and fat).
 */
export type ExecutableKind = 'PE' | 'MS-DOS' | 'ELF' | 'Mach-O' | 'Mach-O universal';

const MACH_O_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);

/** The kind of executable `head` (the first bytes of a file, ideally ≥ 4 KB) starts, if any. */
export function detectExecutable(head: Uint8Array): ExecutableKind | undefined {
  if (head.length < 4) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head[0] === 0x4d && head[1] === 0x5a) {
    // MZ: the PE header's offset is at 0x3c; "PE\0\0" there makes it Windows, else plain MS-DOS.
    if (head.length >= 0x40) {
      const peOffset = view.getUint32(0x3c, true);
      if (peOffset + 4 <= head.length && view.getUint32(peOffset, false) === 0x50450000) return 'PE';
    }
    // Two letters alone are text: an MS-DOS header has bytes-in-last-page < 512, a header of
    // 2–64 paragraphs and a relocation table inside the first kilobyte.
    if (head.length < 0x1c) return undefined;
    const lastPageBytes = view.getUint16(0x02, true);
    const headerParagraphs = view.getUint16(0x08, true);
    const relocations = view.getUint16(0x18, true);
    return lastPageBytes < 512 && headerParagraphs >= 2 && headerParagraphs <= 64 && relocations < 0x400 ? 'MS-DOS' : undefined;
  }
  const magic = view.getUint32(0, false);
  if (magic === 0x7f454c46) return 'ELF';
  if (MACH_O_MAGICS.has(magic)) return 'Mach-O';
  if (magic === 0xcafebabe && head.length >= 8) {
    // Java class files share CAFEBABE; a fat Mach-O has a small architecture count where Java has its version.
    const architectures = view.getUint32(4, false);
    if (architectures > 0 && architectures < 32) return 'Mach-O universal';
  }
  return undefined;
}
