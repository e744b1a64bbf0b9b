import type { CheckError } from '../errors.js';
import type { CheckErrorInfo, FileCheck } from '../types.js';

export type Outcome = { readonly result: unknown } | { readonly error: CheckErrorInfo };

/**
 * One check on one file: its deadline, its abort signal, and the single way
 * it ends (`finish` once; whatever comes later is ignored). The signal is
 * made only when the check asks for it: an AbortController costs more than
 * hashing a small file, and many checks finish without looking.
 */
export class CheckRun {
  readonly check: FileCheck;
  /** When its budget is spent (`performance.now()` time); Infinity while held (`holdBudget`). */
  deadline: number;
  /** Its budget in milliseconds. */
  readonly budgetMs: number;
  /** The error it ends with if it overruns (made only then). */
  readonly overrun: () => CheckError;
  readonly #settle: (outcome: Outcome) => void;
  #controller: AbortController | undefined;
  #stopped: CheckError | undefined;
  #done = false;

  constructor(check: FileCheck, budgetMs: number, overrun: () => CheckError, settle: (outcome: Outcome) => void) {
    this.check = check;
    this.budgetMs = budgetMs;
    this.deadline = performance.now() + budgetMs;
    this.overrun = overrun;
    this.#settle = settle;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#stopped);
    }
    return this.#controller.signal;
  }

  /** Stops the budget's clock (see `CheckContext.holdBudget`); not after it ended. */
  holdBudget(): void {
    if (!this.#done) this.deadline = Infinity;
  }

  /** Gives the check its whole budget again, from now (see `CheckContext.restartBudget`); not after it ended. */
  restartBudget(): void {
    if (!this.#done) this.deadline = performance.now() + this.budgetMs;
  }

  /** Ends the check now with `reason` and tells it, through its signal, to stop working. */
  stop(reason: CheckError): void {
    if (this.#done) return;
    this.#stopped = reason;
    this.#controller?.abort(reason);
    this.finish({ error: reason.toJSON() });
  }

  finish(outcome: Outcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(outcome);
  }
}
