/**
 * Why an expected-checksums file could not be read. Thrown for every problem
 * in the file itself (never for a bug), so a runner can turn it into a usage
 * error (exit code 2) that points at the file and the line to fix.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  /** The manifest's name as the caller gave it to `parseManifest`. */
  readonly fileName: string;
  /** 1-based line of the problem; undefined when it concerns the whole file (its name, its encoding). */
  readonly line: number | undefined;

  constructor(fileName: string, line: number | undefined, detail: string) {
    super(`${fileName}${line === undefined ? '' : ` line ${line}`}: ${detail}`);
    this.fileName = fileName;
    this.line = line;
  }
}

const MAX_QUOTED = 80;

/**
 * Quotes text from a manifest for an error message. File names may hold
 * anything, so control characters (and the bidirectional overrides that can
 * make a message read differently from what it says) are shown escaped rather
 * than allowed to break or spoof the terminal; long lines are cut.
 */
export function quoteText(text: string): string {
  const chars = Array.from(text);
  const shown = chars.length > MAX_QUOTED ? chars.slice(0, MAX_QUOTED) : chars;
  let out = '';
  for (const ch of shown) out += escapeControl(ch);
  return `"${out}${chars.length > MAX_QUOTED ? '…' : ''}"`;
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  ) {
    return `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return ch;
}
