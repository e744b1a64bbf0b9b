import { Worker } from 'node:worker_threads';
import { compiledScript } from '@tdr/checks';
import { MAX_OUTSTANDING, OUTSTANDING, type FromWorker, type ListJob, type RootJob, type WireItem } from './list-protocol.js';

/** A batch of a listing, as the worker posted it (see `WireItem`). */
export interface Batch {
  readonly items: readonly WireItem[];
  readonly facts: Float64Array;
}

/**
 * The main thread's side of one listing worker (list-worker.ts): starts it,
 * hands out its batches one at a time, and leaves it behind when told to.
 *
 * The worker is `unref()`ed except while the consumer is waiting for its
 * next batch (then it is what the process is waiting on, like any pending
 * I/O), so a listing stopped early never keeps the process alive. It is
 * stopped with `terminate()`, never awaited: a worker stuck in a system call
 * (a dead network mount) would never answer.
 */
export class ListingWorker {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #signal: AbortSignal | undefined;
  readonly #queue: Batch[] = [];
  #ended = false;
  #failure: Error | undefined;
  #stopped = false;
  #waiter: { readonly resolve: () => void; readonly reject: (reason: unknown) => void } | undefined;
  readonly #onAbort = (): void => this.#interrupt(this.#signal?.reason);

  /**
   * @param script The worker's entry point; tests may pass another one.
   */
  constructor(roots: readonly RootJob[], signal: AbortSignal | undefined, script: URL = listWorkerScript()) {
    const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    this.#control = new Int32Array(control);
    this.#signal = signal;
    this.#worker = new Worker(script, { workerData: { roots, control } satisfies ListJob });
    this.#worker.unref();
    this.#worker.on('message', (message: FromWorker) => {
      if (this.#stopped) return;
      if (message.type === 'batch') this.#queue.push(message);
      else if (message.type === 'end') this.#ended = true;
      else this.#fail(new Error(`listing the files failed: ${message.message}`));
      this.#wake();
    });
    this.#worker.on('messageerror', (error) => this.#fail(new Error(`a message of the listing worker could not be read: ${error.message}`, { cause: error })));
    // Always listened to, even after `stop()`: an 'error' event nobody listens to would crash the process.
    this.#worker.on('error', (error) => this.#fail(new Error(`the listing worker crashed: ${error.message}`, { cause: error })));
    this.#worker.on('exit', (code) => {
      if (!this.#ended) this.#fail(new Error(`the listing worker stopped before the listing was complete (exit code ${code})`));
    });
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * The next batch, `undefined` once the listing is complete. Rejects with
   * `signal.reason` as soon as the signal is aborted, and with an `Error`
   * when the worker failed or died.
   */
  async next(): Promise<Batch | undefined> {
    for (;;) {
      this.#signal?.throwIfAborted();
      const batch = this.#queue.shift();
      if (batch) {
        // One batch fewer ahead of the consumer: the worker may post another.
        // The walker waits only at MAX_OUTSTANDING: wake it only then (a wake is a system call,
        // measured at most of this method's time when made for every batch).
        if (Atomics.sub(this.#control, OUTSTANDING, 1) >= MAX_OUTSTANDING) Atomics.notify(this.#control, OUTSTANDING);
        return batch;
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) return undefined;
      this.#worker.ref();
      try {
        await new Promise<void>((resolve, reject) => {
          this.#waiter = { resolve, reject };
        });
      } finally {
        this.#waiter = undefined;
        this.#worker.unref();
      }
    }
  }

  /** Leaves the worker behind: terminated if still running, not waited for. Safe to call twice. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#queue.length = 0;
    this.#worker.unref();
    if (!this.#ended) void this.#worker.terminate();
  }

  #fail(error: Error): void {
    if (this.#stopped || this.#failure) return;
    this.#failure = error;
    this.#wake();
  }

  /** Wakes the consumer waiting in `next()`, to look again. */
  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  /** Makes the consumer waiting in `next()` throw `reason`. */
  #interrupt(reason: unknown): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(reason);
  }
}

let script: URL | undefined;

/** The worker's script (beside this module when compiled; see compiledScript for tests). */
function listWorkerScript(): URL {
  return (script ??= compiledScript(new URL('./list-worker.js', import.meta.url)));
}
