import { readFile } from 'node:fs/promises';

/** Where Debian's clamav-daemon keeps clamd's configuration. */
export const DEBIAN_CLAMD_CONF = '/etc/clamav/clamd.conf';

/** The clamd.conf settings that decide whether a scan covers a whole file, and where clamd listens. */
export interface ClamdConf {
  readonly path: string;
  readonly localSocket?: string;
  readonly tcpSocket?: number;
  /** Bytes; clamd's defaults when the file does not set them. */
  readonly maxFileSize: number;
  readonly maxScanSize: number;
  readonly streamMaxLength: number;
  /** Whether clamd reports a limit it reached (`Heuristics.Limits.Exceeded…`) instead of answering OK. */
  readonly alertExceedsMax: boolean;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `100M` → 104857600, as clamd reads SIZE options; `0` means no limit (Infinity). */
export function parseClamdSize(text: string): number {
  const match = /^(\d+)([kKmMgG]?)$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a clamd size (a number, optionally followed by K, M or G)`);
  const value = Number(match[1]) * (SIZE_UNITS[match[2].toUpperCase()] ?? 1);
  return value === 0 ? Number.POSITIVE_INFINITY : value;
}

/**
 * Reads a clamd.conf (`Option value` lines, `#` comments). Defaults are
 * clamd 1.x's: MaxFileSize 100M, MaxScanSize 400M, StreamMaxLength 100M,
 * AlertExceedsMax no.
 * @throws what reading the file throws (ENOENT, EACCES), or RangeError for a size it cannot read.
 */
export async function readClamdConf(path: string): Promise<ClamdConf> {
  const settings = new Map<string, string>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (match && !line.trimStart().startsWith('#')) settings.set(match[1].toLowerCase(), match[2]);
  }
  const size = (name: string, fallback: string): number => parseClamdSize(settings.get(name.toLowerCase()) ?? fallback);
  const tcp = settings.get('tcpsocket');
  const socket = settings.get('localsocket');
  return {
    path,
    ...(socket === undefined ? {} : { localSocket: socket }),
    ...(tcp === undefined ? {} : { tcpSocket: Number(tcp) }),
    maxFileSize: size('MaxFileSize', '100M'),
    maxScanSize: size('MaxScanSize', '400M'),
    streamMaxLength: size('StreamMaxLength', '100M'),
    alertExceedsMax: /^(yes|true|1)$/i.test(settings.get('alertexceedsmax') ?? 'no'),
  };
}
