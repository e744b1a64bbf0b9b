import type { EngineProgress } from '@tdr/checks';
import { formatBytes, formatDuration } from './report/human.js';

/**
 * Progress for logs, where no bar can be drawn (standard error is a file or
 * a pipe: cron, CI, a container): one line every so often with the files
 * and bytes done and the rates, so a long run is seen to be alive. No
 * totals: without a terminal the listing is not waited for.
 */
export class ProgressLog {
  readonly #timer: NodeJS.Timeout;
  readonly #started = performance.now();

  constructor(progress: EngineProgress, everyMs: number, write: (line: string) => void) {
    this.#timer = setInterval(() => write(this.#line(progress)), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #line(progress: EngineProgress): string {
    const ms = performance.now() - this.#started;
    const seconds = ms / 1000;
    const files = progress.filesDone;
    return (
      `progress: ${files.toLocaleString('en-GB')} ${files === 1 ? 'file' : 'files'}, ${formatBytes(progress.bytesDone)} checked in ${formatDuration(ms)} ` +
      `(${Math.round(files / seconds).toLocaleString('en-GB')} files/s, ${formatBytes(progress.bytesDone / seconds)}/s)`
    );
  }
}
