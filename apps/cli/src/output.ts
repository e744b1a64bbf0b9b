import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_AFTER_MS = 100;

/**
 * Where the report goes: standard output or a file. Buffers small writes
 * into large ones (stdout to a pipe is synchronous on Linux, so one write
 * per line would cost a system call per file), but never holds a line back
 * for more than FLUSH_AFTER_MS, so a reader downstream (`| jq`) sees each
 * file soon after it is checked.
 */
export class ReportOutput {
  readonly #write: (text: string) => Promise<void>;
  readonly #finish: () => Promise<void>;
  #buffer: string[] = [];
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;
  #failure: unknown;

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
    if (this.#failure) throw this.#failure;
    if (text.length === 0) return;
    this.#buffer.push(text);
    this.#buffered += text.length;
    if (this.#buffered >= 64 * 1024) await this.flush();
    else this.#timer ??= setTimeout(() => this.flush().catch((error: unknown) => (this.#failure = error)), FLUSH_AFTER_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
