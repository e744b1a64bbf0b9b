import { CsvFormat } from './csv.js';
import { JsonFormat } from './json.js';
import { JsonLinesFormat } from './jsonl.js';
import { TableFormat } from './table.js';
import type { ReportFormat, ReportFormatName } from './types.js';

export function createReportFormat(name: ReportFormatName, options: { color: boolean; onlyProblems: boolean }): ReportFormat {
  switch (name) {
    case 'table':
      return new TableFormat(options);
    case 'json':
      return new JsonFormat();
    case 'jsonl':
      return new JsonLinesFormat();
    case 'csv':
      return new CsvFormat();
  }
}

export { summaryLine } from './table.js';
export { REPORT_FORMATS } from './types.js';
export type { ReportEntry, ReportFormat, ReportFormatName, RunInfo, RunSummary } from './types.js';
