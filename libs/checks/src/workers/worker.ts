/**
 * Entry point of a LocalFilePool worker thread. Runs task modules
 * (hashing, identification, inspection) on local files off the main thread,
 * so several cores work at once and the runner's event loop stays free.
 * Tasks on the same file in one batch share one open and one read.
 */
import { parentPort } from 'node:worker_threads';
import { toCheckErrorInfo } from '../errors.js';
import { LocalFile } from './local-file.js';
import { type FromWorker, type JobOutcome, type TaskSpec, type ToWorker, unpackJobs, type WorkerJob } from './protocol.js';
import type { LocalFileTask, TaskContext } from './task.js';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;

const shared = new Map<string, unknown>();
const modules = new Map<string, Promise<LocalFileTask<unknown, unknown>>>();
/** Tasks the pool defined, by number: their spec, and their module once loaded and prepared. */
const tasks = new Map<number, { readonly spec: TaskSpec; ready?: Promise<LocalFileTask<unknown, unknown>> }>();
const cancelled = new Set<number>();
/**
 * Outcomes sent in one message at most. A batch is answered in parts, so the
 * main thread hands out the next files while this worker is still busy with
 * the rest; answered whole, worker and main thread would take turns idling
 * (measured on 24,650 small files: workers idle a quarter of the run).
 */
const OUTCOMES_PER_MESSAGE = 32;
let outbox: JobOutcome[] = [];
let flushScheduled = false;

function flush(): void {
  if (outbox.length === 0) return;
  const outcomes = outbox;
  outbox = [];
  port.postMessage({ type: 'settled', outcomes } satisfies FromWorker);
}

/** Sends the outcomes settled in this turn of the event loop together, in messages of at most OUTCOMES_PER_MESSAGE. */
function settle(outcome: JobOutcome): void {
  outbox.push(outcome);
  if (outbox.length >= OUTCOMES_PER_MESSAGE) {
    flush();
  } else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      flush();
    });
  }
}

const fail = (id: number, error: unknown): void => settle({ id, error: toCheckErrorInfo(error) });

function context(id: number): TaskContext {
  return {
    isCancelled: () => cancelled.has(id),
    progress: (bytesDone) => port.postMessage({ type: 'progress', id, bytesDone } satisfies FromWorker),
    shared<T>(key: string): T {
      if (!shared.has(key)) throw new Error(`no shared data "${key}" in this worker`);
      return shared.get(key) as T;
    },
  };
}

function taskModule(url: string): Promise<LocalFileTask<unknown, unknown>> {
  let loaded = modules.get(url);
  if (!loaded) {
    loaded = import(url).then((module: { task?: LocalFileTask<unknown, unknown> }) => {
      if (!module.task) throw new Error(`${url} exports no task`);
      return module.task;
    });
    modules.set(url, loaded);
  }
  return loaded;
}

/** The module of a task, loaded and prepared once (a failed preparation is tried again next time). */
function ready(task: number, job: number): Promise<LocalFileTask<unknown, unknown>> {
  const entry = tasks.get(task);
  if (!entry) return Promise.reject(new Error(`task ${task} was never defined`));
  if (!entry.ready) {
    entry.ready = taskModule(entry.spec.module).then(async (module) => {
      await module.prepare?.(entry.spec.params, context(job));
      return module;
    });
    entry.ready.catch(() => (entry.ready = undefined));
  }
  return entry.ready;
}

function fileKey(job: WorkerJob): string {
  return `${job.file.localPath}\0${job.file.size}\0${job.file.lastModified ?? ''}`;
}

async function runBatch(jobs: readonly WorkerJob[]): Promise<void> {
  // Each distinct task of the batch made ready once; then every job runs without waiting.
  const readyTasks = new Map<number, LocalFileTask<unknown, unknown> | Error>();
  for (const job of jobs) {
    if (readyTasks.has(job.task)) continue;
    try {
      readyTasks.set(job.task, await ready(job.task, job.id));
    } catch (error) {
      readyTasks.set(job.task, error instanceof Error ? error : new Error(String(error)));
    }
  }
  const runnable = new Map<number, LocalFileTask<unknown, unknown>>();
  for (const job of jobs) {
    const module = readyTasks.get(job.task);
    if (module instanceof Error || module === undefined) fail(job.id, module);
    else runnable.set(job.id, module);
  }
  const byFile = new Map<string, WorkerJob[]>();
  for (const job of jobs) {
    if (!runnable.has(job.id)) continue;
    const key = fileKey(job);
    const group = byFile.get(key);
    if (group) group.push(job);
    else byFile.set(key, [job]);
  }
  for (const group of byFile.values()) {
    let file: LocalFile;
    try {
      file = LocalFile.open(group[0].file);
    } catch (error) {
      for (const job of group) fail(job.id, error);
      continue;
    }
    const pending: Promise<void>[] = [];
    for (const job of group) {
      try {
        const result = (runnable.get(job.id) as LocalFileTask<unknown, unknown>).run(file, (tasks.get(job.task) as { spec: TaskSpec }).spec.params, context(job.id));
        if (result instanceof Promise) {
          pending.push(result.then((value) => settle({ id: job.id, value }), (error: unknown) => fail(job.id, error)).finally(() => cancelled.delete(job.id)));
        } else {
          settle({ id: job.id, value: result });
        }
      } catch (error) {
        fail(job.id, error);
      }
    }
    // Long tasks (a large file's hash) go on while the next files are handled; the file closes after them.
    if (pending.length === 0) file.close();
    else void Promise.allSettled(pending).then(() => file.close());
  }
}

/** Batches are taken one after another, even while one waits for a module or its preparation. */
let previous: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') cancelled.add(message.id);
  else if (message.type === 'share') shared.set(message.key, message.value);
  else if (message.type === 'define') {
    tasks.set(message.task, { spec: message.spec });
    // Loaded and prepared now, while the main thread lists files; a failure is
    // retried, and reported, by the first job that needs the task.
    ready(message.task, 0).catch(() => undefined);
  }
  else previous = previous.then(() => runBatch(unpackJobs(message.jobs)));
});

port.postMessage({ type: 'ready' } satisfies FromWorker);
