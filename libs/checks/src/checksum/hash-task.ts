/**
 * The checksum's work in a LocalFilePool worker: every requested algorithm
 * over one pass of the file's bytes.
 */
import type { LocalFileTask } from '../workers/task.js';
import type { ChecksumAlgorithm } from './algorithms.js';
import { WHOLE_FILE_HASH_LIMIT, hashLargeFile } from './hash-local-file.js';
import { createMultiHasherSync, prepareSyncHashers } from './multi-hasher.js';

export interface HashParams {
  readonly algorithms: readonly ChecksumAlgorithm[];
}

export const task: LocalFileTask<HashParams, Record<string, string>> = {
  prepare: (params) => prepareSyncHashers(params.algorithms),

  run(file, params, ctx) {
    if (file.size <= WHOLE_FILE_HASH_LIMIT) {
      // One synchronous read (shared with the other tasks on this file), no promise.
      const hasher = createMultiHasherSync(params.algorithms);
      hasher.update(file.bytes());
      return hasher.digest();
    }
    return hashLargeFile(file, params.algorithms, ctx);
  },
};
