import type { CheckErrorInfo } from '../types.js';
import type { LocalHashJob } from './hash-local-file.js';

/** Messages between the checksum check and its hashing worker threads. */
export type ToWorker = { readonly type: 'hash'; readonly id: number; readonly job: LocalHashJob } | { readonly type: 'cancel'; readonly id: number };

export type FromWorker =
  | { readonly type: 'done'; readonly id: number; readonly digests: Record<string, string> }
  | { readonly type: 'failed'; readonly id: number; readonly error: CheckErrorInfo }
  | { readonly type: 'progress'; readonly id: number; readonly bytesDone: number };
