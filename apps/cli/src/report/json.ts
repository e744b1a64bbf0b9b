import { reportLine } from './jsonl.js';
import type { ReportEntry, ReportFormat, RunInfo, RunSummary } from './types.js';

/** One JSON document: the run's details, every file (as in jsonl), and a summary. Written as it goes. */
export class JsonFormat implements ReportFormat {
  #first = true;

  start(info: RunInfo): string {
    const head = JSON.stringify({ tool: info.tool, startedAt: info.startedAt, policy: info.policy, checks: info.checks, ...(info.notRun ? { notRun: info.notRun } : {}) }, null, 2);
    return `${head.slice(0, -2)},\n  "files": [`;
  }

  entry(entry: ReportEntry): string {
    const separator = this.#first ? '\n' : ',\n';
    this.#first = false;
    return `${separator}    ${JSON.stringify(reportLine(entry))}`;
  }

  end(summary: RunSummary): string {
    return `${this.#first ? '' : '\n  '}],\n  "summary": ${JSON.stringify(summary)}\n}\n`;
  }
}
