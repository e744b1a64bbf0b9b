import { canonicalAlgorithm } from './algorithms.js';
import { detectCsvLayout, parseCsvManifest } from './csv-manifest.js';
import { EntryCollector } from './entry-collector.js';
import { looksLikeBsd, looksLikeGnu, parseBagItLine, parseBsdLine, parseGnuLine } from './line-formats.js';
import type { LineSource, ManifestLine } from './line-formats.js';
import { ManifestError, quoteText } from './manifest-error.js';
import type { ManifestFormat, ParsedManifest } from './manifest-types.js';

/** What `parseManifest` needs besides the bytes. */
export interface ParseManifestOptions {
  /**
   * The manifest's name or path. BagIt manifests are recognised (and their
   * algorithm read) by the base name, and every message starts with it.
   */
  readonly fileName: string;
}

/** `B2SUMS`, `files.b2sum`, `x.blake2b`, `sums.b2`. */
const BLAKE2_NAME = /(?:^|[/\\])[^/\\]*(?:b2sums?|blake2[a-z0-9]*)(?:\.txt)?$|\.b2$/i;

/** RFC 8493 §2.1.3 / §2.2.1 names; the algorithm part is a plain token, so `manifest-sha256.old.txt` is not taken for one. */
const BAGIT_NAME = /(?:^|[/\\])(?:tag)?manifest-([A-Za-z0-9-]+)\.txt$/;

/**
 * Reads an expected-checksums file in whichever of the formats people
 * actually have: a BagIt manifest, `sha256sum` output (plain or `--tag`) or a
 * CSV. The format is decided once for the whole file, from its name (BagIt)
 * or its first line, and then every line must follow it.
 *
 * Pass the bytes rather than a decoded string when you have them: only then
 * can invalid UTF-8 be reported instead of silently becoming U+FFFD, which
 * would make names fail to match for no visible reason.
 *
 * @throws ManifestError for anything wrong with the file, with its line.
 */
export function parseManifest(content: string | Uint8Array, options: ParseManifestOptions): ParsedManifest {
  const { fileName } = options;
  const lines = splitLines(decode(content, fileName));
  const collector = new EntryCollector(fileName);

  const bagit = BAGIT_NAME.exec(fileName);
  if (bagit !== null) {
    const named = bagit[1] ?? '';
    const algorithm = canonicalAlgorithm(named);
    if (algorithm === undefined) {
      throw new ManifestError(fileName, undefined, `unsupported algorithm ${quoteText(named)} in a BagIt manifest name`);
    }
    // BagIt has no comments: RFC 8493 gives every line the same shape.
    readLines(lines, fileName, collector, false, (line, source) => parseBagItLine(line, algorithm, source));
    return { format: 'bagit', fileName, algorithms: [algorithm], entries: collector.entries() };
  }

  const first = firstSignificantLine(lines);
  if (first === undefined) {
    throw new ManifestError(fileName, undefined, 'contains no checksums (the file is empty or holds only blank and comment lines)');
  }
  const format = detect(lines, first, fileName);
  if (format.kind === 'gnu' && BLAKE2_NAME.test(fileName)) {
    // b2sum lines look exactly like sha512sum lines (128 hex digits, or 64
    // with -l 256, like sha256sum); only the name tells them apart, and
    // reading them as SHA-2 would fail every file with a mismatch.
    throw new ManifestError(fileName, undefined, 'looks like b2sum output; BLAKE2 checksums are not supported');
  }
  if (format.kind === 'csv') {
    parseCsvManifest(lines.slice(format.headerIndex).join('\n'), format.headerIndex + 1, format.layout, fileName, collector);
  } else {
    readLines(lines, fileName, collector, true, format.kind === 'gnu' ? parseGnuLine : parseBsdLine);
  }
  return { format: format.kind, fileName, algorithms: collector.algorithms(), entries: collector.entries() };
}

type Detected =
  | { readonly kind: Exclude<ManifestFormat, 'csv' | 'bagit'> }
  | { readonly kind: 'csv'; readonly headerIndex: number; readonly layout: NonNullable<ReturnType<typeof detectCsvLayout>> };

function detect(lines: readonly string[], first: number, fileName: string): Detected {
  const line = lines[first] ?? '';
  if (looksLikeGnu(line)) return { kind: 'gnu' };
  if (looksLikeBsd(line)) return { kind: 'bsd' };
  // Windows PowerShell 5's Export-Csv writes `#TYPE <class>` above the header.
  const headerIndex = line.startsWith('#TYPE ') ? nextNonBlank(lines, first + 1) : first;
  const layout = headerIndex === undefined ? undefined : detectCsvLayout(lines[headerIndex] ?? '');
  if (headerIndex !== undefined && layout !== undefined) return { kind: 'csv', headerIndex, layout };
  throw new ManifestError(
    fileName,
    first + 1,
    'not a checksum manifest this tool reads; tried BagIt (a file named manifest-<algorithm>.txt), ' +
      'GNU coreutils ("<checksum>  <path>"), BSD tag ("SHA256 (<path>) = <checksum>") and ' +
      `CSV (a header with a path column and a checksum column); the first line is ${quoteText(line)}`,
  );
}

function readLines(
  lines: readonly string[],
  fileName: string,
  collector: EntryCollector,
  commentsAllowed: boolean,
  parseLine: (line: string, source: LineSource) => ManifestLine,
): void {
  // One object reused for every line: a million-line manifest should not
  // allocate a million of them just to carry a line number.
  const source = { fileName, line: 0 };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line) || (commentsAllowed && line.startsWith('#'))) continue;
    source.line = i + 1;
    const parsed = parseLine(line, source);
    collector.add(parsed.path, parsed.algorithm, parsed.checksum, i + 1);
  }
}

function firstSignificantLine(lines: readonly string[]): number | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line)) continue;
    // `#TYPE` is PowerShell's CSV preamble, not a comment to skip past.
    if (line.startsWith('#') && !line.startsWith('#TYPE ')) continue;
    return i;
  }
  return undefined;
}

function nextNonBlank(lines: readonly string[], from: number): number | undefined {
  for (let i = from; i < lines.length; i++) if (!isBlank(lines[i] as string)) return i;
  return undefined;
}

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

/**
 * Splits on LF and drops one CR before it, so files written on Windows read
 * the same. The cost: a name that really ends in CR cannot be written
 * plainly in a CRLF-agnostic manifest; it is representable only escaped
 * (`\r` in a coreutils line that starts with `\`, `%0D` in BagIt).
 */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

function decode(content: string | Uint8Array, fileName: string): string {
  if (typeof content === 'string') {
    // A lone surrogate cannot be written as UTF-8, so no file on disk has it in its name.
    const bad = content.search(/\p{Cs}/u);
    if (bad >= 0) throw new ManifestError(fileName, lineAt(content, bad), 'is not valid Unicode (a lone surrogate)');
    return content.startsWith('\uFEFF') ? content.slice(1) : content;
  }
  if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff)) {
    // Windows PowerShell 5 writes UTF-16 by default (`>`, Out-File, Export-Csv -Encoding Unicode).
    throw new ManifestError(fileName, undefined, 'is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8');
  }
  try {
    // TextDecoder drops a leading UTF-8 BOM itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new ManifestError(fileName, firstInvalidLine(content), 'is not valid UTF-8');
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function firstInvalidLine(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
    line++;
  }
  return undefined;
}
