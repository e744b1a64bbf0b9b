/**
 * Entry point of a LocalFilePool worker thread. Runs task modules
 * (hashing, identification, inspection) on local files off the main thread,
 * so several cores work at once and the runner's event loop stays free.
 * Tasks on the same file in one batch share one open and one read.
 */
import { parentPort } from 'node:worker_threads';
import { toCheckErrorInfo } from '../errors.js';
import { LocalFile } from './local-file.js';
import type { FromWorker, JobOutcome, ToWorker, WorkerJob } from './protocol.js';
import type { LocalFileTask, TaskContext } from './task.js';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;

const shared = new Map<string, unknown>();
const modules = new Map<string, Promise<LocalFileTask<unknown, unknown>>>();
const prepared = new Map<string, Promise<void>>();
const cancelled = new Set<number>();
let outbox: JobOutcome[] = [];

/** Sends every outcome settled in this turn of the event loop as one message. */
function settle(outcome: JobOutcome): void {
  if (outbox.length === 0) {
    setImmediate(() => {
      const outcomes = outbox;
      outbox = [];
      port.postMessage({ type: 'settled', outcomes } satisfies FromWorker);
    });
  }
  outbox.push(outcome);
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

/** The module of a job, prepared for its params (once per distinct params). */
async function ready(job: WorkerJob): Promise<LocalFileTask<unknown, unknown>> {
  const task = await taskModule(job.task.module);
  const key = `${job.task.module}\0${JSON.stringify(job.task.params)}`;
  let preparing = prepared.get(key);
  if (!preparing) {
    preparing = task.prepare?.(job.task.params, context(job.id)) ?? Promise.resolve();
    prepared.set(key, preparing);
    // A failed preparation is tried again by the next batch that needs it.
    preparing.catch(() => prepared.delete(key));
  }
  await preparing;
  return task;
}

function fileKey(job: WorkerJob): string {
  return `${job.file.localPath}\0${job.file.size}\0${job.file.lastModified ?? ''}`;
}

async function runBatch(jobs: readonly WorkerJob[]): Promise<void> {
  const tasks = new Map<number, LocalFileTask<unknown, unknown>>();
  for (const job of jobs) {
    try {
      tasks.set(job.id, await ready(job));
    } catch (error) {
      fail(job.id, error);
    }
  }
  const byFile = new Map<string, WorkerJob[]>();
  for (const job of jobs) {
    if (!tasks.has(job.id)) continue;
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
        const result = (tasks.get(job.id) as LocalFileTask<unknown, unknown>).run(file, job.task.params, context(job.id));
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
  else previous = previous.then(() => runBatch(message.jobs));
});
