/** The flags check's work in a LocalFilePool worker. */
import { windowOf } from '../format/signatures/window.js';
import type { LocalFileTask } from '../workers/task.js';
import { inspectFile } from './inspect.js';
import type { FlagsResult } from './result.js';

export interface InspectParams {
  readonly windowBytes: number;
}

export const task: LocalFileTask<InspectParams, FlagsResult> = {
  run: (file, params) => inspectFile(file.randomAccess(), windowOf(file, params.windowBytes)),
};
