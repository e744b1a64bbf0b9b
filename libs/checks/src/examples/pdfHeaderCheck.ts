import { CheckError, type FileCheck } from '../index.js';

export interface PdfHeaderResult { readonly startsWithPdfHeader: boolean }

export function pdfHeaderCheck(): FileCheck<PdfHeaderResult> {
  return {
    name: 'pdf-header',
    version: '1.0.0',
    describe: () => ({ name: 'pdf-header', version: '1.0.0' }),
    timeoutMs: () => 5_000,
    async check(file, ctx) {
      if (file.size < 5) return { startsWithPdfHeader: false };
      const head = await file.read(0, 5, ctx.signal); // throws CheckError if the file vanished
      if (head.length < 5) throw new CheckError('FILE_CHANGED', `${file.path} shrank while being read`, { retryable: true });
      return { startsWithPdfHeader: new TextDecoder().decode(head) === '%PDF-' };
    },
  };
}
