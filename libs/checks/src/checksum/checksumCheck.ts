import { createRequire } from 'node:module';
import { CheckError } from '../errors.js';
import type { CheckContext, FileCheck, FileRef, ToolInfo } from '../types.js';
import { DEFAULT_ALGORITHMS, isChecksumAlgorithm, type ChecksumAlgorithm } from './algorithms.js';
import { compiledScript } from '../workers/compiled-script.js';
import { LocalFilePool } from '../workers/LocalFilePool.js';
import { localFileJob, type TaskSpec } from '../workers/protocol.js';
import { WHOLE_FILE_HASH_LIMIT } from './hash-local-file.js';
import type { HashParams } from './hash-task.js';
import { createMultiHasher } from './multi-hasher.js';

/**
 * What the checksum check found: a lowercase hex digest per algorithm
 * computed (`sha256`, …), and how they compare with what the uploader
 * declared.
 */
export type ChecksumResult = { readonly [algorithm in ChecksumAlgorithm]?: string } & {
  /** The declared values that were compared, when the uploader declared any. */
  readonly expected?: { readonly [algorithm in ChecksumAlgorithm]?: string };
  /** With `expected`: whether every declared value equals the computed one. */
  readonly matches?: boolean;
  /** Expectations were consulted (a manifest was given) but list nothing for this file. */
  readonly unlisted?: true;
};

export interface ChecksumCheckOptions {
  /** Algorithms to compute for every file. Default `['sha256']`. Declared checksums add theirs. */
  readonly algorithms?: readonly ChecksumAlgorithm[];
  /**
   * Hash local files in the process's worker threads (LocalFilePool, one per
   * core). Default true. `false` hashes on the calling thread through
   * `FileRef.stream()`, as is always done for files that are not local.
   */
  readonly inWorkers?: boolean;
}

export const CHECKSUM_CHECK_VERSION = '1.0.0';

const hashWasmVersion = (createRequire(import.meta.url)('hash-wasm/package.json') as { version: string }).version;
/** The task module the workers run (compiled JavaScript, see compiledScript). */
const HASH_TASK = compiledScript(new URL('./hash-task.js', import.meta.url)).href;

/** Made once: it is put in every result. */
const TOOL: ToolInfo = Object.freeze({
  name: 'node:crypto + hash-wasm',
  version: `OpenSSL ${process.versions.openssl}; hash-wasm ${hashWasmVersion}`,
});

/**
 * Computes every requested checksum of a file in one pass and compares them
 * with the checksums the uploader declared (`FileRef.expected`).
 *
 * @example
 * ```ts
 * const check = checksumCheck({ algorithms: ['sha256', 'md5'] });
 * ```
 */
export function checksumCheck(options: ChecksumCheckOptions = {}): FileCheck<ChecksumResult> {
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  if (algorithms.length === 0) throw new RangeError('the checksum check needs at least one algorithm');
  const inWorkers = options.inWorkers ?? true;
  let pool: LocalFilePool | undefined;
  // One spec per set of algorithms, reused: the pool sends each spec to a worker once.
  const specs = new Map<string, TaskSpec>();
  const hashTask = (algorithms: readonly ChecksumAlgorithm[]): TaskSpec => {
    const key = algorithms.join(',');
    let spec = specs.get(key);
    if (!spec) specs.set(key, (spec = { module: HASH_TASK, params: { algorithms } satisfies HashParams }));
    return spec;
  };

  return {
    name: 'checksum',
    version: CHECKSUM_CHECK_VERSION,

    async init() {
      if (inWorkers) {
        pool = LocalFilePool.acquire();
        pool.prepare(hashTask(algorithms));
      }
    },

    async check(file, ctx) {
      const wanted = algorithmsFor(file, algorithms);
      const job = localFileJob(file);
      const digests =
        job && pool
          ? await pool.run<Record<string, string>>(
              job,
              hashTask(wanted),
              // Only large files are read long enough to be worth interrupting, and wait for a worker
              // of their own (their budget starts when one takes them); asking for the signal costs,
              // so small ones do not.
              {
                ...(file.size > WHOLE_FILE_HASH_LIMIT ? { signal: ctx.signal, long: true, budget: ctx } : {}),
                onProgress: ctx.progress,
              },
            )
          : await hashStream(file, wanted, ctx);
      return compare(digests, file);
    },

    async close() {
      await pool?.release();
      pool = undefined;
    },

    describe: () => TOOL,
  };
}

/** The requested algorithms, plus any the uploader declared a value for. */
function algorithmsFor(file: FileRef, requested: readonly ChecksumAlgorithm[]): readonly ChecksumAlgorithm[] {
  const declared = file.expected?.checksums;
  if (!declared) return requested;
  const wanted = new Set(requested);
  for (const algorithm of Object.keys(declared)) {
    if (!isChecksumAlgorithm(algorithm)) {
      throw new CheckError(
        'UNSUPPORTED_ALGORITHM',
        `${file.path}: a ${algorithm} checksum was declared, but tdr-checks cannot compute ${algorithm}`,
      );
    }
    wanted.add(algorithm);
  }
  return [...wanted];
}

async function hashStream(
  file: FileRef,
  algorithms: readonly ChecksumAlgorithm[],
  ctx: CheckContext,
): Promise<Record<string, string>> {
  const hasher = await createMultiHasher(algorithms);
  let bytesDone = 0;
  for await (const chunk of file.stream(ctx.signal)) {
    hasher.update(chunk);
    bytesDone += chunk.byteLength;
    ctx.progress(bytesDone);
  }
  return hasher.digest();
}

function compare(digests: Record<string, string>, file: FileRef): ChecksumResult {
  const expectedFacts = file.expected;
  if (!expectedFacts) return digests;
  const declared = expectedFacts.checksums;
  if (!declared || Object.keys(declared).length === 0) {
    return expectedFacts.source === undefined ? digests : { ...digests, unlisted: true };
  }
  const expected: Record<string, string> = {};
  let matches = true;
  for (const [algorithm, value] of Object.entries(declared)) {
    expected[algorithm] = value.toLowerCase();
    if (digests[algorithm] !== expected[algorithm]) matches = false;
  }
  return { ...digests, expected, matches };
}
