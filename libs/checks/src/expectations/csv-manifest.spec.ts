import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse-manifest.js';
import { A64, B64, C32, D40, manifestError } from '../test-support/manifests.js';

const csv = (content: string, fileName = 'list.csv') => parseManifest(content, { fileName });

describe('CSV manifests', () => {
  it('reads a plain comma-separated list', () => {
    const manifest = csv(`path,sha256\na.txt,${A64}\nsub/b.txt,${B64.toUpperCase()}\n`);
    expect(manifest).toEqual({
      format: 'csv',
      fileName: 'list.csv',
      algorithms: ['sha256'],
      entries: [
        { path: 'a.txt', checksums: { sha256: A64 }, line: 2 },
        { path: 'sub/b.txt', checksums: { sha256: B64 }, line: 3 },
      ],
    });
  });

  it('detects semicolon and tab delimiters from the header', () => {
    const semicolon = csv(`Dateiname;SHA-256;Path\nignored;${A64};a,with,commas.txt\n`);
    expect(semicolon.entries).toEqual([{ path: 'a,with,commas.txt', checksums: { sha256: A64 }, line: 2 }]);
    const tab = csv(`file\tmd5\tsize\na;b.txt\t${C32}\t12\n`);
    expect(tab.entries).toEqual([{ path: 'a;b.txt', checksums: { md5: C32 }, line: 2 }]);
  });

  it('reads RFC 4180 quoting: delimiters, doubled quotes and newlines inside fields, counting lines across them', () => {
    const content = ['"path","sha256"', `"a, b.txt",${A64}`, `"say ""hi"".txt","${B64}"`, `"two\nline\nname.txt",${A64}`, `after.txt,${B64}`].join('\r\n');
    const manifest = csv(content);
    expect(manifest.entries).toEqual([
      { path: 'a, b.txt', checksums: { sha256: A64 }, line: 2 },
      { path: 'say "hi".txt', checksums: { sha256: B64 }, line: 3 },
      { path: 'two\nline\nname.txt', checksums: { sha256: A64 }, line: 4 },
      { path: 'after.txt', checksums: { sha256: B64 }, line: 7 },
    ]);
    const error = manifestError(() => csv(`${content}\r\n\r\nbad.txt,${'z'.repeat(64)}\r\n`));
    expect(error.line).toBe(9);
    expect(error.message).toBe('list.csv line 9: sha256 checksum is not hexadecimal in column "sha256": "' + 'z'.repeat(64) + '"');
  });

  it('reads a DROID export: FILE_PATH over NAME, SHA256_HASH, folder rows skipped', () => {
    const header =
      '"ID","PARENT_ID","URI","FILE_PATH","NAME","METHOD","STATUS","SIZE","TYPE","EXT","LAST_MODIFIED","EXTENSION_MISMATCH","SHA256_HASH","FORMAT_COUNT","PUID","MIME_TYPE","FORMAT_NAME","FORMAT_VERSION"';
    const manifest = csv(
      [
        header,
        '"1","","file:/data/in/","/data/in","in","","Done","","Folder","","2024-01-01T00:00:00","false","","","","","",""',
        `"2","1","file:/data/in/a.pdf","/data/in/a.pdf","a.pdf","Signature","Done","1234","File","pdf","2024-01-01T00:00:00","false","${A64}","1","fmt/276","application/pdf","Acrobat PDF 1.7 - Portable Document Format","1.7"`,
        `"3","1","file:/data/in/b.zip","/data/in/b.zip","b.zip","Signature","Done","99","Container","zip","2024-01-01T00:00:00","false","${B64}","1","x-fmt/263","application/zip","ZIP Format",""`,
        `"4","3","zip:file:/data/in/b.zip!/inner.txt","/data/in/b.zip","inner.txt","Extension","Done","5","File","txt","2024-01-01T00:00:00","false","${A64}","1","x-fmt/111","text/plain","Plain Text File",""`,
        // DROID's "one row per format" export repeats a file with the same hash.
        `"2","1","file:/data/in/a.pdf","/data/in/a.pdf","a.pdf","Signature","Done","1234","File","pdf","2024-01-01T00:00:00","false","${A64}","2","fmt/354","application/pdf","PDF/A","1b"`,
      ].join('\r\n') + '\r\n',
      'droid.csv',
    );
    expect(manifest.entries).toEqual([
      { path: '/data/in/a.pdf', checksums: { sha256: A64 }, line: 3 },
      { path: '/data/in/b.zip', checksums: { sha256: B64 }, line: 4 },
    ]);
  });

  it('reads DROID exports with a plain HASH column by inferring the algorithm, and MD5_HASH / SHA1_HASH', () => {
    const plain = csv(`"ID","FILE_PATH","NAME","TYPE","HASH"\n"1","C:\\in\\a.doc","a.doc","File","${C32}"\n`);
    expect(plain.entries).toEqual([{ path: 'C:/in/a.doc', checksums: { md5: C32 }, line: 2 }]);
    const md5 = csv(`"FILE_PATH","MD5_HASH"\n"x","${C32}"\n`);
    expect(md5.algorithms).toEqual(['md5']);
    const sha1 = csv(`"FILE_PATH","SHA1_HASH"\n"x","${D40}"\n`);
    expect(sha1.algorithms).toEqual(['sha1']);
  });

  it('rejects a DROID file row without a hash (hashing was not enabled)', () => {
    const error = manifestError(() =>
      csv('"ID","FILE_PATH","TYPE","HASH"\n"1","/in","Folder",""\n"2","/in/a.txt","File",""\n', 'droid.csv'),
    );
    expect(error.line).toBe(3);
    expect(error.message).toBe('droid.csv line 3: no checksum in HASH for "/in/a.txt"');
  });

  it.each([
    ['sha256', 'sha256'],
    ['SHA-256', 'sha256'],
    ['sha256_hash', 'sha256'],
    ['SHA256 checksum', 'sha256'],
    ['checksum_sha256', 'sha256'],
    ['Hash-SHA-256', 'sha256'],
    ['sha256sum', 'sha256'],
    ['SHA256ClientSideChecksum', 'sha256'],
    ['SHA2-256', 'sha256'],
    ['md5', 'md5'],
    ['MD5_HASH', 'md5'],
    ['md5 checksum', 'md5'],
    ['sha1', 'sha1'],
    ['SHA-512', 'sha512'],
    ['blake3', 'blake3'],
  ])('takes the algorithm from a column named %j', (header, algorithm) => {
    const lengths: Record<string, number> = { sha256: 64, md5: 32, sha1: 40, sha512: 128, blake3: 64 };
    const value = '0'.repeat(lengths[algorithm] ?? 0);
    const manifest = csv(`path,${header}\na,${value}\n`);
    expect(manifest.entries[0]?.checksums).toEqual({ [algorithm]: value });
  });

  it.each([
    'path',
    'Path',
    'File Path',
    'file_path',
    'filepath',
    'file',
    'File Name',
    'name',
    'identifier',
    'Original Path',
    'ClientSideOriginalFilepath',
    'client_side_file_original_filepath',
    'relative-path',
  ])('finds the path in a column named %j', (header) => {
    const manifest = csv(`size,${header},sha256\n1,dir/x.txt,${A64}\n`);
    expect(manifest.entries).toEqual([{ path: 'dir/x.txt', checksums: { sha256: A64 }, line: 2 }]);
  });

  it('prefers the fuller path column when several are present', () => {
    const manifest = csv(`name,file_path,identifier,sha256\nx.txt,dir/x.txt,ID1,${A64}\n`);
    expect(manifest.entries[0]?.path).toBe('dir/x.txt');
  });

  it('reads several checksum columns and allows empty cells', () => {
    const manifest = csv(`path,md5,sha256\na,${C32},${A64}\nb,,${B64}\nc,${C32},\n`);
    expect(manifest.algorithms).toEqual(['md5', 'sha256']);
    expect(manifest.entries).toEqual([
      { path: 'a', checksums: { md5: C32, sha256: A64 }, line: 2 },
      { path: 'b', checksums: { sha256: B64 }, line: 3 },
      { path: 'c', checksums: { md5: C32 }, line: 4 },
    ]);
  });

  it('infers the algorithm of a generic checksum column per value', () => {
    const manifest = csv(`filename,checksum\na,${A64}\nb,${C32}\nc,${D40}\n`);
    expect(manifest.entries.map((entry) => entry.checksums)).toEqual([{ sha256: A64 }, { md5: C32 }, { sha1: D40 }]);
  });

  it('rejects a generic checksum whose length matches no algorithm', () => {
    const error = manifestError(() => csv(`path,hash\na,${A64}\nb,${'1'.repeat(56)}\n`));
    expect(error.line).toBe(3);
    expect(error.message).toContain('56 characters');
  });

  it('reads PowerShell Get-FileHash | Export-Csv, with its #TYPE line and Algorithm column', () => {
    const manifest = csv(
      [
        '#TYPE Microsoft.PowerShell.Commands.FileHashInfo',
        '"Algorithm","Hash","Path"',
        `"SHA256","${A64.toUpperCase()}","C:\\Users\\me\\in\\a.txt"`,
        `"MD5","${C32.toUpperCase()}","C:\\Users\\me\\in\\b.txt"`,
      ].join('\r\n'),
      'hashes.csv',
    );
    expect(manifest.entries).toEqual([
      { path: 'C:/Users/me/in/a.txt', checksums: { sha256: A64 }, line: 3 },
      { path: 'C:/Users/me/in/b.txt', checksums: { md5: C32 }, line: 4 },
    ]);
  });

  it('rejects an unsupported algorithm named in the Algorithm column', () => {
    const error = manifestError(() => csv(`Algorithm,Hash,Path\nSHA256,${A64},a\nSHA3_256,${A64},b\n`));
    expect(error.line).toBe(3);
    expect(error.message).toContain('unsupported algorithm "SHA3_256"');
  });

  it('converts Windows separators only when the path has no forward slash', () => {
    const manifest = csv(`path,sha256\nsub\\dir\\a.txt,${A64}\nweird\\name/b.txt,${B64}\n`);
    expect(manifest.entries.map((entry) => entry.path)).toEqual(['sub/dir/a.txt', 'weird\\name/b.txt']);
  });

  it('keeps spaces and leading dashes in paths but trims checksum cells', () => {
    const manifest = csv(`path,sha256\n -rf ,  ${A64}  \n`);
    expect(manifest.entries).toEqual([{ path: ' -rf ', checksums: { sha256: A64 }, line: 2 }]);
  });

  it('skips blank and all-empty rows (as spreadsheets export them)', () => {
    const manifest = csv(`\n\npath,sha256,size\n\n,,\n  ,\t, \na,${A64},1\n`);
    expect(manifest.entries).toEqual([{ path: 'a', checksums: { sha256: A64 }, line: 7 }]);
  });

  it('accepts a UTF-8 BOM before the header', () => {
    const manifest = parseManifest(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`Path,SHA256\nä,${A64}`)]), {
      fileName: 'x.csv',
    });
    expect(manifest.entries).toEqual([{ path: 'ä', checksums: { sha256: A64 }, line: 2 }]);
  });

  it('accepts a header-only CSV as an empty manifest', () => {
    expect(csv('path,sha256\n').entries).toEqual([]);
  });

  describe('errors', () => {
    it('rejects a row with no checksum at all', () => {
      const error = manifestError(() => csv(`path,md5,sha256\na,${C32},\nb,,\n`));
      expect(error.line).toBe(3);
      expect(error.message).toBe('list.csv line 3: no checksum in md5, sha256 for "b"');
    });

    it('rejects a row with an empty path', () => {
      const error = manifestError(() => csv(`path,sha256\na,${A64}\n,${B64}\n`));
      expect(error.line).toBe(3);
      expect(error.message).toContain('empty path');
    });

    it('rejects a row with the wrong number of fields', () => {
      const error = manifestError(() => csv(`path,sha256\na,${A64}\nb,${B64},extra\n`));
      expect(error.line).toBe(3);
      expect(error.message).toBe(`list.csv line 3: expected 2 fields as in the header, found 3: "b,${B64},extra"`);
    });

    it('rejects an unterminated quote at the line where the broken record starts', () => {
      const error = manifestError(() => csv(`path,sha256\na,${A64}\n"b,${B64}\nc,${A64}\n`));
      expect(error.line).toBe(3);
      expect(error.message).toBe('list.csv line 3: not valid CSV: a quoted field is never closed');
    });

    it('numbers CSV syntax errors by file line even when the header is not on line 1', () => {
      const error = manifestError(() => csv(`\n\npath,sha256\na,${A64}\n\nb"c,${B64}\n`));
      expect(error.line).toBe(6);
      expect(error.message).toMatch(/^list\.csv line 6: not valid CSV: a quote in the middle of an unquoted field/);
      expect(error.message).not.toMatch(/at line/);
    });

    it('rejects text after a closing quote', () => {
      const error = manifestError(() => csv(`path;sha256\r\n"a" x;${A64}\r\n`));
      expect(error.line).toBe(2);
      expect(error.message).toContain('goes on after its closing quote');
    });

    it('rejects a checksum of the wrong length for its column', () => {
      const error = manifestError(() => csv(`path,md5\na,${C32}\nb,${A64}\n`));
      expect(error.line).toBe(3);
      expect(error.message).toContain('md5 checksum must have 32 hex digits, found 64');
    });

    it('rejects two columns that disagree about one algorithm', () => {
      const error = manifestError(() => csv(`path,sha256,checksum\na,${A64},${A64}\nb,${A64},${B64}\n`));
      expect(error.line).toBe(3);
      expect(error.message).toBe('list.csv line 3: columns "sha256" and "checksum" give different sha256 checksums');
    });

    it('rejects the same path on two rows with different values, naming both lines', () => {
      const error = manifestError(() => csv(`path,sha256\na,${A64}\nb,${A64}\na,${B64}\n`));
      expect(error.line).toBe(4);
      expect(error.message).toContain('line 2 has');
    });

    it('says which column is missing when the header has a path but no checksum', () => {
      const error = manifestError(() => csv('path,size,modified\na,1,2\n'));
      expect(error.line).toBe(1);
      expect(error.message).toMatch(/^list\.csv line 1: CSV header has no checksum column/);
    });

    it('says which column is missing when the header has a checksum but no path', () => {
      const error = manifestError(() => csv(`\nsize;sha256\n1;${A64}\n`));
      expect(error.line).toBe(2);
      expect(error.message).toMatch(/^list\.csv line 2: CSV header has no path column \(one of: clientsideoriginalfilepath/);
    });

    it('does not take a header with unknown columns for a CSV', () => {
      const error = manifestError(() => csv('colour,size\nred,1\n'));
      expect(error.message).toContain('not a checksum manifest this tool reads');
    });
  });
});
