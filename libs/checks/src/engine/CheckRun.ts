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
  /** When its budget is spent (`performance.now()` time). */
  readonly deadline: number;
  /** The error it ends with if it overruns (made only then). */
  readonly overrun: () => CheckError;
  readonly #settle: (outcome: Outcome) => void;
  #controller: AbortController | undefined;
  #stopped: CheckError | undefined;
  #done = false;

  constructor(check: FileCheck, deadline: number, overrun: () => CheckError, settle: (outcome: Outcome) => void) {
    this.check = check;
    this.deadline = deadline;
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
