import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CheckError, ErrorCode } from '../errors.js';
import type { BudgetControl } from '../types.js';
import { compiledScript } from './compiled-script.js';
import { type FromWorker, type JobOutcome, type LocalFileJob, packJobs, type TaskSpec, type ToWorker } from './protocol.js';

/**
 * Jobs one worker may hold at once: as many as the engine has files in
 * flight, so a worker always has its next batch waiting while the main
 * thread turns the last one into reports (measured, 10,000 small files:
 * 0.61 s at 256, 0.65 s at 64).
 */
const JOBS_PER_WORKER = 256;
/**
 * Long jobs (a large file's hash, block by block) one worker runs at once:
 * one keeps its core busy; more would only interleave reads and hold
 * buffers each. Short jobs go around them when the long job yields
 * (every 32 MiB or 250 ms, see hash-local-file.ts).
 */
const LONG_JOBS_PER_WORKER = 1;
/** How long a cancelled job may take to stop before its worker is replaced. */
const CANCEL_GRACE_MS = 2_000;
/**
 * A worker with jobs that sends nothing for this long is taken to be stuck
 * in a read (a hung network mount) and replaced. Long jobs report progress
 * at least every second; short ones read a bounded number of bytes.
 */
export const STALL_MS = 60_000;
/**
 * Short jobs in hand (queued or running) beyond which the pool starts
 * another worker, up to its size. Below it one worker finishes them sooner
 * than a second one boots (~20 ms of a core that the main thread needs
 * then too): a run of a few files, or of one large file, starts one worker.
 */
const SHORT_JOBS_PER_NEW_WORKER = 64;

export interface RunOptions {
  /**
   * Cancels the job. Worth passing for long jobs only: a short one runs in
   * one synchronous go that a cancel could not interrupt anyway (and a stuck
   * read is caught by the stall watchdog).
   */
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number) => void;
  /** A job that may run for long (reads a large file whole); at most one per worker at a time. */
  readonly long?: boolean;
  /**
   * The time budget of the job's check, held while the job waits in the
   * queue and restarted when a worker takes it: a long job waits there for
   * a worker with no other long job.
   */
  readonly budget?: BudgetControl;
}

interface Job {
  readonly id: number;
  readonly file: LocalFileJob;
  readonly task: number;
  readonly options: RunOptions;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  /**
   * Whether the current worker has loaded its code (its `ready` message: the
   * thread's 'online' event comes before, so a script that throws while
   * loading would look started). One that dies before is not replaced (no
   * respawn loop).
   */
  online: boolean;
  /** When the worker last sent anything (performance.now()). */
  heardAt: number;
  readonly running: Map<number, Job>;
}

let sharedPool: { pool: LocalFilePool; users: number } | undefined;

/**
 * Worker threads that run tasks on local files for the checks (hashing,
 * format identification, inspection). One pool per process, shared by every
 * check that uses it, so tasks of several checks on the same file travel in
 * one batch and the worker opens and reads the file once for all of them.
 *
 * Jobs are queued and handed to the least busy worker in batches, once per
 * turn of the event loop. A job whose signal aborts is cancelled; a worker
 * that does not stop, or falls silent with work in hand (stuck in a read
 * of a hung disk), is replaced, so one bad file never stalls the others.
 */
export class LocalFilePool {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #shared = new Map<string, unknown>();
  /** Task specs by the number workers know them by (sent once per worker). */
  readonly #tasks = new Map<TaskSpec, number>();
  readonly #stallMs: number;
  readonly #script: URL;
  /** Workers the pool may grow to (no more once one failed to start). */
  #size: number;
  /** Why a worker could not start, once one could not: jobs fail with it when no worker is left. */
  #startFailure: CheckError | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;
  #dispatchScheduled = false;

  /**
   * Starts one worker, and more up to `size` as work arrives (a long job
   * with every worker holding one, or more short jobs than
   * SHORT_JOBS_PER_NEW_WORKER per worker). Does not wait for a worker to
   * come up (~20–40 ms, which a run spends listing files instead): jobs wait
   * in its message queue, and a worker that fails to start fails its jobs.
   */
  constructor(size: number = availableParallelism(), options: { stallMs?: number; /** @internal for tests: another worker script. */ script?: URL } = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${size}`);
    this.#stallMs = options.stallMs ?? STALL_MS;
    this.#script = options.script ?? compiledScript(new URL('./worker.js', import.meta.url));
    this.#size = size;
    this.#addSlot();
    this.#watchdog = setInterval(() => this.#replaceStalled(), Math.min(1_000, this.#stallMs / 2));
    this.#watchdog.unref();
  }

  /** Workers started so far (the pool grows to its size as work arrives). */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Starts the process's pool now, before a check asks for it, so its first
   * worker boots (~40 ms of a core) while the caller still loads the rest
   * of its code. Costs nothing if no check uses it: idle workers do not
   * keep the process alive.
   */
  static prestart(): void {
    processPool();
  }

  /** The process's pool, started on first use; give it back with `release()`. */
  static acquire(): LocalFilePool {
    const shared = processPool();
    shared.users++;
    return shared.pool;
  }

  /** Gives back the process's pool; the last user to give it back stops it. */
  async release(): Promise<void> {
    if (sharedPool?.pool !== this) return this.close();
    if (--sharedPool.users > 0) return;
    sharedPool = undefined;
    await this.close();
  }

  /** Makes `value` available to every task (now and in replacement workers) as `ctx.shared(key)`. */
  share(key: string, value: unknown): void {
    if (this.#shared.get(key) === value) return;
    this.#shared.set(key, value);
    for (const slot of this.#slots) this.#post(slot, { type: 'share', key, value });
  }

  /**
   * Has every worker load and prepare a task now (its module, and what its
   * `prepare` loads, e.g. the compiled signatures) instead of on its first
   * file: a check calls this in `init`, so the work overlaps the listing.
   */
  prepare(spec: TaskSpec): void {
    if (!this.#closed) this.#define(spec);
  }

  /** Runs a task on a local file; rejects with `signal.reason` when the signal aborts first. */
  run<R>(file: LocalFileJob, spec: TaskSpec, options: RunOptions = {}): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('the worker pool is closed'));
    const task = this.#define(spec);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<R>((resolve, reject) => {
      const id = this.#nextId++;
      const settleWith = resolve as (value: unknown) => void;
      if (!signal) {
        this.#enqueue({ id, file, task, options, resolve: settleWith, reject });
        return;
      }
      const onAbort = (): void => {
        this.#cancel(entry);
        reject(signal.reason);
      };
      const entry: Job = {
        id,
        file,
        task,
        options,
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort);
          settleWith(value);
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

  /** Stops every worker. Jobs still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    const closed = new Error('the worker pool was closed');
    for (const entry of this.#queue.splice(0)) entry.reject(closed);
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        for (const entry of slot.running.values()) entry.reject(closed);
        slot.running.clear();
        // Referenced while it stops: an idle worker is unreferenced, and a process
        // left with nothing else to wait for would end here, before its caller
        // (a run that reports its exit code after closing its checks) could finish.
        slot.worker.ref();
        await slot.worker.terminate();
      }),
    );
  }

  /** The number of a task spec, defining it in every worker the first time it is seen. */
  #define(spec: TaskSpec): number {
    let task = this.#tasks.get(spec);
    if (task === undefined) {
      task = this.#tasks.size + 1;
      this.#tasks.set(spec, task);
      for (const slot of this.#slots) this.#post(slot, { type: 'define', task, spec });
    }
    return task;
  }

  #enqueue(entry: Job): void {
    entry.options.budget?.holdBudget();
    this.#queue.push(entry);
    this.#scheduleDispatch();
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
   * worker. Jobs on the same file go to the same worker (which then reads
   * it once). A long job waits in the queue (short ones overtake it) until
   * some worker has no other long job.
   */
  #dispatch(): void {
    this.#grow();
    if (this.#slots.length === 0 && this.#startFailure) {
      for (const entry of this.#queue.splice(0)) entry.reject(this.#startFailure);
      return;
    }
    const batches = new Map<Slot, Job[]>();
    const sameFile = new Map<string, Slot>();
    const waiting: Job[] = [];
    for (const entry of this.#queue) {
      const key = fileKey(entry.file);
      const long = entry.options.long === true;
      const slot =
        sameFile.get(key) ??
        this.#leastBusy((candidate) => candidate.running.size < JOBS_PER_WORKER && (!long || longCount(candidate) < LONG_JOBS_PER_WORKER));
      if (!slot) {
        waiting.push(entry);
        continue;
      }
      sameFile.set(key, slot);
      if (slot.running.size === 0) slot.heardAt = performance.now(); // the silence clock starts with work
      entry.slot = slot;
      slot.running.set(entry.id, entry);
      entry.options.budget?.restartBudget();
      const batch = batches.get(slot);
      if (batch) batch.push(entry);
      else batches.set(slot, [entry]);
    }
    this.#queue.splice(0, this.#queue.length, ...waiting);
    for (const [slot, batch] of batches) {
      slot.worker.ref();
      const jobs = packJobs(batch);
      slot.worker.postMessage({ type: 'run', jobs } satisfies ToWorker, [jobs.ids.buffer, jobs.tasks.buffer, jobs.sizes.buffer]);
    }
  }

  /** Starts the workers the work in hand calls for (see the constructor). */
  #grow(): void {
    if (this.#slots.length >= this.#size) return; // grown (the common case, on every dispatch)
    let short = 0;
    let longQueued = 0;
    for (const entry of this.#queue) {
      if (entry.options.long === true) longQueued++;
      else short++;
    }
    let longRoom = 0;
    for (const slot of this.#slots) {
      for (const entry of slot.running.values()) if (entry.options.long !== true) short++;
      longRoom += LONG_JOBS_PER_WORKER - longCount(slot);
    }
    const forLong = this.#slots.length + Math.ceil(Math.max(0, longQueued - longRoom) / LONG_JOBS_PER_WORKER);
    const wanted = Math.max(forLong, Math.ceil(short / SHORT_JOBS_PER_NEW_WORKER));
    while (this.#slots.length < Math.min(this.#size, wanted)) this.#addSlot();
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

  #addSlot(): void {
    const slot: Slot = { worker: this.#spawn(), online: false, heardAt: performance.now(), running: new Map() };
    this.#slots.push(slot);
    this.#watch(slot);
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script);
    for (const [key, value] of this.#shared) worker.postMessage({ type: 'share', key, value } satisfies ToWorker);
    for (const [spec, task] of this.#tasks) worker.postMessage({ type: 'define', task, spec } satisfies ToWorker);
    return worker;
  }

  #watch(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', (message: FromWorker) => {
      if (slot.worker !== worker) return;
      slot.heardAt = performance.now();
      if (message.type === 'ready') {
        slot.online = true;
        return;
      }
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
    // An idle worker must not keep the process alive (a pool started but never
    // used, e.g. a run refused for bad usage). After the listeners: adding a
    // 'message' listener refs the worker's port again.
    worker.unref();
  }

  #settle(slot: Slot, outcome: JobOutcome): void {
    const entry = slot.running.get(outcome.id);
    if (!entry) return; // cancelled meanwhile
    slot.running.delete(outcome.id);
    if ('value' in outcome) entry.resolve(outcome.value);
    else entry.reject(new CheckError(outcome.error.code, outcome.error.message, { retryable: outcome.error.retryable }));
  }

  /**
   * Swaps a worker that crashed or hangs for a fresh one. Its running jobs
   * fail (retryable): a crash may have been caused by one of them, so they
   * are not sent again automatically.
   */
  #replace(slot: Slot, why: string): void {
    const old = slot.worker;
    const failure = new CheckError(ErrorCode.ReadError, `a worker thread was restarted because ${why}`, { retryable: true });
    for (const entry of slot.running.values()) entry.reject(failure);
    slot.running.clear();
    slot.worker = this.#spawn();
    slot.online = false;
    this.#watch(slot);
    // Not awaited: a thread stuck in a system call only goes when the call returns.
    void old.terminate();
    this.#scheduleDispatch();
  }

  /** Drops a worker that died before it started; replacing it would likely fail the same way. */
  #retire(slot: Slot, why: string): void {
    const failure = new CheckError(ErrorCode.Internal, `a worker thread could not start because ${why}`);
    for (const entry of slot.running.values()) entry.reject(failure);
    slot.running.clear();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    // Starting more would likely fail the same way: the pool stays at the workers it has.
    this.#size = this.#slots.length;
    this.#startFailure = failure;
    this.#scheduleDispatch();
  }

  #idleCheck(slot: Slot): void {
    if (slot.running.size === 0) slot.worker.unref();
  }
}

/** The process's pool and how many users hold it, started on first use. */
function processPool(): { pool: LocalFilePool; users: number } {
  sharedPool ??= { pool: new LocalFilePool(), users: 0 };
  return sharedPool;
}

/** Jobs on one file go to one worker. The path is enough: a listing names a file once. */
function fileKey(file: LocalFileJob): string {
  return file.localPath;
}

function longCount(slot: Slot): number {
  let count = 0;
  for (const entry of slot.running.values()) if (entry.options.long === true) count++;
  return count;
}
