import { styleText } from 'node:util';
import { DIGEST_HEX_LENGTH, isChecksumAlgorithm, type FormatResult, type ResultEnvelope, type Verdict } from '@tdr/checks';
import { formatBytes, formatDuration, printablePath } from './human.js';
import type { ReportEntry, ReportFormat, RunInfo, RunSummary } from './types.js';

const VERDICT_STYLE: Record<Verdict, 'green' | 'yellow' | 'red'> = { pass: 'green', warn: 'yellow', fail: 'red' };

/**
 * For people: one line per file (verdict, size, first checksum, path), the
 * reasons indented under it, a summary at the end. With `onlyProblems`
 * (`--quiet`) files that passed are left out.
 */
export class TableFormat implements ReportFormat {
  readonly #color: boolean;
  readonly #onlyProblems: boolean;
  #algorithm: string | undefined;
  #withFormat = false;

  constructor(options: { color: boolean; onlyProblems: boolean }) {
    this.#color = options.color;
    this.#onlyProblems = options.onlyProblems;
  }

  start(info: RunInfo): string {
    this.#algorithm = info.algorithms[0];
    this.#withFormat = info.checks.some((check) => check.name === 'format');
    // Said before any file, where nobody can miss it: a scan that did not happen is not a clean scan.
    return Object.entries(info.notRun ?? {})
      .map(([check, why]) => `${this.#paint(`${check} did not run`, 'yellow')}: ${why}\n`)
      .join('');
  }

  entry({ report, judgement }: ReportEntry): string {
    if (this.#onlyProblems && judgement.verdict === 'pass') return '';
    const verdict = this.#paint(judgement.verdict.padEnd(4), VERDICT_STYLE[judgement.verdict]);
    const size = (report.size === null ? '-' : formatBytes(report.size)).padStart(10);
    const digest = this.#digest(report.results['checksum']);
    const columns = [verdict, size, ...(digest === undefined ? [] : [digest]), ...(this.#withFormat ? [puidOf(report.results['format'])] : []), printablePath(report.path)];
    const reasons = judgement.reasons.map((reason) => `      ${this.#paint('└', 'gray')} ${reason.code}: ${reason.message}\n`);
    return `${columns.join('  ')}\n${reasons.join('')}`;
  }

  end(summary: RunSummary): string {
    return `${summaryLine(summary)}\n`;
  }

  /** The first algorithm's digest, or a dash as wide as one, so paths line up. */
  #digest(checksum: ResultEnvelope | undefined): string | undefined {
    const algorithm = this.#algorithm;
    if (algorithm === undefined) return undefined;
    if (checksum?.status === 'completed') return String((checksum.result as Record<string, unknown>)[algorithm]);
    return '-'.padEnd(isChecksumAlgorithm(algorithm) ? DIGEST_HEX_LENGTH[algorithm] : 1);
  }

  #paint(text: string, style: 'green' | 'yellow' | 'red' | 'gray'): string {
    return this.#color ? styleText(style, text) : text;
  }
}

/** The PUID column: the format, `unknown`, `2 formats`, or `-` when the check did not complete; padded so paths line up. */
function puidOf(envelope: ResultEnvelope | undefined): string {
  if (envelope?.status !== 'completed') return '-'.padEnd(10);
  const matches = (envelope.result as FormatResult).matches;
  const text = matches.length === 0 ? 'unknown' : matches.length === 1 ? matches[0].puid : `${matches.length} formats`;
  return text.padEnd(10);
}

/** "3 files, 1.20 MiB in 410 ms: 1 pass, 1 warn, 1 fail; 1 with errors" */
export function summaryLine(summary: RunSummary): string {
  const rate = summary.durationMs > 0 ? ` (${formatBytes((summary.bytes / summary.durationMs) * 1000)}/s)` : '';
  const errors = summary.errors > 0 ? `; ${summary.errors} could not be checked fully (see errors)` : '';
  return (
    `${summary.files} ${summary.files === 1 ? 'file' : 'files'}, ${formatBytes(summary.bytes)} in ${formatDuration(summary.durationMs)}${rate}: ` +
    `${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail${errors}`
  );
}
