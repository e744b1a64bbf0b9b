import { open, type FileHandle } from 'node:fs/promises';

/**
 * Where the report goes: standard output or a file. Buffers small writes
 * into large ones (stdout to a pipe is synchronous on Linux, so one write
 * per line would cost a system call per file).
 */
export class ReportOutput {
  readonly #write: (text: string) => Promise<void>;
  readonly #finish: () => Promise<void>;
  #buffer: string[] = [];
  #buffered = 0;

  private constructor(write: (text: string) => Promise<void>, finish: () => Promise<void>) {
    this.#write = write;
    this.#finish = finish;
  }

  static stdout(): ReportOutput {
    return new ReportOutput(
      (text) =>
        new Promise((resolve, reject) => {
          process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
        }),
      async () => undefined,
    );
  }

  /** Creates or truncates `path`. */
  static async file(path: string): Promise<ReportOutput> {
    const handle: FileHandle = await open(path, 'w');
    return new ReportOutput(
      async (text) => {
        await handle.write(text);
      },
      () => handle.close(),
    );
  }

  async write(text: string): Promise<void> {
    this.#buffer.push(text);
    this.#buffered += text.length;
    if (this.#buffered >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffered === 0) return;
    const text = this.#buffer.join('');
    this.#buffer = [];
    this.#buffered = 0;
    await this.#write(text);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#finish();
    }
  }
}
