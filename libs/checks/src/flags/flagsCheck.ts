import type { FileCheck, ToolInfo } from '../types.js';
import { compiledScript } from '../workers/compiled-script.js';
import { LocalFilePool } from '../workers/LocalFilePool.js';
import { localFileJob, type TaskSpec } from '../workers/protocol.js';
import { DEFAULT_WINDOW_BYTES, readWindow } from '../format/signatures/index.js';
import { inspectFile } from './inspect.js';
import type { InspectParams } from './inspect-task.js';
import type { FlagsResult } from './result.js';

export const FLAGS_CHECK_VERSION = '1.0.0';

export interface FlagsCheckOptions {
  /** Bytes read from each end of a file (executable headers, PDF trailers). Default 64 KiB. */
  readonly windowBytes?: number;
  /** Inspect local files in the process's worker threads, with the other checks' tasks. Default true. */
  readonly inWorkers?: boolean;
}

const INSPECT_TASK = compiledScript(new URL('./inspect-task.js', import.meta.url)).href;
const TOOL: ToolInfo = Object.freeze({ name: 'tdr-checks flags', version: FLAGS_CHECK_VERSION });

/**
 * Facts the transfer rules turn into reasons: password protected or
 * encrypted (seen in the structure of ZIP, ODF, OOXML, Word, Excel,
 * PowerPoint and PDF files), executable (PE, ELF, Mach-O header), empty.
 *
 * @example
 * ```ts
 * const check = flagsCheck();
 * ```
 */
export function flagsCheck(options: FlagsCheckOptions = {}): FileCheck<FlagsResult> {
  const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const task: TaskSpec = { module: INSPECT_TASK, params: { windowBytes } satisfies InspectParams };
  let pool: LocalFilePool | undefined;
  return {
    name: 'flags',
    version: FLAGS_CHECK_VERSION,
    async init() {
      if (options.inWorkers ?? true) {
        pool = LocalFilePool.acquire();
        pool.prepare(task);
      }
    },
    async check(file, ctx) {
      const job = localFileJob(file);
      if (pool && job) return pool.run<FlagsResult>(job, task);
      const window = await readWindow(file, windowBytes, ctx.signal);
      return inspectFile({ size: file.size, read: (position, length) => file.read(position, length, ctx.signal) }, window);
    },
    async close() {
      await pool?.release();
      pool = undefined;
    },
    describe: () => TOOL,
  };
}
