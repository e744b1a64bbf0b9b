import { describe, expect, it } from 'vitest';
import { detectExecutable } from './executable.js';

function bytes(length: number, set: Record<number, number[]>): Uint8Array {
  const out = new Uint8Array(length);
  for (const [at, values] of Object.entries(set)) out.set(values, Number(at));
  return out;
}

describe('detectExecutable', () => {
  it('recognises a Windows PE by the PE signature its MZ header points at', () => {
    const pe = bytes(512, { 0: [0x4d, 0x5a], 8: [4, 0], 0x3c: [0x80, 0, 0, 0], 0x80: [0x50, 0x45, 0, 0] });
    expect(detectExecutable(pe)).toBe('PE');
  });

  it('tells a plain MS-DOS program from text that starts with "MZ"', () => {
    expect(detectExecutable(bytes(64, { 0: [0x4d, 0x5a], 8: [4, 0] }))).toBe('MS-DOS');
    expect(detectExecutable(new TextEncoder().encode('MZ is a postcode prefix, not a program.'))).toBeUndefined();
  });

  it('recognises ELF and Mach-O (both byte orders, 32 and 64 bit, universal)', () => {
    expect(detectExecutable(bytes(64, { 0: [0x7f, 0x45, 0x4c, 0x46, 2, 1] }))).toBe('ELF');
    for (const magic of [
      [0xfe, 0xed, 0xfa, 0xce],
      [0xfe, 0xed, 0xfa, 0xcf],
      [0xce, 0xfa, 0xed, 0xfe],
      [0xcf, 0xfa, 0xed, 0xfe],
    ]) {
      expect(detectExecutable(bytes(64, { 0: magic }))).toBe('Mach-O');
    }
    expect(detectExecutable(bytes(64, { 0: [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2] }))).toBe('Mach-O universal');
  });

  it('does not take a Java class file (also CAFEBABE) or short or empty input for a program', () => {
    // A class file has minor/major version where a fat Mach-O has its architecture count: 0x0000_0034 = Java 8.
    expect(detectExecutable(bytes(64, { 0: [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34] }))).toBeUndefined();
    expect(detectExecutable(new Uint8Array())).toBeUndefined();
    expect(detectExecutable(Uint8Array.from([0x7f, 0x45]))).toBeUndefined();
    expect(detectExecutable(new TextEncoder().encode('%PDF-1.7'))).toBeUndefined();
  });
});
