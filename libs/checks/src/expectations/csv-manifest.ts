/**
 * Checksum lists kept as spreadsheets: DROID exports, TDR metadata, PowerShell
 * `Get-FileHash | Export-Csv`, hand-made lists. Columns are found by name
 * because every producer orders them differently.
 *
 * Header names are compared lowercase with spaces, `_` and `-` removed.
 *
 * Path column, first present wins (so DROID's full `FILE_PATH` beats its bare
 * `NAME`): clientsideoriginalfilepath, clientsidefileoriginalfilepath (TDR),
 * originalfilepath, originalpath, filepath, relativepath, path, fullpath,
 * filename, file, identifier, name.
 *
 * Checksum columns:
 * - named after an algorithm, optionally with a prefix (checksum, hash, digest,
 *   fixity) or a suffix (checksum, hash, digest, sum, value, checksumvalue,
 *   hashvalue, fixity, clientsidechecksum): `sha256`, `SHA-256`, `SHA256_HASH`,
 *   `md5 checksum`, `checksum_sha256`, `SHA256ClientSideChecksum`. Columns
 *   naming an algorithm we cannot verify (`sha3-256`, `crc32`) are ignored.
 * - generic: checksum, hash, digest, fixity, checksumvalue, hashvalue,
 *   digestvalue, messagedigest. The algorithm comes from an algorithm column
 *   in the same row when there is one (algorithm, hashalgorithm,
 *   checksumalgorithm, digestalgorithm, checksumtype, hashtype; PowerShell
 *   writes `Algorithm,Hash,Path`), else from the checksum's length.
 *
 * DROID rows that are not files on disk are skipped: `TYPE` = `Folder` rows
 * without a checksum (DROID lists folders), and rows whose `URI` is not a
 * `file:` URI (entries inside archives, when DROID expands them).
 */
import { createRequire } from 'node:module';
import type * as CsvParseSync from 'csv-parse/sync';
import {
  LENGTH_TABLE,
  algorithmFromLength,
  canonicalAlgorithm,
  normaliseChecksum,
  squash,
} from './algorithms.js';
import type { EntryCollector } from './entry-collector.js';
import { ManifestError, quoteText } from './manifest-error.js';

/**
 * csv-parse, loaded on first use: most runs read no CSV, and importing it
 * costs every start-up (the CLI, each Lambda cold start) about 7 ms.
 * Synchronous (`require` of its CommonJS build) because parsing is.
 */
let loadedParse: typeof CsvParseSync.parse | undefined;
function csvParse(): typeof CsvParseSync.parse {
  return (loadedParse ??= (createRequire(import.meta.url)('csv-parse/sync') as typeof CsvParseSync).parse);
}

const PATH_COLUMNS = [
  'clientsideoriginalfilepath',
  'clientsidefileoriginalfilepath',
  'originalfilepath',
  'originalpath',
  'filepath',
  'relativepath',
  'path',
  'fullpath',
  'filename',
  'file',
  'identifier',
  'name',
];
const GENERIC_CHECKSUM_COLUMNS = new Set([
  'checksum',
  'hash',
  'digest',
  'fixity',
  'checksumvalue',
  'hashvalue',
  'digestvalue',
  'messagedigest',
]);
const ALGORITHM_PREFIXES = ['', 'checksum', 'hash', 'digest', 'fixity'];
const ALGORITHM_SUFFIXES = [
  '',
  'checksum',
  'hash',
  'digest',
  'sum',
  'value',
  'checksumvalue',
  'hashvalue',
  'fixity',
  'clientsidechecksum',
];
const ALGORITHM_COLUMNS = new Set([
  'algorithm',
  'hashalgorithm',
  'checksumalgorithm',
  'digestalgorithm',
  'checksumtype',
  'hashtype',
]);
const DELIMITERS = [',', ';', '\t'] as const;

interface ChecksumColumn {
  readonly index: number;
  readonly header: string;
  /** Undefined for a generic column: decided per row. */
  readonly algorithm: string | undefined;
}

/** Where the interesting columns of a CSV are. */
export interface CsvLayout {
  readonly delimiter: string;
  readonly width: number;
  readonly pathColumn: number | undefined;
  readonly checksumColumns: readonly ChecksumColumn[];
  readonly algorithmColumn: number | undefined;
  readonly typeColumn: number | undefined;
  readonly uriColumn: number | undefined;
}

/** A layout is usable when it has a path and at least one checksum column. */
function isUsable(layout: CsvLayout): boolean {
  return layout.pathColumn !== undefined && layout.checksumColumns.length > 0;
}

/**
 * Reads the header line with each delimiter and keeps the reading that finds
 * the columns we need (the most columns when several do). Returns the best
 * partial layout when none is usable, so the caller can say what is missing,
 * or undefined when the line is not a CSV header at all.
 */
export function detectCsvLayout(headerLine: string): CsvLayout | undefined {
  let best: CsvLayout | undefined;
  for (const delimiter of DELIMITERS) {
    const fields = parseHeader(headerLine, delimiter);
    if (fields === undefined || fields.length < 2) continue;
    const layout = layoutOf(fields, delimiter);
    if (best === undefined || rank(layout) > rank(best)) best = layout;
  }
  return best !== undefined && rank(best) > 0 ? best : undefined;
}

function rank(layout: CsvLayout): number {
  const found = (layout.pathColumn === undefined ? 0 : 1) + (layout.checksumColumns.length > 0 ? 1 : 0);
  // Found columns first, then the delimiter that splits the header finest.
  return found === 0 ? 0 : found * 10_000 + layout.width;
}

function parseHeader(line: string, delimiter: string): string[] | undefined {
  try {
    const records = csvParse()(line, { delimiter, record_delimiter: '\n', relax_column_count: true }) as string[][];
    return records.length === 1 ? records[0] : undefined;
  } catch {
    return undefined;
  }
}

function layoutOf(fields: readonly string[], delimiter: string): CsvLayout {
  const names = fields.map(squash);
  let pathColumn: number | undefined;
  let pathRank = PATH_COLUMNS.length;
  const checksumColumns: ChecksumColumn[] = [];
  let algorithmColumn: number | undefined;
  let typeColumn: number | undefined;
  let uriColumn: number | undefined;
  names.forEach((name, index) => {
    const header = fields[index] ?? '';
    const pathIndex = PATH_COLUMNS.indexOf(name);
    if (pathIndex >= 0 && pathIndex < pathRank) {
      pathColumn = index;
      pathRank = pathIndex;
    } else if (GENERIC_CHECKSUM_COLUMNS.has(name)) {
      checksumColumns.push({ index, header, algorithm: undefined });
    } else if (ALGORITHM_COLUMNS.has(name)) {
      algorithmColumn ??= index;
    } else if (name === 'type') {
      typeColumn ??= index;
    } else if (name === 'uri') {
      uriColumn ??= index;
    } else {
      const algorithm = algorithmInColumnName(name);
      if (algorithm !== undefined) checksumColumns.push({ index, header, algorithm });
    }
  });
  return { delimiter, width: fields.length, pathColumn, checksumColumns, algorithmColumn, typeColumn, uriColumn };
}

function algorithmInColumnName(name: string): string | undefined {
  for (const prefix of ALGORITHM_PREFIXES) {
    if (!name.startsWith(prefix)) continue;
    for (const suffix of ALGORITHM_SUFFIXES) {
      if (!name.endsWith(suffix) || name.length <= prefix.length + suffix.length) continue;
      const algorithm = canonicalAlgorithm(name.slice(prefix.length, name.length - suffix.length));
      if (algorithm !== undefined) return algorithm;
    }
  }
  return undefined;
}

interface CsvRecord {
  readonly record: string[];
  readonly raw: string;
}

/**
 * Parses the CSV from its header line on. `text` starts at the header, which
 * is line `firstLine` of the file; its line endings are already plain LF, so
 * line numbers can be counted from each record's raw text (csv-parse counts
 * differently around CRLF and quoted newlines).
 */
export function parseCsvManifest(
  text: string,
  firstLine: number,
  layout: CsvLayout,
  fileName: string,
  collector: EntryCollector,
): void {
  if (!isUsable(layout)) {
    const missing =
      layout.pathColumn === undefined
        ? `no path column (one of: ${PATH_COLUMNS.join(', ')})`
        : 'no checksum column (named like sha256, SHA256_HASH, md5, checksum or hash)';
    throw new ManifestError(fileName, firstLine, `CSV header has ${missing}: ${quoteText(text.split('\n', 1)[0] ?? '')}`);
  }
  let records: CsvRecord[];
  // Lines taken by the records read so far: when parsing fails, the record
  // that failed starts on the next line.
  let consumed = 0;
  try {
    records = csvParse()(text, {
      delimiter: layout.delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      raw: true,
      on_record: (record, context) => {
        consumed += countNewlines(context.raw ?? '');
        return record;
      },
    }) as unknown as CsvRecord[];
  } catch (error) {
    throw csvSyntaxError(error, firstLine, firstLine + consumed, fileName);
  }
  const pathColumn = layout.pathColumn ?? 0;
  let line = firstLine;
  for (let r = 0; r < records.length; r++) {
    const { record, raw } = records[r] as CsvRecord;
    const here = line;
    line += countNewlines(raw);
    if (r === 0 || record.every((field) => field.trim() === '')) continue;
    if (record.length !== layout.width) {
      throw new ManifestError(
        fileName,
        here,
        `expected ${layout.width} fields as in the header, found ${record.length}: ${quoteText(raw.replace(/\n$/, ''))}`,
      );
    }
    const uri = layout.uriColumn === undefined ? '' : (record[layout.uriColumn] ?? '').trim();
    if (uri !== '' && !/^file:/i.test(uri)) continue;
    const checksums = rowChecksums(record, layout, fileName, here);
    if (checksums === undefined) {
      const type = layout.typeColumn === undefined ? '' : (record[layout.typeColumn] ?? '');
      if (type.trim().toLowerCase() === 'folder') continue;
      const columns = layout.checksumColumns.map((column) => column.header).join(', ');
      throw new ManifestError(fileName, here, `no checksum in ${columns} for ${quoteText(record[pathColumn] ?? '')}`);
    }
    let path = record[pathColumn] ?? '';
    if (path === '') throw new ManifestError(fileName, here, `empty path: ${quoteText(raw.replace(/\n$/, ''))}`);
    // A Windows export (`sub\a.txt`, `C:\x\a.txt`): on Windows `\` and `/`
    // are the same separator, and `\` in a real POSIX name is rare enough
    // that a path with `\` and no `/` is taken to be Windows-style.
    if (path.includes('\\') && !path.includes('/')) path = path.replaceAll('\\', '/');
    for (const algorithm in checksums) collector.add(path, algorithm, checksums[algorithm] as string, here);
  }
}

const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field goes on after its closing quote (a quote inside a field is written "")',
  INVALID_OPENING_QUOTE: 'a quote in the middle of an unquoted field (such a field must be quoted, and the quote written "")',
};

/**
 * csv-parse counts lines from the header (not the file) and reports an
 * unclosed quote where the file ends; say instead where the broken record
 * starts, in the file's numbering.
 */
function csvSyntaxError(error: unknown, firstLine: number, recordLine: number, fileName: string): ManifestError {
  const { code, lines } = error as { code?: unknown; lines?: unknown };
  const problem =
    (typeof code === 'string' ? CSV_PROBLEMS[code] : undefined) ??
    (error instanceof Error ? error.message : String(error)).replace(/ at line \d+/g, '');
  const line = code === 'CSV_QUOTE_NOT_CLOSED' || typeof lines !== 'number' ? recordLine : firstLine + lines - 1;
  return new ManifestError(fileName, line, `not valid CSV: ${problem}`);
}

function rowChecksums(
  record: readonly string[],
  layout: CsvLayout,
  fileName: string,
  line: number,
): Record<string, string> | undefined {
  let checksums: Record<string, string> | undefined;
  const from: Record<string, string> = {};
  for (const column of layout.checksumColumns) {
    const value = (record[column.index] ?? '').trim();
    if (value === '') continue;
    const algorithm = column.algorithm ?? rowAlgorithm(record, layout, value, fileName, line);
    const result = normaliseChecksum(algorithm, value);
    if ('problem' in result) {
      throw new ManifestError(fileName, line, `${result.problem} in column ${quoteText(column.header)}: ${quoteText(value)}`);
    }
    checksums ??= {};
    const previous = checksums[algorithm];
    if (previous !== undefined && previous !== result.ok) {
      throw new ManifestError(
        fileName,
        line,
        `columns ${quoteText(from[algorithm] ?? '')} and ${quoteText(column.header)} give different ${algorithm} checksums`,
      );
    }
    checksums[algorithm] = result.ok;
    from[algorithm] ??= column.header;
  }
  return checksums;
}

function rowAlgorithm(record: readonly string[], layout: CsvLayout, value: string, fileName: string, line: number): string {
  const named = layout.algorithmColumn === undefined ? '' : (record[layout.algorithmColumn] ?? '').trim();
  if (named !== '') {
    const algorithm = canonicalAlgorithm(named);
    if (algorithm === undefined) throw new ManifestError(fileName, line, `unsupported algorithm ${quoteText(named)}`);
    return algorithm;
  }
  const algorithm = algorithmFromLength(value.length);
  if (algorithm === undefined) {
    throw new ManifestError(
      fileName,
      line,
      `a checksum of ${value.length} characters is none of the algorithms told apart by length ` +
        `(${LENGTH_TABLE}): ${quoteText(value)}`,
    );
  }
  return algorithm;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
