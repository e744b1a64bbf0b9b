import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CheckError, ErrorCode } from '../errors.js';
import { SYNC_READ_LIMIT, type LocalHashJob } from './hash-local-file.js';
import type { FromWorker, HashOutcome, ToWorker } from './hash-worker-protocol.js';

/**
 * Jobs one worker may hold at once: as many as the engine has files in
 * flight, so a worker always has its next batch waiting while the main
 * thread turns the last one into reports (measured, 10,000 small files:
 * 0.61 s at 256, 0.65 s at 64).
 */
const JOBS_PER_WORKER = 256;
/**
 * Large files (read asynchronously, see SYNC_READ_LIMIT) one worker hashes at
 * once: one keeps its core busy; more would only interleave reads and hold
 * 16 MiB of buffers each. Small files go around them.
 */
const LARGE_PER_WORKER = 1;
/** How long a cancelled job may take to stop before its worker is replaced. */
const CANCEL_GRACE_MS = 2_000;
/**
 * A worker with jobs that sends nothing for this long is taken to be stuck
 * in a read (a hung network mount) and replaced. Workers report progress on
 * large files at least every second, and read at most 8 MiB per small file.
 */
export const STALL_MS = 60_000;

export interface HashOptions {
  /**
   * Cancels the job. Worth passing for large files only: a small file is
   * read in one synchronous go that a cancel could not interrupt anyway
   * (and a stuck read is caught by the stall watchdog).
   */
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number) => void;
}

interface Job {
  readonly id: number;
  readonly job: LocalHashJob;
  readonly options: HashOptions;
  readonly resolve: (digests: Record<string, string>) => void;
  readonly reject: (error: unknown) => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  /** Whether the current worker has started; one that dies before is not replaced (no respawn loop). */
  online: boolean;
  /** When the worker last sent anything (performance.now()). */
  heardAt: number;
  readonly running: Map<number, Job>;
}

/**
 * A fixed set of worker threads that hash local files (see hash-worker.ts).
 * Jobs are queued and handed to the least busy worker in batches. A job
 * whose signal aborts is cancelled; a worker that does not stop, or that
 * falls silent with work in hand (stuck in a read of a hung disk), is
 * replaced, so one bad file never stalls the others.
 */
export class HashWorkerPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #size: number;
  readonly #stallMs: number;
  #watchdog: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;
  #dispatchScheduled = false;

  constructor(size: number, options: { stallMs?: number } = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`hashing workers must be a whole number ≥ 1, got ${size}`);
    this.#size = size;
    this.#stallMs = options.stallMs ?? STALL_MS;
  }

  /**
   * Starts the workers. Does not wait for them to come up (~40 ms, which a
   * run spends listing files instead): jobs wait in their message queue, and
   * a worker that fails to start fails its jobs.
   */
  start(): void {
    const script = workerScript(); // throws now, not per job, when the build is missing
    for (let i = 0; i < this.#size; i++) this.#addSlot(script);
    this.#watchdog = setInterval(() => this.#replaceStalled(), Math.min(1_000, this.#stallMs / 2));
    this.#watchdog.unref();
  }

  /** Hashes one file; rejects with `signal.reason` when the signal aborts first. */
  hash(job: LocalHashJob, options: HashOptions = {}): Promise<Record<string, string>> {
    if (this.#closed) return Promise.reject(new Error('the hashing pool is closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      if (!signal) {
        this.#enqueue({ id, job, options, resolve, reject });
        return;
      }
      const onAbort = (): void => {
        this.#cancel(entry);
        reject(signal.reason);
      };
      const entry: Job = {
        id,
        job,
        options,
        resolve: (digests) => {
          signal.removeEventListener('abort', onAbort);
          resolve(digests);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#enqueue(entry);
    });
  }

  #enqueue(entry: Job): void {
    this.#queue.push(entry);
    this.#scheduleDispatch();
  }

  /** Stops every worker. Jobs still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
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

  /**
   * Dispatches once per turn of the event loop rather than per job: files
   * arrive one by one, and one message per file would cost as much as
   * hashing it.
   */
  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    setImmediate(() => {
      this.#dispatchScheduled = false;
      if (!this.#closed) this.#dispatch();
    });
  }

  /**
   * Hands queued jobs to workers with room, spread evenly, one message per
   * worker. A large file waits in the queue (small ones overtake it) until
   * some worker has no other large file.
   */
  #dispatch(): void {
    const batches = new Map<Slot, Job[]>();
    const waiting: Job[] = [];
    for (const entry of this.#queue) {
      const large = isLarge(entry.job);
      const slot = this.#leastBusy((candidate) =>
        candidate.running.size < JOBS_PER_WORKER && (!large || largeCount(candidate) < LARGE_PER_WORKER),
      );
      if (!slot) {
        waiting.push(entry);
        continue;
      }
      if (slot.running.size === 0) slot.heardAt = performance.now(); // the silence clock starts with work
      entry.slot = slot;
      slot.running.set(entry.id, entry);
      const batch = batches.get(slot);
      if (batch) batch.push(entry);
      else batches.set(slot, [entry]);
    }
    this.#queue.splice(0, this.#queue.length, ...waiting);
    for (const [slot, batch] of batches) {
      slot.worker.ref();
      this.#post(slot, { type: 'hash', jobs: batch.map((entry) => ({ id: entry.id, job: entry.job })) });
    }
  }

  #leastBusy(eligible: (slot: Slot) => boolean): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (eligible(slot) && (!best || slot.running.size < best.running.size)) best = slot;
    }
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

  #replaceStalled(): void {
    const now = performance.now();
    for (const slot of this.#slots) {
      if (slot.online && slot.running.size > 0 && now - slot.heardAt > this.#stallMs) {
        this.#replace(slot, `it sent nothing for ${Math.round(this.#stallMs / 1000)} s with files in hand (a read may be stuck, e.g. on a hung network mount)`);
      }
    }
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  #addSlot(script: URL): void {
    const slot: Slot = { worker: this.#spawn(script), online: false, heardAt: performance.now(), running: new Map() };
    this.#slots.push(slot);
    this.#watch(slot);
  }

  #spawn(script = workerScript()): Worker {
    const worker = new Worker(script);
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
      slot.heardAt = performance.now();
      if (message.type === 'progress') {
        slot.running.get(message.id)?.options.onProgress?.(message.bytesDone);
        return;
      }
      for (const outcome of message.outcomes) this.#settle(slot, outcome);
      this.#idleCheck(slot);
      // Scheduled, not at once: the settled files make room for the next
      // ones, which arrive in the microtasks that follow; one batch takes them all.
      this.#scheduleDispatch();
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
    const failure = new CheckError(ErrorCode.ReadError, `a hashing worker was restarted because ${why}`, { retryable: true });
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

function isLarge(job: LocalHashJob): boolean {
  return job.size > SYNC_READ_LIMIT;
}

function largeCount(slot: Slot): number {
  let count = 0;
  for (const entry of slot.running.values()) if (isLarge(entry.job)) count++;
  return count;
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
