import { describe, expect, it } from 'vitest';
import { droidOle2Path, droidPathMatches, EntryFinder, javaGlobToRegExp, javaTrim } from './container-paths.js';

describe('OLE2 names', () => {
  it('are trimmed like Java String.trim (control characters included)', () => {
    expect(javaTrim('\x01CompObj')).toBe('CompObj');
    expect(javaTrim('\x05SummaryInformation ')).toBe('SummaryInformation');
    expect(javaTrim('Ole10Native')).toBe('Ole10Native');
    expect(droidOle2Path('ObjectPool/\x01Ole/\x03ObjInfo')).toBe('ObjectPool/Ole/ObjInfo');
  });
});

describe('droidPathMatches (FileMatcher.fileMatches)', () => {
  it('matches equal paths, case-sensitively', () => {
    expect(droidPathMatches('word/document.xml', 'word/document.xml', undefined)).toBe(true);
    expect(droidPathMatches('word/document.xml', 'Word/document.xml', undefined)).toBe(false);
  });

  it('replaces a leading {containerFileName} with the name without its extension', () => {
    expect(droidPathMatches('{containerFileName}.xml', 'report.xml', 'dir/report.qgz')).toBe(true);
    expect(droidPathMatches('{containerFileName}.xml', 'other.xml', 'dir/report.qgz')).toBe(false);
  });

  it('treats the path as a Java glob, [Content_Types] being a character class', () => {
    expect(droidPathMatches('[Content_Types].xml', '[Content_Types].xml', undefined)).toBe(true);
    expect(droidPathMatches('[Content_Types].xml', 'C.xml', undefined)).toBe(true);
    expect(droidPathMatches('[Content_Types].xml', 'x.xml', undefined)).toBe(false);
    expect(droidPathMatches('META-INF/*.xml', 'META-INF/container.xml', undefined)).toBe(true);
    expect(droidPathMatches('META-INF/*.xml', 'META-INF/a/container.xml', undefined)).toBe(false);
    expect(droidPathMatches('**/*.xml', 'a/b/c.xml', undefined)).toBe(true);
    expect(droidPathMatches('doc?.{xml,txt}', 'doc1.txt', undefined)).toBe(true);
  });

  it('ignores repeated and trailing separators in the entry, as a Unix Path does', () => {
    expect(droidPathMatches('a/*', 'a//b/', undefined)).toBe(true);
  });
});

describe('javaGlobToRegExp', () => {
  it.each([
    ['a*b', 'axxb', true],
    ['a*b', 'a/b', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[!a]x', 'bx', true],
    ['[!a]x', 'ax', false],
    ['[a-c]', 'b', true],
    ['[a-]', '-', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ])('%s ~ %s → %s', (glob, value, expected) => {
    expect(javaGlobToRegExp(glob)?.test(value)).toBe(expected);
  });

  it.each(['[a', '{a,{b}}', '{a', '[c-a]', 'a\\', '[a/b]'])('rejects %s as Java does', (glob) => {
    expect(javaGlobToRegExp(glob)).toBeNull();
  });
});

describe('EntryFinder', () => {
  const entries = ['mimetype', 'a//b/', 'a/b', 'C.xml', '[Content_Types].xml', 'report.xml', 'META-INF/container.xml', 'x,y}', 'a//b'];
  const patterns = [
    'mimetype',
    'a/b',
    'a//b',
    'a//b/',
    '[Content_Types].xml',
    '{containerFileName}.xml',
    'META-INF/*.xml',
    '**/*.xml',
    'x,y}',
    'missing',
    'a/*',
  ];

  it.each(patterns)('finds the same first entry as testing each one for %s', (pattern) => {
    const bruteForce = entries.find((entry) => droidPathMatches(pattern, entry, 'dir/report.qgz'));
    const finder = new EntryFinder(entries, 'dir/report.qgz');
    expect(finder.find(pattern)).toBe(bruteForce);
    expect(finder.find(pattern)).toBe(bruteForce); // remembered
  });

  it('takes the first entry in order when a plain name matches two', () => {
    expect(new EntryFinder(['a//b', 'a/b'], undefined).find('a/b')).toBe('a//b');
    expect(new EntryFinder(['a/b', 'a//b'], undefined).find('a/b')).toBe('a/b');
  });
});
