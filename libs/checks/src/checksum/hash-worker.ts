/**
 * Entry point of a hashing worker thread (see HashWorkerPool). Hashes local
 * files off the main thread so that several cores hash at once and the
 * runner's event loop stays free (BullMQ lock renewals, progress, servers).
 */
import { parentPort } from 'node:worker_threads';
import { toCheckErrorInfo } from '../errors.js';
import { SYNC_READ_LIMIT, hashLargeFile, hashSmallFile } from './hash-local-file.js';
import type { FromWorker, HashOutcome, ToWorker } from './hash-worker-protocol.js';
import { prepareSyncHashers } from './multi-hasher.js';

if (!parentPort) throw new Error('hash-worker.js must run in a worker thread');
const port = parentPort;

const cancelled = new Set<number>();
let outbox: HashOutcome[] = [];

/** Sends every outcome settled in this turn of the event loop as one message. */
function settle(outcome: HashOutcome): void {
  if (outbox.length === 0) {
    setImmediate(() => {
      const outcomes = outbox;
      outbox = [];
      port.postMessage({ type: 'settled', outcomes } satisfies FromWorker);
    });
  }
  outbox.push(outcome);
}

/** Messages are handled one after another, even while a first one waits for WebAssembly to load. */
let previous: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.id);
    return;
  }
  previous = previous.then(() => hashBatch(message.jobs));
});

async function hashBatch(jobs: Extract<ToWorker, { type: 'hash' }>['jobs']): Promise<void> {
  try {
    await prepareSyncHashers([...new Set(jobs.flatMap(({ job }) => job.algorithms))]);
  } catch (error) {
    // No hasher, no digest: every file of the batch says why, and the next batch tries again.
    for (const { id } of jobs) settle({ id, error: toCheckErrorInfo(error) });
    return;
  }
  for (const { id, job } of jobs) {
    if (job.size <= SYNC_READ_LIMIT) {
      try {
        settle({ id, digests: hashSmallFile(job) });
      } catch (error) {
        settle({ id, error: toCheckErrorInfo(error) });
      }
      continue;
    }
    hashLargeFile(job, {
      isCancelled: () => cancelled.has(id),
      progress: (bytesDone) => port.postMessage({ type: 'progress', id, bytesDone } satisfies FromWorker),
    })
      .then(
        (digests) => settle({ id, digests }),
        (error: unknown) => settle({ id, error: toCheckErrorInfo(error) }),
      )
      .finally(() => cancelled.delete(id));
  }
}
