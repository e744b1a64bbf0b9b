import { hasErrors, type FileReport } from '../engine/report.js';
import type { ChecksumResult } from '../checksum/checksumCheck.js';

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

/** A rule reads a report's facts and names what it finds; the policy decides how much each weighs. */
export type Rule = (report: FileReport) => Finding[];

/** Every reason code the built-in rules produce, with what it means (for `--help` and docs). */
export const REASON_CODES: Readonly<Record<string, string>> = {
  CheckError: 'a check could not decide (file unreadable, changed, timed out, …); never a pass',
  ChecksumMismatch: 'a computed checksum differs from the one the uploader declared',
  MissingFile: 'the manifest lists a file the folder does not hold',
  OutsideFolder: 'the manifest lists a path outside the folders being checked (not read)',
  NotInManifest: 'the folder holds a file the manifest does not list',
};

/** Reason codes a policy may not map to `pass`: an error or a missing file is never a pass. */
export const NEVER_PASS: ReadonlySet<string> = new Set(['CheckError', 'MissingFile']);

const checkErrors: Rule = (report) =>
  hasErrors(report)
    ? Object.values(report.results).flatMap((envelope) =>
        envelope.status === 'error'
          ? [{ code: 'CheckError', check: envelope.check, message: `${envelope.check}: ${envelope.error.message} (${envelope.error.code})` }]
          : [],
      )
    : [];

const checksums: Rule = (report) => {
  const envelope = report.results['checksum'];
  if (envelope?.status !== 'completed') return [];
  const result = envelope.result as ChecksumResult;
  if (result.unlisted) {
    return [{ code: 'NotInManifest', check: 'checksum', message: `not listed in ${report.expected?.source ?? 'the manifest'}` }];
  }
  if (result.matches !== false || !result.expected) return [];
  const differing = Object.entries(result.expected)
    .filter(([algorithm, value]) => result[algorithm as keyof ChecksumResult] !== value)
    .map(([algorithm, value]) => `${algorithm} is ${String(result[algorithm as keyof ChecksumResult])}, expected ${value}`);
  const source = report.expected?.source ? ` (${report.expected.source})` : '';
  return [{ code: 'ChecksumMismatch', check: 'checksum', message: `${differing.join('; ')}${source}` }];
};

const missing: Rule = (report) => {
  if (!report.missing) return [];
  return [{ code: report.missing.reason === 'outside-folder' ? 'OutsideFolder' : 'MissingFile', message: report.missing.message }];
};

/** The built-in rules, in the order their findings are listed. */
export const BUILT_IN_RULES: readonly Rule[] = [missing, checkErrors, checksums];
