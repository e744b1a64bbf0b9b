/**
 * Entry point of a hashing worker thread (see HashWorkerPool). Hashes local
 * files off the main thread so that several cores hash at once and the
 * runner's event loop stays free (BullMQ lock renewals, progress, servers).
 */
import { parentPort } from 'node:worker_threads';
import { toCheckErrorInfo } from '../errors.js';
import { hashLocalFile } from './hash-local-file.js';
import type { FromWorker, ToWorker } from './hash-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.js must run in a worker thread');

const cancelled = new Set<number>();
const reply = (message: FromWorker): void => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.id);
    return;
  }
  const { id, job } = message;
  hashLocalFile(job, {
    isCancelled: () => cancelled.has(id),
    progress: (bytesDone) => reply({ type: 'progress', id, bytesDone }),
  }).then(
    (digests) => reply({ type: 'done', id, digests }),
    (error: unknown) => reply({ type: 'failed', id, error: toCheckErrorInfo(error) }),
  ).finally(() => cancelled.delete(id));
});
