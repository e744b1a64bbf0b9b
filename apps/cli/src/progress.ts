import cliProgress from 'cli-progress';
import type { EngineProgress } from '@tdr/checks';
import { formatBytes } from './report/human.js';

/**
 * A progress bar on standard error: files and bytes done, rate, ETA. Driven
 * by bytes (files differ in size by orders of magnitude; bytes predict the
 * time left). Polls the engine's counters, so checking never waits for it.
 */
export class ProgressDisplay {
  readonly #bar: cliProgress.SingleBar;
  readonly #timer: NodeJS.Timeout;
  readonly #progress: EngineProgress;
  readonly #totalFiles: number;
  readonly #started = performance.now();

  constructor(progress: EngineProgress, totalFiles: number, totalBytes: number) {
    this.#progress = progress;
    this.#totalFiles = totalFiles;
    this.#bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'checking {bar} {percentage}% | {files}/{totalFiles} files | {bytes}/{totalBytes} | {rate}/s | ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    // With no bytes to read (only empty files) files are the only measure.
    this.#bar.start(Math.max(totalBytes, 1), 0, this.#payload(totalBytes));
    this.#timer = setInterval(() => this.#update(totalBytes), 200);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#bar.stop();
  }

  #update(totalBytes: number): void {
    const value = totalBytes > 0 ? this.#progress.bytesDone : this.#progress.filesDone / Math.max(this.#totalFiles, 1);
    this.#bar.update(value, this.#payload(totalBytes));
  }

  #payload(totalBytes: number): Record<string, string | number> {
    const seconds = (performance.now() - this.#started) / 1000;
    return {
      files: this.#progress.filesDone,
      totalFiles: this.#totalFiles,
      bytes: formatBytes(this.#progress.bytesDone),
      totalBytes: formatBytes(totalBytes),
      rate: formatBytes(seconds > 0 ? this.#progress.bytesDone / seconds : 0),
    };
  }
}
