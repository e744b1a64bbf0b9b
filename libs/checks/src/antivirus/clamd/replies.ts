/**
 * clamd's answers, read. They are plain text (`<name>: <answer>`), so every
 * form clamd is known to send is listed here, and anything else is an
 * error, never a clean result.
 */

/** What `VERSION` says: `ClamAV 1.4.6/27456/Mon Nov 23 09:30:02 2026`. */
export interface ClamdVersion {
  /** The engine version, `1.4.6`. */
  readonly engine: string;
  /** The daily database's version, `27456`; absent when clamd loaded no official database (a test database). */
  readonly database?: string;
  /** When that database was built (ISO 8601), when clamd said. */
  readonly databaseDate?: string;
  /** The reply as clamd sent it. */
  readonly raw: string;
}

/** Reads a `VERSION` reply. @throws Error when it is not one. */
export function parseVersion(reply: string): ClamdVersion {
  const raw = reply.trim();
  const match = /^ClamAV ([^/\s]+)(?:\/(\d+)(?:\/(.+))?)?$/.exec(raw);
  if (!match) throw new Error(`clamd answered VERSION with "${raw}", which is not "ClamAV <version>/<database>/<date>"`);
  const [, engine, database, date] = match;
  const parsed = date === undefined ? Number.NaN : Date.parse(`${date.trim()} UTC`);
  return {
    engine,
    ...(database === undefined ? {} : { database }),
    ...(Number.isNaN(parsed) ? {} : { databaseDate: new Date(parsed).toISOString() }),
    raw,
  };
}

/** A scan's answer, read. */
export type ScanReply =
  | { readonly kind: 'clean' }
  | { readonly kind: 'found'; readonly signatures: readonly string[] }
  /** clamd scanned, but stopped at one of its limits (reported only with `AlertExceedsMax yes`). */
  | { readonly kind: 'limit'; readonly signatures: readonly string[] }
  | { readonly kind: 'error'; readonly reason: ScanErrorReason; readonly message: string };

/** Why clamd could not scan, as far as its message tells. */
export type ScanErrorReason = 'not-found' | 'access-denied' | 'stream-limit' | 'other';

/** Signature names clamd gives when a scan hit MaxFileSize, MaxScanSize, MaxRecursion, MaxFiles, MaxScanTime … */
export const LIMIT_SIGNATURE_PREFIX = 'Heuristics.Limits.Exceeded';

/**
 * Reads the answer to `SCAN` or `INSTREAM` (without the session's `<id>: `
 * prefix): `<name>: OK`, `<name>: <signature> FOUND`, `<name>: <message>
 * ERROR`, or a bare
 * `INSTREAM size limit exceeded. ERROR`. `name` (the path scanned, or
 * `stream`) is taken off the front of error messages.
 */
export function parseScanReply(reply: string, name?: string): ScanReply {
  // Only NUL separates answers (z-commands): a file name may hold newlines, and ": OK" too, so an
  // answer is read from its end, where clamd puts the verdict.
  const lines = reply.split('\0').filter((line) => line.trim() !== '');
  if (lines.length === 0) return { kind: 'error', reason: 'other', message: 'clamd sent an empty answer' };
  const found: string[] = [];
  for (const line of lines) {
    if (line.endsWith(' ERROR')) {
      const text = line.slice(0, -' ERROR'.length);
      return { kind: 'error', reason: errorReason(line), message: name !== undefined && text.startsWith(`${name}: `) ? text.slice(name.length + 2) : text };
    }
    if (line.endsWith(' FOUND')) {
      found.push(signatureOf(line.slice(0, -' FOUND'.length)));
      continue;
    }
    if (line.endsWith(': OK') && lines.length === 1) return { kind: 'clean' };
    return { kind: 'error', reason: 'other', message: `clamd answered "${line}", which is neither OK, FOUND nor ERROR` };
  }
  // A limit reached is not a finding about the file's content (the part past the limit was never looked
  // at), so it is no infection; but a real signature found beside it is.
  const signatures = found.filter((name) => !name.startsWith(LIMIT_SIGNATURE_PREFIX));
  if (signatures.length < found.length && signatures.length === 0) return { kind: 'limit', signatures: found };
  return { kind: 'found', signatures };
}

/** `/path/to/a b.txt: Eicar-Signature` → `Eicar-Signature` (the name may hold `: `; a signature name does not). */
function signatureOf(text: string): string {
  const at = text.lastIndexOf(': ');
  return (at < 0 ? text : text.slice(at + 2)).trim();
}

function errorReason(line: string): ScanErrorReason {
  if (/INSTREAM size limit exceeded/i.test(line)) return 'stream-limit';
  if (/No such file or directory|lstat\(\) failed|File path check failure: Not a directory/i.test(line)) return 'not-found';
  if (/Access denied|Permission denied|Can't open file/i.test(line)) return 'access-denied';
  return 'other';
}
