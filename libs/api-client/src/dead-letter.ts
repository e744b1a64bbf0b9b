import { open, readFile } from 'node:fs/promises';
import type { ResultEnvelope } from '@tdr/checks';

/**
 * A JSON-lines file of results that could not be delivered: one envelope a
 * line, exactly as it would have been sent (without its idempotency key,
 * which is derived). Each append is one `write` to a file opened with
 * `O_APPEND`, then `fdatasync`: lines from other appenders never interleave
 * with it, and a line is on disk before the append resolves. Appends of one
 * `DeadLetterFile` are made one after the other.
 *
 * @example
 * ```ts
 * const deadLetters = new DeadLetterFile('undelivered.jsonl');
 * await deadLetters.append([JSON.stringify(envelope)]);
 * await sink.write(await readDeadLetters('undelivered.jsonl')); // deliver them again later
 * ```
 */
export class DeadLetterFile {
  #tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends envelopes given as JSON texts (one line each). */
  append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return this.#tail;
    const text = `${lines.join('\n')}\n`;
    const done = this.#tail.then(() => appendDurably(this.path, text));
    this.#tail = done.catch(() => undefined);
    return done;
  }
}

async function appendDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    const bytes = Buffer.from(text, 'utf8');
    // One write call: O_APPEND places it at the end as a whole. Regular files take it in one go.
    let written = 0;
    while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * The envelopes of a dead-letter (or any JSON-lines envelope) file, to
 * deliver again. Blank lines are skipped.
 */
export async function readDeadLetters(path: string): Promise<ResultEnvelope[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ResultEnvelope);
}
