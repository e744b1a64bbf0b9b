import type { AntivirusResult } from '../antivirus/result.js';
import type { ChecksumResult } from '../checksum/checksumCheck.js';
import { hasErrors, type FileReport } from '../engine/report.js';
import type { FlagsResult } from '../flags/result.js';
import type { FormatResult } from '../format/result.js';
import type { ResultEnvelope } from '../types.js';

/**
 * Why a file did not simply pass. The code is stable (other tools and
 * policies refer to it); the message explains this file's case.
 */
export interface Finding {
  readonly code: string;
  readonly message: string;
  /** The check whose result gave rise to it, when one did. */
  readonly check?: string;
}

/** The data rules consult: which formats and file names mean which reason. */
export interface RuleData {
  /** PUID → the reason codes it carries, with the format's name. */
  readonly formats: ReadonlyMap<string, ReadonlyArray<{ readonly code: string; readonly name: string }>>;
  /** Base-name patterns (case-insensitive) and the reason each carries. */
  readonly fileNames: ReadonlyArray<{ readonly code: string; readonly pattern: string; readonly test: (name: string) => boolean }>;
}

/** A rule reads a report's facts and names what it finds; the policy decides how much each weighs. */
export type Rule = (report: FileReport, data: RuleData) => Finding[];

const none: Finding[] = [];

function completed<T>(report: FileReport, check: string): T | undefined {
  const envelope: ResultEnvelope | undefined = report.results[check];
  return envelope?.status === 'completed' ? (envelope.result as T) : undefined;
}

const missing: Rule = (report) => {
  if (!report.missing) return none;
  return [{ code: report.missing.reason === 'outside-folder' ? 'OutsideFolder' : 'MissingFile', message: report.missing.message }];
};

const checkErrors: Rule = (report) => {
  if (!hasErrors(report)) return none;
  const findings: Finding[] = [];
  for (const envelope of Object.values(report.results)) {
    if (envelope.status === 'error') {
      findings.push({ code: 'CheckError', check: envelope.check, message: `${envelope.check}: ${envelope.error.message} (${envelope.error.code})` });
    }
  }
  return findings;
};

const checksums: Rule = (report) => {
  const result = completed<ChecksumResult>(report, 'checksum');
  if (!result) return none;
  if (result.unlisted) {
    return [{ code: 'NotInManifest', check: 'checksum', message: `not listed in ${report.expected?.source ?? 'the manifest'}` }];
  }
  if (result.matches !== false || !result.expected) return none;
  const differing = Object.entries(result.expected)
    .filter(([algorithm, value]) => result[algorithm as keyof ChecksumResult] !== value)
    .map(([algorithm, value]) => `${algorithm} is ${String(result[algorithm as keyof ChecksumResult])}, expected ${value}`);
  const source = report.expected?.source ? ` (${report.expected.source})` : '';
  return [{ code: 'ChecksumMismatch', check: 'checksum', message: `${differing.join('; ')}${source}` }];
};

const formats: Rule = (report, data) => {
  const result = completed<FormatResult>(report, 'format');
  if (!result) return none;
  if (result.matches.length === 0) return [{ code: 'Unidentified', check: 'format', message: 'no PRONOM format matched by signature, container or extension' }];
  const findings: Finding[] = [];
  if (result.matches.length > 1) {
    findings.push({
      code: 'MultipleFormats',
      check: 'format',
      message: `identified as ${result.matches.map((match) => `${match.puid} (${match.formatName})`).join(', ')}`,
    });
  }
  for (const match of result.matches) {
    for (const { code, name } of data.formats.get(match.puid) ?? []) {
      findings.push({ code, check: 'format', message: `${match.puid} (${name || match.formatName}) is on the ${code} list` });
    }
    if (match.extensionMismatch) {
      findings.push({
        code: 'ExtensionMismatch',
        check: 'format',
        message: `extension ${match.extension === '' ? '(none)' : `.${match.extension}`} is not one PRONOM lists for ${match.puid} (${match.formatName})`,
      });
    }
  }
  return findings;
};

const flags: Rule = (report) => {
  const result = completed<FlagsResult>(report, 'flags');
  if (!result) return none;
  const findings: Finding[] = [];
  if (result.passwordProtected) findings.push({ code: 'PasswordProtected', check: 'flags', message: result.passwordProtectedBasis ?? 'encrypted' });
  if (result.executable) findings.push({ code: 'Executable', check: 'flags', message: `${result.executableKind ?? 'executable'} header` });
  if (result.zeroBytes) findings.push({ code: 'ZeroByteFile', check: 'flags', message: 'the file is empty (0 bytes)' });
  return findings;
};

const antivirus: Rule = (report) => {
  const result = completed<AntivirusResult>(report, 'antivirus');
  if (!result?.infected) return none;
  const database = result.databaseVersion === undefined ? '' : `, database ${result.databaseVersion}`;
  return [{ code: 'VirusDetected', check: 'antivirus', message: `${result.signatures.join(', ')} (${result.software} ${result.softwareVersion}${database})` }];
};

const notRun: Rule = (report) => {
  if (!report.notRun) return none;
  return Object.entries(report.notRun).map(([check, why]) => ({
    code: check === 'antivirus' ? 'AntivirusNotRun' : 'CheckNotRun',
    check,
    message: `${check} did not run: ${why}`,
  }));
};

const fileNames: Rule = (report, data) => {
  if (data.fileNames.length === 0 || report.missing) return none;
  const name = report.path.slice(report.path.lastIndexOf('/') + 1);
  const findings: Finding[] = [];
  for (const { code, pattern, test } of data.fileNames) {
    if (test(name)) findings.push({ code, message: `the name ${JSON.stringify(name)} matches ${JSON.stringify(pattern)}` });
  }
  return findings;
};

/** The built-in rules, in the order their findings are listed. */
export const BUILT_IN_RULES: readonly Rule[] = [missing, checkErrors, checksums, formats, flags, antivirus, notRun, fileNames];
