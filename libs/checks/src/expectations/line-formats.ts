/**
 * The three line-oriented formats: BagIt manifests, GNU coreutils `*sum`
 * output and BSD-style tagged lines. Each parser takes one line (without its
 * line ending) and returns what it says or throws a ManifestError: a line
 * that cannot be read is never skipped, because a skipped line is a file
 * whose checksum nobody verifies.
 */
import {
  LENGTH_TABLE,
  TAGGED_ALGORITHMS,
  algorithmFromLength,
  canonicalAlgorithm,
  normaliseChecksum,
} from './algorithms.js';
import { ManifestError, quoteText } from './manifest-error.js';

/** What one line says. */
export interface ManifestLine {
  readonly path: string;
  readonly algorithm: string;
  readonly checksum: string;
}

/** Where a line came from, for errors. */
export interface LineSource {
  readonly fileName: string;
  readonly line: number;
}

const HEX_RUN = /^[0-9A-Fa-f]+$/;

/** Whether a line is a GNU line (escaped or not), so the whole file is read as GNU. */
export function looksLikeGnu(line: string): boolean {
  return /^\\?[0-9A-Fa-f]+ [ *]/.test(line);
}

/** Whether a line is a BSD / `--tag` / OpenSSL line, so the whole file is read as BSD. */
export function looksLikeBsd(line: string): boolean {
  return BSD_HEAD.test(line) && (line.includes(') = ') || line.includes(')= '));
}

/**
 * `sha256sum` output: `<hex> <space or *><path>`. When a name holds a
 * backslash, LF or CR, coreutils starts the line with `\` and writes them as
 * `\\`, `\n`, `\r`; any other escape cannot come from coreutils, so it is an
 * error rather than a guess.
 */
export function parseGnuLine(line: string, source: LineSource): ManifestLine {
  const escaped = line.startsWith('\\');
  const start = escaped ? 1 : 0;
  const space = line.indexOf(' ', start);
  const hex = space < 0 ? '' : line.slice(start, space);
  const mode = line[space + 1];
  const rawPath = line.slice(space + 2);
  if (space < 0 || !HEX_RUN.test(hex) || (mode !== ' ' && mode !== '*') || rawPath === '') {
    throw new ManifestError(source.fileName, source.line, `expected "<checksum>  <path>", found ${quoteText(line)}`);
  }
  const algorithm = algorithmFromLength(hex.length);
  if (algorithm === undefined) {
    throw new ManifestError(
      source.fileName,
      source.line,
      `a checksum of ${hex.length} hex digits is none of the algorithms told apart by length (${LENGTH_TABLE}): ${quoteText(line)}`,
    );
  }
  const path = escaped ? unescapeCoreutils(rawPath, line, source) : rawPath;
  return { path, algorithm, checksum: checked(algorithm, hex, line, source) };
}

/** `ALG (` for BSD and `--tag`, `ALG(` for OpenSSL `dgst`. */
const BSD_HEAD = /^\\?([A-Za-z][A-Za-z0-9_/-]*)( ?)\(/;

/**
 * `SHA256 (path) = <hex>` as written by `sha256sum --tag`, BSD `sha256` and
 * macOS `md5`; also `SHA256(path)= <hex>` as written by `openssl dgst`, since
 * that is the other tool people reach for. The path runs from the first `(`
 * to the last `) = `, so names holding parentheses or `) = ` still parse.
 * coreutils escapes these lines the same way as GNU lines.
 */
export function parseBsdLine(line: string, source: LineSource): ManifestLine {
  const head = BSD_HEAD.exec(line);
  const separator = head?.[2] === ' ' ? ') = ' : ')= ';
  const pathStart = head === null ? -1 : head[0].length;
  const pathEnd = line.lastIndexOf(separator);
  const hex = line.slice(pathEnd + separator.length);
  if (head === null || pathEnd < pathStart || !HEX_RUN.test(hex)) {
    throw new ManifestError(
      source.fileName,
      source.line,
      `expected "ALGORITHM (<path>) = <checksum>", found ${quoteText(line)}`,
    );
  }
  const tag = head[1] ?? '';
  const algorithm = canonicalAlgorithm(tag);
  if (algorithm === undefined || !TAGGED_ALGORITHMS.has(algorithm)) {
    throw new ManifestError(
      source.fileName,
      source.line,
      `unsupported algorithm ${quoteText(tag)} (supported: ${[...TAGGED_ALGORITHMS].join(', ')})`,
    );
  }
  const rawPath = line.slice(pathStart, pathEnd);
  if (rawPath === '') {
    throw new ManifestError(source.fileName, source.line, `empty path in ${quoteText(line)}`);
  }
  const path = line.startsWith('\\') ? unescapeCoreutils(rawPath, line, source) : rawPath;
  return { path, algorithm, checksum: checked(algorithm, hex, line, source) };
}

/**
 * A line of a BagIt `manifest-<alg>.txt` (RFC 8493 §2.1.3): checksum, one or
 * more spaces or tabs, path. Only `%25`, `%0A` and `%0D` are decoded, in a
 * single pass, so `%250A` stays the literal text `%0A` as the writer meant.
 */
export function parseBagItLine(line: string, algorithm: string, source: LineSource): ManifestLine {
  let gap = 0;
  while (gap < line.length && line[gap] !== ' ' && line[gap] !== '\t') gap++;
  let pathStart = gap;
  while (pathStart < line.length && (line[pathStart] === ' ' || line[pathStart] === '\t')) pathStart++;
  if (gap === 0 || gap === line.length || pathStart === line.length) {
    throw new ManifestError(source.fileName, source.line, `expected "<checksum> <path>", found ${quoteText(line)}`);
  }
  const path = line.slice(pathStart).replace(/%(25|0A|0D)/gi, (_match, code: string) => PERCENT[code.toUpperCase()] ?? '');
  return { path, algorithm, checksum: checked(algorithm, line.slice(0, gap), line, source) };
}

const PERCENT: Readonly<Record<string, string>> = { '25': '%', '0A': '\n', '0D': '\r' };

function checked(algorithm: string, value: string, line: string, source: LineSource): string {
  const result = normaliseChecksum(algorithm, value);
  if ('ok' in result) return result.ok;
  throw new ManifestError(source.fileName, source.line, `${result.problem}: ${quoteText(line)}`);
}

function unescapeCoreutils(raw: string, line: string, source: LineSource): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else {
      throw new ManifestError(
        source.fileName,
        source.line,
        `invalid escape ${quoteText(next === undefined ? '\\' : `\\${next}`)} in an escaped line ` +
          `(only \\\\, \\n and \\r are written by coreutils): ${quoteText(line)}`,
      );
    }
  }
  return out;
}
