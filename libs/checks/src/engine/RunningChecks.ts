import type { CheckError } from '../errors.js';
import type { CheckRun } from './CheckRun.js';

/**
 * The checks running now, and the one timer that stops those whose budget
 * is spent. One timer for all, set for the earliest deadline, rather than a
 * timer per check: a timer per small file cost 15% of the engine's time.
 * A run whose deadline moves tells `moved`: one that moved later is found
 * not yet due by the timer, which is then set again; one that moved earlier
 * (a held budget restarted) may need the timer sooner.
 * The timer holds the process open only while checks run (a check that
 * never settles, and holds nothing else open, still gets its TIMEOUT), and
 * is kept, unreferenced, across idle moments rather than remade per file.
 */
export class RunningChecks {
  readonly #runs = new Set<CheckRun>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  add(run: CheckRun): void {
    this.#runs.add(run);
    if (run.deadline < this.#timerAt) this.#schedule(run.deadline);
    else if (this.#runs.size === 1) this.#timer?.ref();
  }

  /** A run's deadline changed (its budget was held or restarted). */
  moved(run: CheckRun): void {
    if (this.#runs.has(run) && run.deadline < this.#timerAt) this.#schedule(run.deadline);
  }

  delete(run: CheckRun): void {
    this.#runs.delete(run);
    if (this.#runs.size === 0) this.#timer?.unref();
  }

  stopAll(reason: (run: CheckRun) => CheckError): void {
    for (const run of [...this.#runs]) run.stop(reason(run));
  }

  #schedule(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, at - performance.now()));
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const run of [...this.#runs]) {
      if (run.deadline <= now) run.stop(run.overrun());
      else if (run.deadline < next) next = run.deadline;
    }
    if (next < Infinity) this.#schedule(next);
  }
}
