import { describe, expect, it } from 'vitest';
import type { ParsedManifest } from './manifest-types.js';
import { parseManifest } from './parse-manifest.js';
import { A64, B64, C32, D40, E96, F128, manifestError } from '../test-support/manifests.js';

function paths(manifest: ParsedManifest): string[] {
  return manifest.entries.map((entry) => entry.path);
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('GNU coreutils format', () => {
  it('reads text-mode and binary-mode lines and infers the algorithm from the length', () => {
    const manifest = parseManifest(
      [`${A64}  a.txt`, `${C32} *b.bin`, `${D40}  c`, `${E96}  d`, `${F128}  e`].join('\n') + '\n',
      { fileName: 'SUMS' },
    );
    expect(manifest.format).toBe('gnu');
    expect(manifest.fileName).toBe('SUMS');
    expect(manifest.entries).toEqual([
      { path: 'a.txt', checksums: { sha256: A64 }, line: 1 },
      { path: 'b.bin', checksums: { md5: C32 }, line: 2 },
      { path: 'c', checksums: { sha1: D40 }, line: 3 },
      { path: 'd', checksums: { sha384: E96 }, line: 4 },
      { path: 'e', checksums: { sha512: F128 }, line: 5 },
    ]);
    expect(manifest.algorithms).toEqual(['sha256', 'md5', 'sha1', 'sha384', 'sha512']);
  });

  it('lowercases checksums', () => {
    const manifest = parseManifest(`${'AbCdEf01'.repeat(8)}  x`, { fileName: 'SUMS' });
    expect(manifest.entries[0]?.checksums).toEqual({ sha256: 'abcdef01'.repeat(8) });
  });

  it('keeps spaces, leading dashes, asterisks and hashes in names exactly', () => {
    const names = ['  two leading spaces', 'trailing space ', '-rf', '--help', '*star', '#not a comment', 'tab\there'];
    const manifest = parseManifest(names.map((name) => `${A64}  ${name}`).join('\n'), { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(names);
  });

  it('reads a name starting with * in binary mode as the name after the mode character', () => {
    const manifest = parseManifest(`${A64} **star`, { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(['*star']);
  });

  it('ignores blank lines and # comment lines, counting them for line numbers', () => {
    const manifest = parseManifest(`# made by sha256sum\n\n   \n${A64}  a\n# another\n${B64}  b\n`, {
      fileName: 'SUMS',
    });
    expect(manifest.entries.map((entry) => [entry.path, entry.line])).toEqual([
      ['a', 4],
      ['b', 6],
    ]);
  });

  it('unescapes lines that start with a backslash: \\\\, \\n and \\r', () => {
    const manifest = parseManifest(
      [`\\${A64}  back\\\\slash`, `\\${B64}  new\\nline`, `\\${C32}  carriage\\r`, `\\${D40} *all\\\\\\n\\r\\\\n`].join(
        '\n',
      ),
      { fileName: 'SUMS' },
    );
    expect(paths(manifest)).toEqual(['back\\slash', 'new\nline', 'carriage\r', 'all\\\n\r\\n']);
  });

  it('keeps backslashes literally when the line does not start with one', () => {
    const manifest = parseManifest(`${A64}  dir\\file\\n.txt`, { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(['dir\\file\\n.txt']);
  });

  it('rejects an escape coreutils never writes, with its line', () => {
    const error = manifestError(() => parseManifest(`${A64}  ok\n\\${B64}  tab\\there`, { fileName: 'SUMS' }));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^SUMS line 2: invalid escape "\\t"/);
  });

  it('rejects a trailing lone backslash in an escaped line', () => {
    const error = manifestError(() => parseManifest(`\\${B64}  end\\`, { fileName: 'SUMS' }));
    expect(error.line).toBe(1);
    expect(error.message).toContain('invalid escape');
  });

  it('rejects checksum lengths that match no algorithm', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${'1'.repeat(56)}  sha224.txt\n`, { fileName: 'SUMS' }));
    expect(error.line).toBe(2);
    expect(error.message).toContain('56 hex digits');
    expect(error.message).toContain('sha256 64');
  });

  it.each([
    ['a single space (md5 -r style)', `${A64} a.txt`],
    ['no path', `${A64}  `],
    ['no path in binary mode', `${A64} *`],
    ['non-hex checksum', `${'g'.repeat(64)}  a.txt`],
    ['a tab separator', `${A64}\t\ta.txt`],
    ['BSD line in a GNU file', `SHA256 (a.txt) = ${A64}`],
  ])('rejects a malformed line: %s', (_name, bad) => {
    const error = manifestError(() => parseManifest(`${A64}  first\n\n${bad}\n${B64}  last`, { fileName: 'SUMS' }));
    expect(error.line).toBe(3);
    expect(error.fileName).toBe('SUMS');
  });

  it.each(['B2SUMS', 'dir/files.b2sum', 'x.blake2b', 'sums.b2', 'BLAKE2SUMS.txt'])(
    'refuses %s: b2sum lines would be misread as SHA-512 or SHA-256',
    (name) => {
      const error = manifestError(() => parseManifest(`${F128}  a`, { fileName: name }));
      expect(error.message).toBe(`${name}: looks like b2sum output; BLAKE2 checksums are not supported`);
    },
  );

  it('does not mistake other names for b2sum output', () => {
    for (const name of ['SHA256SUMS', 'b2/SHA512SUMS', 'lab2.txt']) {
      expect(parseManifest(`${F128}  a`, { fileName: name }).algorithms).toEqual(['sha512']);
    }
  });

  it('formats the malformed-line message with the expected shape and the quoted line', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${A64} b`, { fileName: 'checksums.txt' }));
    expect(error.message).toBe(`checksums.txt line 2: expected "<checksum>  <path>", found "${A64} b"`);
  });
});

describe('BSD tag format', () => {
  it('reads sha256sum --tag and md5 output with every supported tag spelling', () => {
    const manifest = parseManifest(
      [
        `SHA256 (a.txt) = ${A64}`,
        `MD5 (b) = ${C32}`,
        `SHA1 (c) = ${D40}`,
        `SHA-384 (d) = ${E96}`,
        `sha512 (e) = ${F128}`,
        `SHA-256 (f) = ${B64.toUpperCase()}`,
      ].join('\r\n'),
      { fileName: 'CHECKSUMS' },
    );
    expect(manifest.format).toBe('bsd');
    expect(manifest.entries).toEqual([
      { path: 'a.txt', checksums: { sha256: A64 }, line: 1 },
      { path: 'b', checksums: { md5: C32 }, line: 2 },
      { path: 'c', checksums: { sha1: D40 }, line: 3 },
      { path: 'd', checksums: { sha384: E96 }, line: 4 },
      { path: 'e', checksums: { sha512: F128 }, line: 5 },
      { path: 'f', checksums: { sha256: B64 }, line: 6 },
    ]);
  });

  it('takes the path from the first " (" to the last ") = "', () => {
    const manifest = parseManifest(`SHA256 (odd (name) = x) = y.txt) = ${A64}\nSHA256 ( lead) = ${B64}`, {
      fileName: 'CHECKSUMS',
    });
    expect(paths(manifest)).toEqual(['odd (name) = x) = y.txt', ' lead']);
  });

  it('unescapes coreutils-escaped tag lines', () => {
    const manifest = parseManifest(`\\SHA256 (a\\nb\\\\c\\r) = ${A64}`, { fileName: 'CHECKSUMS' });
    expect(paths(manifest)).toEqual(['a\nb\\c\r']);
  });

  it('reads openssl dgst output (SHA2-256(path)= hex)', () => {
    const manifest = parseManifest(`SHA2-256(a b.txt)= ${A64}\nMD5(c)= ${C32}\n`, { fileName: 'dgst.txt' });
    expect(manifest.format).toBe('bsd');
    expect(manifest.entries).toEqual([
      { path: 'a b.txt', checksums: { sha256: A64 }, line: 1 },
      { path: 'c', checksums: { md5: C32 }, line: 2 },
    ]);
  });

  it.each(['BLAKE2b', 'BLAKE2b-256', 'SHA3-256', 'SHA224', 'CRC32'])('rejects the %s tag as unsupported', (tag) => {
    const error = manifestError(() => parseManifest(`SHA256 (a) = ${A64}\n${tag} (x) = ${A64}`, { fileName: 'T' }));
    expect(error.line).toBe(2);
    expect(error.message).toContain('unsupported algorithm');
  });

  it('rejects a checksum whose length does not fit the tag', () => {
    const error = manifestError(() => parseManifest(`SHA256 (a) = ${A64}\n\nMD5 (b) = ${A64}`, { fileName: 'T' }));
    expect(error.line).toBe(3);
    expect(error.message).toBe(`T line 3: md5 checksum must have 32 hex digits, found 64: "MD5 (b) = ${A64}"`);
  });

  it.each([
    ['no checksum', 'SHA256 (a) = '],
    ['missing separator', `SHA256 (a) ${A64}`],
    ['empty path', `SHA256 () = ${A64}`],
  ])('rejects a malformed line: %s', (_name, bad) => {
    const error = manifestError(() => parseManifest(`# comment\nSHA256 (ok) = ${A64}\n${bad}`, { fileName: 'T' }));
    expect(error.line).toBe(3);
  });
});

describe('BagIt manifests', () => {
  it('takes the algorithm from the file name and reads "<checksum> <path>" lines', () => {
    const manifest = parseManifest(`${A64}  data/a.txt\n${B64} data/sub dir/b c.txt\n`, {
      fileName: '/bags/bag1/manifest-sha256.txt',
    });
    expect(manifest).toEqual({
      format: 'bagit',
      fileName: '/bags/bag1/manifest-sha256.txt',
      algorithms: ['sha256'],
      entries: [
        { path: 'data/a.txt', checksums: { sha256: A64 }, line: 1 },
        { path: 'data/sub dir/b c.txt', checksums: { sha256: B64 }, line: 2 },
      ],
    });
  });

  it('reads tag manifests and any whitespace run as the separator', () => {
    const manifest = parseManifest(`${C32}\tbagit.txt\n${C32} \t  bag-info.txt\n`, { fileName: 'tagmanifest-md5.txt' });
    expect(manifest.format).toBe('bagit');
    expect(manifest.algorithms).toEqual(['md5']);
    expect(paths(manifest)).toEqual(['bagit.txt', 'bag-info.txt']);
  });

  it('decodes exactly %25, %0A and %0D (any case), in one pass', () => {
    const manifest = parseManifest(
      [
        `${A64}  data/100%25.txt`,
        `${A64}  data/two%0alines%0Dand%0d%0A`,
        `${A64}  data/%250A is literal`,
        `${A64}  data/%20 and %41 and %2F stay`,
        `${A64}  data/lone % sign and %`,
      ].join('\n'),
      { fileName: 'manifest-sha256.txt' },
    );
    expect(paths(manifest)).toEqual([
      'data/100%.txt',
      'data/two\nlines\rand\r\n',
      'data/%0A is literal',
      'data/%20 and %41 and %2F stay',
      'data/lone % sign and %',
    ]);
  });

  it.each([
    ['sha224', 56],
    ['blake3', 64],
    ['xxh64', 16],
    ['crc32c', 8],
    ['sha512', 128],
    ['sha1', 40],
  ])('accepts %s checksums of %i hex digits and rejects other lengths', (algorithm, digits) => {
    const good = parseManifest(`${'0'.repeat(digits)}  data/x`, { fileName: `manifest-${algorithm}.txt` });
    expect(good.entries[0]?.checksums).toEqual({ [algorithm]: '0'.repeat(digits) });
    const error = manifestError(() =>
      parseManifest(`${'0'.repeat(digits)}  data/x\n${'0'.repeat(digits + 2)}  data/y`, {
        fileName: `manifest-${algorithm}.txt`,
      }),
    );
    expect(error.line).toBe(2);
    expect(error.message).toContain(`${algorithm} checksum must have ${digits} hex digits`);
  });

  it('rejects an algorithm in the file name it cannot verify', () => {
    const error = manifestError(() => parseManifest(`${A64}  data/x`, { fileName: 'manifest-sha3.txt' }));
    expect(error.line).toBeUndefined();
    expect(error.message).toBe('manifest-sha3.txt: unsupported algorithm "sha3" in a BagIt manifest name');
  });

  it('does not take a name that merely contains manifest-<alg>.txt for BagIt', () => {
    const manifest = parseManifest(`${A64}  a`, { fileName: 'old-manifest-sha256.txt' });
    expect(manifest.format).toBe('gnu');
  });

  it('treats # lines as malformed, since BagIt has no comments', () => {
    const error = manifestError(() => parseManifest(`${A64}  data/a\n# a comment`, { fileName: 'manifest-sha256.txt' }));
    expect(error.line).toBe(2);
    expect(error.message).toBe('manifest-sha256.txt line 2: sha256 checksum is not hexadecimal: "# a comment"');
  });

  it.each([
    ['a checksum alone', A64],
    ['leading whitespace', ` ${A64} data/a`],
    ['a checksum and trailing whitespace', `${A64}   `],
  ])('rejects a malformed line: %s', (_name, bad) => {
    const error = manifestError(() =>
      parseManifest(`${A64}  data/a\n${B64}  data/b\r\n${bad}\r\n`, { fileName: 'manifest-sha256.txt' }),
    );
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^manifest-sha256\.txt line 3: expected "<checksum> <path>", found "/);
  });

  it('accepts an empty manifest (an empty bag)', () => {
    expect(parseManifest('', { fileName: 'manifest-md5.txt' })).toEqual({
      format: 'bagit',
      fileName: 'manifest-md5.txt',
      algorithms: ['md5'],
      entries: [],
    });
  });
});

describe('input decoding', () => {
  it('accepts a UTF-8 BOM in bytes and in strings, and CRLF line endings', () => {
    const text = `${A64}  é.txt\r\n${B64}  b\r\n`;
    const fromBytes = parseManifest(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]), { fileName: 'SUMS' });
    const fromString = parseManifest(`\uFEFF${text}`, { fileName: 'SUMS' });
    expect(paths(fromBytes)).toEqual(['é.txt', 'b']);
    expect(fromString).toEqual(fromBytes);
  });

  it('strips only one CR per line, so an escaped name ending in CR survives CRLF', () => {
    const manifest = parseManifest(`\\${A64}  ends\\r\r\n${B64}  plain\r\n`, { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(['ends\r', 'plain']);
  });

  it('keeps a second CR at the end of a line as part of the name', () => {
    const manifest = parseManifest(`${A64}  a\r\r\n`, { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(['a\r']);
  });

  it('rejects invalid UTF-8 with the line it is on', () => {
    const bytes = new Uint8Array([...utf8(`${A64}  a\n${B64}  b`), 0xc3, 0x28, ...utf8('\n')]);
    const error = manifestError(() => parseManifest(bytes, { fileName: 'SUMS' }));
    expect(error.line).toBe(2);
    expect(error.message).toBe('SUMS line 2: is not valid UTF-8');
  });

  it('says so when the file is UTF-16, as Windows PowerShell writes', () => {
    const error = manifestError(() => parseManifest(new Uint8Array([0xff, 0xfe, 0x61, 0x00]), { fileName: 'h.csv' }));
    expect(error.message).toContain('UTF-16');
  });

  it('rejects a string with a lone surrogate', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${B64}  b\uD800`, { fileName: 'SUMS' }));
    expect(error.line).toBe(2);
  });

  it('round-trips unicode names, including astral and combining characters', () => {
    const names = ['日本語/ファイル.txt', 'emoji 😀.png', 'cafe\u0301.txt', 'Ελληνικά', 'עברית.doc'];
    const manifest = parseManifest(utf8(names.map((name) => `${A64}  ${name}`).join('\n')), { fileName: 'SUMS' });
    expect(paths(manifest)).toEqual(names);
  });
});

describe('format detection', () => {
  it('lists the formats tried and quotes the first line, with control characters escaped', () => {
    const error = manifestError(() => parseManifest('\n\nhello\tworld\u001b[31m\nmore', { fileName: 'notes.txt' }));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^notes\.txt line 3: not a checksum manifest this tool reads; tried BagIt/);
    expect(error.message).toContain('GNU coreutils');
    expect(error.message).toContain('BSD tag');
    expect(error.message).toContain('CSV');
    expect(error.message).toContain('"hello\\tworld\\x1b[31m"');
  });

  it('truncates a long quoted line to 80 characters', () => {
    const long = `${'x'.repeat(200)}`;
    const error = manifestError(() => parseManifest(long, { fileName: 'n' }));
    expect(error.message).toContain(`"${'x'.repeat(80)}…"`);
    expect(error.message).not.toContain('x'.repeat(81));
  });

  it('escapes bidirectional overrides in quoted text', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${A64} \u202Eb`, { fileName: 'n' }));
    expect(error.message).toContain('\\u202e');
    expect(error.message).not.toContain('\u202E');
  });

  it.each([
    ['an empty file', ''],
    ['only blank lines', '\n  \r\n\t\n'],
    ['only comments', '# nothing\n# here\n'],
  ])('rejects %s', (_name, content) => {
    const error = manifestError(() => parseManifest(content, { fileName: 'SUMS' }));
    expect(error.line).toBeUndefined();
    expect(error.message).toContain('contains no checksums');
  });
});

describe('duplicates', () => {
  it('merges identical repeats into the first line', () => {
    const manifest = parseManifest(`${A64}  a\n${B64}  b\n${A64.toUpperCase()}  a\n`, { fileName: 'SUMS' });
    expect(manifest.entries).toEqual([
      { path: 'a', checksums: { sha256: A64 }, line: 1 },
      { path: 'b', checksums: { sha256: B64 }, line: 2 },
    ]);
  });

  it('merges different algorithms for one path into one entry', () => {
    const manifest = parseManifest(`${A64}  a\n${C32}  b\n${C32}  a\n`, { fileName: 'SUMS' });
    expect(manifest.entries).toEqual([
      { path: 'a', checksums: { sha256: A64, md5: C32 }, line: 1 },
      { path: 'b', checksums: { md5: C32 }, line: 2 },
    ]);
  });

  it('rejects the same path with different values, naming both lines', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${C32}  a\n\n${B64}  a\n`, { fileName: 'SUMS' }));
    expect(error.line).toBe(4);
    expect(error.message).toBe(
      `SUMS line 4: "a" is listed twice with different sha256 checksums: line 1 has ${A64}, line 4 has ${B64}`,
    );
  });

  it('names the line that added the conflicting algorithm, not the first line of the path', () => {
    const error = manifestError(() => parseManifest(`${A64}  a\n${C32}  a\n${'9'.repeat(32)}  a\n`, { fileName: 'S' }));
    expect(error.line).toBe(3);
    expect(error.message).toContain('line 2 has');
  });

  it('treats paths differing only in Unicode normalisation as different here (the index merges them)', () => {
    const manifest = parseManifest(`${A64}  caf\u00e9\n${B64}  cafe\u0301\n`, { fileName: 'S' });
    expect(manifest.entries).toHaveLength(2);
  });
});
