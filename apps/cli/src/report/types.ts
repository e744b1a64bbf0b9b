import type { FileReport, Judgement, ToolInfo } from '@tdr/checks';

/** One file's line of the report: what the checks found and what the policy made of it. */
export interface ReportEntry {
  readonly report: FileReport;
  readonly judgement: Judgement;
}

/** What a report says about the run as a whole, before the first file. */
export interface RunInfo {
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly policy: string;
  /** Each check's name, version and tool, in report order. */
  readonly checks: ReadonlyArray<{ readonly name: string; readonly version: string; readonly tool: ToolInfo }>;
  /** Checks that normally run but did not in this run, with why (`antivirus`: no clamd answered). */
  readonly notRun?: Readonly<Record<string, string>>;
  /** The checksum algorithms computed, in column order. */
  readonly algorithms: readonly string[];
}

export interface RunSummary {
  readonly files: number;
  readonly bytes: number;
  readonly pass: number;
  readonly warn: number;
  readonly fail: number;
  /** Files for which at least one check could not decide. */
  readonly errors: number;
  readonly durationMs: number;
}

/** Turns a run into text, piece by piece, so a report of a million files is never held whole. */
export interface ReportFormat {
  start(info: RunInfo): string;
  entry(entry: ReportEntry): string;
  end(summary: RunSummary): string;
}

export const REPORT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];
