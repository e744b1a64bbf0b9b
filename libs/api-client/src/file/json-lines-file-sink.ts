import { open, type FileHandle } from 'node:fs/promises';
import type { ResultEnvelope } from '@tdr/checks';
import type { ResultSink } from '../result-sink.js';

/** Options of {@link JsonLinesFileSink}. */
export interface JsonLinesFileSinkOptions {
  /** `append` (default) adds to an existing file; `truncate` starts it empty. */
  readonly mode?: 'append' | 'truncate';
}

/**
 * A `ResultSink` that writes each envelope as one line of JSON to a file.
 * `write` resolves when its lines are written to the file (one `write` call
 * per call: lines of one call are never split by another writer appending
 * to the same file); `close` syncs the file to disk (`fsync`) and closes it.
 *
 * @example
 * ```ts
 * const sink = new JsonLinesFileSink('results.jsonl');
 * await sink.write(envelopesOf(reports));
 * await sink.close();
 * ```
 */
export class JsonLinesFileSink implements ResultSink {
  readonly #opening: Promise<FileHandle>;
  #tail: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    options: JsonLinesFileSinkOptions = {},
  ) {
    this.#opening = open(path, options.mode === 'truncate' ? 'w' : 'a', 0o644);
    this.#opening.catch(() => undefined); // reported by the first write, flush or close
  }

  write(envelopes: readonly ResultEnvelope[]): Promise<void> {
    if (this.#closing) return Promise.reject(new Error(`JsonLinesFileSink ${this.path}: write after close`));
    if (envelopes.length === 0) return this.#tail;
    let text = '';
    for (const envelope of envelopes) text += `${JSON.stringify(envelope)}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const done = this.#tail.then(async () => {
      const handle = await this.#opening;
      let written = 0;
      while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
    });
    this.#tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves when every line written so far is in the file. */
  async flush(): Promise<void> {
    await this.#tail;
    await this.#opening;
  }

  /** Flushes, syncs the file to disk and closes it. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#tail;
      const handle = await this.#opening;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    })();
    return this.#closing;
  }
}
