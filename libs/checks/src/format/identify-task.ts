/**
 * The format check's work in a LocalFilePool worker: identification of a
 * local file, with the compiled signatures the main thread shared.
 */
import { deserialize } from 'node:v8';
import type { LocalFileTask } from '../workers/task.js';
import { identifyFile } from './identify-file.js';
import type { FormatResult } from './result.js';
import { PronomSignatures, WHOLE_FILE_MATCH_BYTES, windowOf } from './signatures/index.js';

export interface IdentifyParams {
  /** Key of the compiled signatures (`v8.serialize` of the model) shared with the workers. */
  readonly signaturesKey: string;
  readonly windowBytes: number;
  readonly containerFormatBinarySignatures: 'use' | 'ignore';
}

let loaded: { readonly key: string; readonly signatures: PronomSignatures } | undefined;

export const task: LocalFileTask<IdentifyParams, FormatResult> = {
  async prepare(params, ctx) {
    if (loaded?.key === params.signaturesKey) return;
    const model = deserialize(ctx.shared<Uint8Array>(params.signaturesKey)) as ConstructorParameters<typeof PronomSignatures>[0];
    loaded = { key: params.signaturesKey, signatures: new PronomSignatures(model) };
  },

  run(file, params) {
    if (!loaded) throw new Error('the signatures were not prepared');
    const window = windowOf(file, params.windowBytes, WHOLE_FILE_MATCH_BYTES);
    return identifyFile(loaded.signatures, file.randomAccess(), window, file.displayPath, params.containerFormatBinarySignatures);
  },
};
