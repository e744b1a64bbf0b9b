import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestError } from './manifest-error.js';
import { parseManifest } from './parse-manifest.js';

/** How coreutils writes a name: `\`, LF and CR escaped, and the line then starts with `\`. */
function gnuLine(checksum: string, name: string, binary: boolean): string {
  const escaped = name.replace(/[\\\n\r]/g, (ch) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r' })[ch] ?? ch);
  return `${escaped === name ? '' : '\\'}${checksum} ${binary ? '*' : ' '}${escaped}`;
}

/** How `sha256sum --tag` writes a name. */
function bsdLine(checksum: string, name: string): string {
  const escaped = name.replace(/[\\\n\r]/g, (ch) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r' })[ch] ?? ch);
  return `${escaped === name ? '' : '\\'}SHA256 (${escaped}) = ${checksum}`;
}

/** RFC 8493 §2.1.3: only `%`, LF and CR are percent-encoded. */
function bagItLine(checksum: string, filePath: string): string {
  return `${checksum}  ${filePath.replace(/[%\n\r]/g, (ch) => ({ '%': '%25', '\n': '%0A', '\r': '%0D' })[ch] ?? ch)}`;
}

/** RFC 4180: quote every field, double the quotes inside. */
function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Pieces that trip up naive parsers, mixed into arbitrary Unicode. */
const tricky = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\\',
  '\\n',
  '\\r',
  '%',
  '%0A',
  '%0d',
  '%25',
  '%250A',
  ' ',
  '  ',
  '\t',
  '*',
  '#',
  '-',
  ' (',
  ') = ',
  ')= ',
  '"',
  ',',
  ';',
  '\uFEFF',
  '\u0000',
  'é',
  'e\u0301',
  '😀',
);
const fileName = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), tricky), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''))
  .filter((name) => name.length > 0);
const names = fc.uniqueArray(fileName, { minLength: 1, maxLength: 12 });
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const lineEnding = fc.constantFrom('\n', '\r\n');
const asBytes = fc.boolean();

function input(text: string, bytes: boolean): string | Uint8Array {
  return bytes ? new TextEncoder().encode(text) : text;
}

describe('round trips', () => {
  it('a name written the way coreutils escapes it reads back unchanged', () => {
    fc.assert(
      fc.property(names, hex64, fc.boolean(), lineEnding, asBytes, (list, checksum, binary, eol, bytes) => {
        const text = list.map((name) => gnuLine(checksum, name, binary)).join(eol) + eol;
        const manifest = parseManifest(input(text, bytes), { fileName: 'SHA256SUMS' });
        expect(manifest.format).toBe('gnu');
        expect(manifest.entries.map((entry) => entry.path)).toEqual(list);
        expect(manifest.entries.every((entry) => entry.checksums['sha256'] === checksum)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a name written the way sha256sum --tag escapes it reads back unchanged', () => {
    fc.assert(
      fc.property(names, hex64, lineEnding, (list, checksum, eol) => {
        const manifest = parseManifest(list.map((name) => bsdLine(checksum, name)).join(eol), { fileName: 'SUMS' });
        expect(manifest.format).toBe('bsd');
        expect(manifest.entries.map((entry) => entry.path)).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it('a name written the way RFC 8493 encodes it reads back unchanged', () => {
    fc.assert(
      fc.property(names, hex64, lineEnding, asBytes, (list, checksum, eol, bytes) => {
        const text = list.map((name) => bagItLine(checksum, `data/${name}`)).join(eol);
        const manifest = parseManifest(input(text, bytes), { fileName: 'bag/manifest-sha256.txt' });
        expect(manifest.entries.map((entry) => entry.path)).toEqual(list.map((name) => `data/${name}`));
      }),
      { numRuns: 500 },
    );
  });

  it('a quoted CSV field reads back unchanged (CR and backslash excepted, by design)', () => {
    const csvNames = fc.uniqueArray(
      fileName.filter((name) => !name.includes('\r') && !name.includes('\\') && name.trim() !== ''),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(csvNames, hex64, fc.constantFrom(',', ';', '\t'), lineEnding, (list, checksum, delimiter, eol) => {
        const rows = [['path', 'sha256'], ...list.map((name) => [name, checksum])];
        const text = rows.map((row) => row.map(csvField).join(delimiter)).join(eol);
        const manifest = parseManifest(text, { fileName: 'list.csv' });
        expect(manifest.format).toBe('csv');
        expect(manifest.entries.map((entry) => entry.path)).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });
});

describe('robustness', () => {
  /** Either a manifest or a ManifestError: anything else is a bug the runner would report as internal. */
  function parsesOrRejects(content: string | Uint8Array, name: string): void {
    try {
      const manifest = parseManifest(content, { fileName: name });
      expect(['bagit', 'gnu', 'bsd', 'csv']).toContain(manifest.format);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      expect(error.fileName).toBe(name);
      if (error.line !== undefined) expect(error.line).toBeGreaterThanOrEqual(1);
    }
  }

  const manifestNames = fc.constantFrom('SUMS', 'list.csv', 'manifest-sha256.txt', 'tagmanifest-md5.txt', 'manifest-nope.txt');
  const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });

  it('arbitrary strings (lone surrogates included) parse or throw ManifestError', () => {
    fc.assert(fc.property(fc.oneof(anyUnits, fc.string({ unit: 'binary' })), manifestNames, parsesOrRejects), {
      numRuns: 1000,
    });
  });

  it('arbitrary bytes parse or throw ManifestError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), manifestNames, parsesOrRejects), { numRuns: 500 });
  });

  it('near-valid manifests (valid lines mixed with noise) parse or throw ManifestError', () => {
    const line = fc.oneof(
      fc.tuple(hex64, fileName, fc.boolean()).map(([checksum, name, binary]) => gnuLine(checksum, name, binary)),
      fc.tuple(hex64, fileName).map(([checksum, name]) => bsdLine(checksum, name)),
      fc.tuple(hex64, fileName).map(([checksum, name]) => bagItLine(checksum, name)),
      fc.constantFrom('path,sha256', 'FILE_PATH;HASH', 'Algorithm\tHash\tPath', '#TYPE x', '# comment', '', '"', '\\'),
      fc.tuple(fileName, hex64).map(([name, checksum]) => `${csvField(name)},${checksum}`),
      fc.string({ unit: 'binary', maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), lineEnding, manifestNames, (lines, eol, name) =>
        parsesOrRejects(lines.join(eol), name),
      ),
      { numRuns: 2000 },
    );
  });
});
