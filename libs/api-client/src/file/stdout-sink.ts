import type { ResultEnvelope } from '@tdr/checks';
import type { ResultSink } from '../result-sink.js';

/**
 * A `ResultSink` that prints each envelope as one line of JSON, to standard
 * output by default. `write` waits for the stream to drain when its buffer
 * is full (backpressure); `close` waits for what is buffered and leaves the
 * stream open.
 *
 * @example
 * ```ts
 * const sink = new StdoutSink();
 * await sink.write(envelopesOf(reports)); // {"fileId":"…","check":"checksum",…}
 * await sink.close();
 * ```
 */
export class StdoutSink implements ResultSink {
  #closed = false;

  constructor(readonly stream: NodeJS.WritableStream = process.stdout) {}

  async write(envelopes: readonly ResultEnvelope[]): Promise<void> {
    if (this.#closed) throw new Error('StdoutSink: write after close');
    if (envelopes.length === 0) return;
    let text = '';
    for (const envelope of envelopes) text += `${JSON.stringify(envelope)}\n`;
    if (!this.stream.write(text)) await this.#drained();
  }

  async flush(): Promise<void> {
    // Node streams hold nothing back but their buffer; an empty write's callback runs after it.
    await new Promise<void>((done, fail) => this.stream.write('', (error) => (error ? fail(error) : done())));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flush();
  }

  #drained(): Promise<void> {
    return new Promise((done, fail) => {
      const onDrain = (): void => {
        this.stream.off('error', onError);
        done();
      };
      const onError = (error: Error): void => {
        this.stream.off('drain', onDrain);
        fail(error);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }
}
