/**
 * Entry point of a hashing worker thread (see HashWorkerPool). Hashes local
 * files off the main thread so that several cores hash at once and the
 * runner's event loop stays free (BullMQ lock renewals, progress, servers).
 */
import { parentPort } from 'node:worker_threads';
import { toCheckErrorInfo } from '../errors.js';
import { hashLocalFile } from './hash-local-file.js';
import type { FromWorker, HashOutcome, ToWorker } from './hash-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.js must run in a worker thread');

const cancelled = new Set<number>();
let outbox: HashOutcome[] = [];

/** Sends every outcome settled in this turn of the event loop as one message. */
function settle(outcome: HashOutcome): void {
  if (outbox.length === 0) {
    setImmediate(() => {
      const outcomes = outbox;
      outbox = [];
      port?.postMessage({ type: 'settled', outcomes } satisfies FromWorker);
    });
  }
  outbox.push(outcome);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.id);
    return;
  }
  for (const { id, job } of message.jobs) {
    hashLocalFile(job, {
      isCancelled: () => cancelled.has(id),
      progress: (bytesDone) => port.postMessage({ type: 'progress', id, bytesDone } satisfies FromWorker),
    })
      .then(
        (digests) => settle({ id, digests }),
        (error: unknown) => settle({ id, error: toCheckErrorInfo(error) }),
      )
      .finally(() => cancelled.delete(id));
  }
});
