import { CheckError, ErrorCode } from '../errors.js';
import type { FileCheck, ToolInfo } from '../types.js';
import { compiledScript } from '../workers/compiled-script.js';
import { LocalFilePool } from '../workers/LocalFilePool.js';
import { localFileJob, type TaskSpec } from '../workers/protocol.js';
import { identifyFile } from './identify-file.js';
import type { IdentifyParams } from './identify-task.js';
import type { FormatResult } from './result.js';
import {
  DEFAULT_WINDOW_BYTES,
  findSignatureFiles,
  loadSignatures,
  readWindow,
  WHOLE_FILE_MATCH_BYTES,
  type PronomSignatures,
} from './signatures/index.js';
import { HOW_TO_GET_SIGNATURES } from './store/index.js';

export const FORMAT_CHECK_VERSION = '1.0.0';

export interface FormatCheckOptions {
  /** The folder holding the PRONOM signature files (the runner resolves `--signatures`, `TDR_SIGNATURES_DIR`, the per-user default). */
  readonly signaturesDir: string;
  /** How that folder was chosen, for messages (`--signatures`, `TDR_SIGNATURES_DIR`, `the per-user default`). */
  readonly signaturesDirSource?: string;
  /** Bytes read from each end of a file (DROID's "max bytes to scan"). Default 64 KiB. */
  readonly windowBytes?: number;
  /** Where the compiled signatures are cached; `false` for no cache. Default: the per-user cache folder. */
  readonly cacheDir?: string | false;
  /**
   * Binary signatures of formats that also have container signatures:
   * `'use'` (default, as siegfried) reports such a format from its bytes when
   * its container cannot be read; `'ignore'` (DROID) never does.
   */
  readonly containerFormatBinarySignatures?: 'use' | 'ignore';
  /**
   * Identify local files in the process's worker threads (LocalFilePool),
   * where they are read with the other checks' tasks. Default true. Files
   * that are not local are identified on the calling thread.
   */
  readonly inWorkers?: boolean;
}

/** The task module the workers run (compiled JavaScript, see compiledScript). */
const IDENTIFY_TASK = compiledScript(new URL('./identify-task.js', import.meta.url)).href;

/**
 * Identifies each file's PRONOM format from the DROID signature files:
 * binary signatures on the first and last bytes, then, for ZIP and OLE2
 * files, container signatures on their entries; extension-only when no
 * signature matches. Reads a bounded window whatever the file's size.
 *
 * @example
 * ```ts
 * const check = formatCheck({ signaturesDir: '/opt/pronom' });
 * ```
 */
export function formatCheck(options: FormatCheckOptions): FileCheck<FormatResult> {
  const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const mode = options.containerFormatBinarySignatures ?? 'use';
  let signatures: PronomSignatures | undefined;
  let unavailable: CheckError | undefined;
  let pool: LocalFilePool | undefined;
  let task: TaskSpec | undefined;
  let tool: ToolInfo = { name: 'tdr-checks PRONOM engine', version: FORMAT_CHECK_VERSION, data: { binarySignatures: 'none' } };

  return {
    name: 'format',
    version: FORMAT_CHECK_VERSION,

    async init(ctx) {
      // The workers start (~50 ms) while the signatures load.
      if (options.inWorkers ?? true) pool = LocalFilePool.acquire();
      try {
        const files = findSignatureFiles(options.signaturesDir);
        signatures = await loadSignatures(files, {
          ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
          logger: ctx.logger,
        });
        const versions = signatures.versions;
        if (pool) {
          const key = `pronom:${versions.binary.sha256}:${versions.container?.sha256 ?? 'none'}`;
          pool.share(key, signatures.serialized());
          task = { module: IDENTIFY_TASK, params: { signaturesKey: key, windowBytes, containerFormatBinarySignatures: mode } satisfies IdentifyParams };
          pool.prepare(task);
        }
        tool = {
          name: 'tdr-checks PRONOM engine',
          version: FORMAT_CHECK_VERSION,
          data: {
            binarySignatures: versions.binary.display,
            ...(versions.container ? { containerSignatures: versions.container.display } : {}),
          },
        };
      } catch (error) {
        // Not fatal for the run (the other checks still run); every file says why, never a silent pass.
        const from = options.signaturesDirSource ? ` (chosen by ${options.signaturesDirSource})` : '';
        unavailable = new CheckError(
          ErrorCode.NotConfigured,
          `no usable PRONOM signature files in ${options.signaturesDir}${from}: ${(error as Error).message}. ${HOW_TO_GET_SIGNATURES}`,
        );
        ctx.logger.warn(unavailable.message);
      }
    },

    async check(file, ctx) {
      if (unavailable || !signatures) throw unavailable ?? new CheckError(ErrorCode.NotConfigured, 'the format check was not initialised');
      const job = localFileJob(file);
      if (pool && task && job) return pool.run<FormatResult>(job, task);
      const window = await readWindow(file, windowBytes, ctx.signal, WHOLE_FILE_MATCH_BYTES);
      const source = { size: file.size, read: (position: number, length: number) => file.read(position, length, ctx.signal) };
      return identifyFile(signatures, source, window, file.path, mode);
    },

    async close() {
      await pool?.release();
      pool = undefined;
    },

    describe: () => tool,
  };
}
