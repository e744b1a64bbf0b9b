import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CheckError, ErrorCode } from '../errors.js';
import type { LocalHashJob } from './hash-local-file.js';
import type { FromWorker, HashOutcome, ToWorker } from './hash-worker-protocol.js';

/**
 * Jobs one worker may have at once. Enough that a batch amortises the cost
 * of a message over several small files and the worker never waits for
 * work; few enough that the queue, not one worker, holds the backlog.
 */
const JOBS_PER_WORKER = 8;
/** How long a cancelled job may take to stop before its worker is replaced. */
const CANCEL_GRACE_MS = 2_000;

interface Job {
  readonly id: number;
  readonly job: LocalHashJob;
  readonly resolve: (digests: Record<string, string>) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: (bytesDone: number) => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  /** Whether the current worker has started; one that dies before is not replaced (no respawn loop). */
  online: boolean;
  readonly running: Map<number, Job>;
}

/**
 * A fixed set of worker threads that hash local files (see hash-worker.ts).
 * Jobs are queued and handed to the least busy worker; a job whose time
 * runs out is cancelled, and a worker that does not stop (stuck in a read
 * of a hung disk) is replaced, so one bad file never stalls the others.
 */
export class HashWorkerPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #size: number;
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`hashing workers must be a whole number ≥ 1, got ${size}`);
    this.#size = size;
  }

  /** Starts the workers and waits until each can take work. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.#size }, () => this.#addSlot()));
  }

  /** Hashes one file; rejects with `signal.reason` when the signal aborts first. */
  hash(job: LocalHashJob, signal: AbortSignal, onProgress: (bytesDone: number) => void): Promise<Record<string, string>> {
    if (this.#closed) return Promise.reject(new Error('the hashing pool is closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry: Job = {
        id: this.#nextId++,
        job,
        onProgress,
        resolve: (digests) => {
          signal.removeEventListener('abort', onAbort);
          resolve(digests);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        this.#cancel(entry);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#dispatch();
    });
  }

  /** Stops every worker. Jobs still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Error('the hashing pool was closed');
    for (const entry of this.#queue.splice(0)) entry.reject(closed);
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        for (const entry of slot.running.values()) entry.reject(closed);
        slot.running.clear();
        await slot.worker.terminate();
      }),
    );
  }

  /** Hands queued jobs to workers with room, in batches shared fairly between them. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#leastBusy();
      const room = slot ? JOBS_PER_WORKER - slot.running.size : 0;
      if (!slot || room <= 0) return;
      const fairShare = Math.ceil(this.#queue.length / this.#slots.length);
      const batch = this.#queue.splice(0, Math.min(room, fairShare));
      for (const entry of batch) {
        entry.slot = slot;
        slot.running.set(entry.id, entry);
      }
      slot.worker.ref();
      this.#post(slot, { type: 'hash', jobs: batch.map((entry) => ({ id: entry.id, job: entry.job })) });
    }
  }

  #leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) if (!best || slot.running.size < best.running.size) best = slot;
    return best;
  }

  #cancel(entry: Job): void {
    const queued = this.#queue.indexOf(entry);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      return;
    }
    const slot = entry.slot;
    if (!slot || !slot.running.has(entry.id)) return;
    slot.running.delete(entry.id);
    this.#post(slot, { type: 'cancel', id: entry.id });
    // The worker answers a cancelled job between two blocks. If it does not
    // within the grace period it is stuck in the operating system: replace it.
    const worker = slot.worker;
    const timer = setTimeout(() => {
      if (slot.worker === worker && !this.#closed) this.#replace(slot, 'a cancelled job did not stop');
    }, CANCEL_GRACE_MS);
    timer.unref();
    const settled = (message: FromWorker): void => {
      if (message.type !== 'settled' || !message.outcomes.some((outcome) => outcome.id === entry.id)) return;
      clearTimeout(timer);
      worker.off('message', settled);
    };
    worker.on('message', settled);
    this.#idleCheck(slot);
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  async #addSlot(): Promise<void> {
    const slot: Slot = { worker: this.#spawn(), online: false, running: new Map() };
    this.#slots.push(slot);
    this.#watch(slot);
    await new Promise<void>((resolve, reject) => {
      slot.worker.once('online', resolve);
      slot.worker.once('error', reject);
    });
  }

  #spawn(): Worker {
    const worker = new Worker(workerScript());
    worker.unref();
    return worker;
  }

  #watch(slot: Slot): void {
    const worker = slot.worker;
    worker.once('online', () => {
      if (slot.worker === worker) slot.online = true;
    });
    worker.on('message', (message: FromWorker) => {
      if (slot.worker !== worker) return;
      if (message.type === 'progress') {
        slot.running.get(message.id)?.onProgress(message.bytesDone);
        return;
      }
      for (const outcome of message.outcomes) this.#settle(slot, outcome);
      this.#idleCheck(slot);
      this.#dispatch();
    });
    const died = (why: string): void => {
      if (slot.worker !== worker || this.#closed) return;
      if (slot.online) this.#replace(slot, why);
      else this.#retire(slot, why);
    };
    worker.on('error', (error) => died(`it crashed: ${error.message}`));
    worker.on('exit', (code) => died(`it exited with code ${code}`));
  }

  #settle(slot: Slot, outcome: HashOutcome): void {
    const entry = slot.running.get(outcome.id);
    if (!entry) return; // cancelled meanwhile
    slot.running.delete(outcome.id);
    if ('digests' in outcome) entry.resolve(outcome.digests);
    else entry.reject(new CheckError(outcome.error.code, outcome.error.message, { retryable: outcome.error.retryable }));
  }

  /**
   * Swaps a worker that crashed or hangs for a fresh one. Its running jobs
   * fail (retryable): a crash may have been caused by one of them, so they
   * are not sent again automatically.
   */
  #replace(slot: Slot, why: string): void {
    const old = slot.worker;
    const failure = new CheckError(ErrorCode.Internal, `a hashing worker was restarted because ${why}`, {
      retryable: true,
    });
    for (const entry of slot.running.values()) entry.reject(failure);
    slot.running.clear();
    slot.worker = this.#spawn();
    slot.online = false;
    this.#watch(slot);
    // Not awaited: a thread stuck in a system call only goes when the call returns.
    void old.terminate();
    this.#dispatch();
  }

  /** Drops a worker that died before it started; replacing it would likely fail the same way. */
  #retire(slot: Slot, why: string): void {
    const failure = new CheckError(ErrorCode.Internal, `a hashing worker could not start because ${why}`);
    for (const entry of slot.running.values()) entry.reject(failure);
    slot.running.clear();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    if (this.#slots.length === 0) for (const entry of this.#queue.splice(0)) entry.reject(failure);
    else this.#dispatch();
  }

  #idleCheck(slot: Slot): void {
    if (slot.running.size === 0) slot.worker.unref();
  }
}

/**
 * The compiled worker script. Tests run this library from TypeScript
 * sources, which a worker thread cannot load, so there the built copy in
 * `dist/` is used (the test target depends on the build).
 */
function workerScript(): URL {
  const beside = new URL('./hash-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL(beside.href.replace(/\/src\/checksum\/hash-worker\.js$/, '/dist/checksum/hash-worker.js'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the hashing worker script is missing (looked for ${fileURLToPath(beside)}); build @tdr/checks first`);
}
