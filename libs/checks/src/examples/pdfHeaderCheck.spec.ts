import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckEngine } from '../engine/CheckEngine.js';
import type { FileReport } from '../engine/report.js';
import { memoryFile } from '../test-support/memory-file.js';
import { pdfHeaderCheck } from './pdfHeaderCheck.js';

describe('the README example check', () => {
  it('runs through the engine like a built-in check', async () => {
    const engine = new CheckEngine({ checks: [pdfHeaderCheck()] });
    await engine.init();
    const reports: FileReport[] = [];
    for await (const report of engine.run([{ file: memoryFile('%PDF-1.7 …', { path: 'a.pdf' }) }, { file: memoryFile('GIF89a', { path: 'b.gif' }) }, { file: memoryFile('', { path: 'c' }) }])) {
      reports.push(report);
    }
    await engine.close();
    expect(reports.map((report) => report.results['pdf-header'])).toMatchObject([
      { status: 'completed', result: { startsWithPdfHeader: true } },
      { status: 'completed', result: { startsWithPdfHeader: false } },
      { status: 'completed', result: { startsWithPdfHeader: false } },
    ]);
  });

  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./pdfHeaderCheck.ts', import.meta.url), 'utf8').replace("from '../index.js'", "from '@tdr/checks'");
    expect(readme).toContain(source.trim());
  });
});
