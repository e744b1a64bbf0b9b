import type { ReportEntry, ReportFormat } from './types.js';

/**
 * The machine-readable line of one file, as DESIGN.md fixes it (other tools
 * parse it): path, size, verdict, reasons, and each check's envelope.
 */
export function reportLine({ report, judgement }: ReportEntry): object {
  return {
    path: report.path,
    size: report.size,
    verdict: judgement.verdict,
    reasons: judgement.reasons,
    checks: report.results,
    // Only when a check that normally runs did not: the line says so itself.
    ...(report.notRun ? { notRun: report.notRun } : {}),
  };
}

/** One JSON object per line, nothing else: `jq`, `grep` and streaming parsers read it. */
export class JsonLinesFormat implements ReportFormat {
  start(): string {
    return '';
  }

  entry(entry: ReportEntry): string {
    return `${JSON.stringify(reportLine(entry))}\n`;
  }

  end(): string {
    return '';
  }
}
