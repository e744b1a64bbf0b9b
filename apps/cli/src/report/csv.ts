import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AntivirusResult, ChecksumResult, FormatResult, ResultEnvelope } from '@tdr/checks';
import type { ReportEntry, ReportFormat, RunInfo } from './types.js';

/**
 * DROID's CSV export columns, in DROID's order, so scripts written for a
 * DROID export read ours unchanged; tdr-checks' own columns follow. The
 * format columns describe the first format identified (DROID's order);
 * FORMAT_COUNT says how many there were and ALL_PUIDS lists them.
 */
const DROID_COLUMNS = [
  'ID',
  'PARENT_ID',
  'URI',
  'FILE_PATH',
  'NAME',
  'METHOD',
  'STATUS',
  'SIZE',
  'TYPE',
  'EXT',
  'LAST_MODIFIED',
  'EXTENSION_MISMATCH',
  'HASH',
  'FORMAT_COUNT',
  'PUID',
  'MIME_TYPE',
  'FORMAT_NAME',
  'FORMAT_VERSION',
] as const;
const OWN_COLUMNS = ['RELATIVE_PATH', 'VERDICT', 'REASONS', 'ERRORS', 'ALL_PUIDS', 'PASSWORD_PROTECTED', 'EXECUTABLE', 'INFECTED', 'VIRUS'] as const;

/** RFC 4180 field: always quoted, as DROID writes them; quotes doubled; newlines kept inside quotes. */
function field(value: string | number | undefined): string {
  return `"${String(value ?? '').replace(/"/g, '""')}"`;
}

/** DROID's STATUS words for why a file was not read. */
function status(results: readonly ResultEnvelope[]): string {
  const failed = results.find((envelope) => envelope.status === 'error');
  if (!failed || failed.status !== 'error') return 'Done';
  if (failed.error.code === 'FILE_NOT_FOUND') return 'Not found';
  if (failed.error.code === 'PERMISSION_DENIED') return 'Access denied';
  return 'Error';
}

function completed<T>(envelope: ResultEnvelope | undefined): T | undefined {
  return envelope?.status === 'completed' ? (envelope.result as T) : undefined;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

export class CsvFormat implements ReportFormat {
  #algorithms: readonly string[] = [];
  #id = 0;

  start(info: RunInfo): string {
    this.#algorithms = info.algorithms;
    const [first, ...others] = this.#algorithms;
    // DROID names its hash column after the algorithm (SHA256_HASH); further algorithms get columns at the end.
    const header = [
      ...DROID_COLUMNS.map((column) => (column === 'HASH' && first ? `${first.toUpperCase()}_HASH` : column)),
      ...OWN_COLUMNS,
      ...others.map((algorithm) => `${algorithm.toUpperCase()}_HASH`),
    ];
    return `${header.map(field).join(',')}\n`;
  }

  entry({ report, judgement }: ReportEntry): string {
    const results = Object.values(report.results);
    const checksum = report.results['checksum'];
    const digests = (checksum?.status === 'completed' ? checksum.result : {}) as ChecksumResult;
    const digest = (algorithm: string | undefined) => (algorithm ? (digests as Record<string, unknown>)[algorithm] : undefined);
    const name = basename(report.path);
    const [first, ...others] = this.#algorithms;
    const errors = results.flatMap((envelope) => (envelope.status === 'error' ? [`${envelope.check}: ${envelope.error.code}`] : []));
    const format = completed<FormatResult>(report.results['format']);
    const identified = format?.matches[0];
    const flags = completed<{ passwordProtected: boolean; executable: boolean }>(report.results['flags']);
    const antivirus = completed<AntivirusResult>(report.results['antivirus']);
    const row: Record<(typeof DROID_COLUMNS)[number] | (typeof OWN_COLUMNS)[number], string | number | undefined> = {
      ID: ++this.#id,
      PARENT_ID: '',
      URI: report.localPath ? pathToFileURL(report.localPath).href : '',
      FILE_PATH: report.localPath ?? report.path,
      NAME: name,
      METHOD: identified?.method ?? '',
      STATUS: report.missing ? 'Not found' : status(results),
      SIZE: report.size ?? '',
      TYPE: 'File',
      EXT: extensionOf(name),
      LAST_MODIFIED: report.lastModified?.replace(/\.\d+Z$/, '') ?? '',
      EXTENSION_MISMATCH: format ? String(format.extensionMismatch) : '',
      HASH: digest(first) as string | undefined,
      FORMAT_COUNT: format?.matches.length ?? '',
      PUID: identified?.puid ?? '',
      MIME_TYPE: identified?.mimeType ?? '',
      FORMAT_NAME: identified?.formatName ?? '',
      FORMAT_VERSION: identified?.formatVersion ?? '',
      RELATIVE_PATH: report.path,
      VERDICT: judgement.verdict,
      REASONS: judgement.reasons.map((reason) => reason.code).join(' '),
      ERRORS: errors.join('; '),
      ALL_PUIDS: format?.matches.map((match) => match.puid).join(' ') ?? '',
      PASSWORD_PROTECTED: flags ? String(flags.passwordProtected) : '',
      EXECUTABLE: flags ? String(flags.executable) : '',
      // Empty when not scanned (antivirus did not run, or could not scan): never "false".
      INFECTED: antivirus ? String(antivirus.infected) : '',
      VIRUS: antivirus?.signatures.join(' ') ?? '',
    };
    const values = [...DROID_COLUMNS, ...OWN_COLUMNS].map((column) => field(row[column]));
    for (const algorithm of others) values.push(field(digest(algorithm) as string | undefined));
    return `${values.join(',')}\n`;
  }

  end(): string {
    return '';
  }
}
