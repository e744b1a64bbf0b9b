import { describe, expect, it } from 'vitest';
import { hasEncryptEntry, looksLikePdf } from './pdf.js';

const text = (value: string) => new TextEncoder().encode(value);

describe('PDF encryption', () => {
  it('finds /Encrypt in a classic trailer and in a cross-reference stream dictionary', () => {
    expect(hasEncryptEntry(text('trailer\n<< /Size 8 /Root 1 0 R /Encrypt 7 0 R /ID [<a><b>] >>\nstartxref\n'))).toBe(true);
    expect(hasEncryptEntry(text('5 0 obj\n<</Type/XRef/Size 9/Encrypt 8 0 R/Filter/FlateDecode>>stream'))).toBe(true);
    expect(hasEncryptEntry(text('<</Encrypt<</Filter/Standard/V 2>>>>'))).toBe(true);
  });

  it('does not count /EncryptMetadata alone, or a PDF without the key', () => {
    expect(hasEncryptEntry(text('<< /EncryptMetadata false >>'))).toBe(false);
    expect(hasEncryptEntry(text('trailer << /Size 8 /Root 1 0 R >>'), text('%PDF-1.4\n'))).toBe(false);
    expect(hasEncryptEntry(new Uint8Array())).toBe(false);
  });

  it('looks for the header within the first kilobyte, as PDF readers do', () => {
    expect(looksLikePdf(text('%PDF-1.7\n'))).toBe(true);
    expect(looksLikePdf(text(`${' '.repeat(500)}%PDF-1.4`))).toBe(true);
    expect(looksLikePdf(text(`${' '.repeat(1100)}%PDF-1.4`))).toBe(false);
    expect(looksLikePdf(text('%!PS-Adobe'))).toBe(false);
  });
});
