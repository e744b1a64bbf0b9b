import { connect, type Socket } from 'node:net';
import { CheckError, ErrorCode } from '../../errors.js';
import { AntivirusErrorCode } from '../codes.js';
import { formatClamdAddress, type ClamdAddress } from './address.js';

/** Bytes of file data in one INSTREAM chunk: large enough that the 4-byte headers cost nothing. */
export const INSTREAM_CHUNK_BYTES = 256 * 1024;

/** Limits of one exchange with clamd. */
export interface ExchangeOptions {
  /** Aborts the exchange; the connection is destroyed (clamd cannot be told to stop a scan). */
  readonly signal?: AbortSignal;
  /** Milliseconds before an unanswered exchange fails with CLAMD_TIMEOUT. */
  readonly timeoutMs: number;
}

/**
 * One connection to clamd in `IDSESSION` mode, carrying one command at a
 * time. A session is reused for many scans (no connect per file); it is
 * destroyed, never reused, after anything goes wrong in it, because clamd
 * may still be answering the command we gave up on.
 *
 * One command at a time, not pipelined: clamd answers a session's commands
 * out of order and closes the whole session when one INSTREAM passes
 * StreamMaxLength, which would take the other scans in it down too. Scans
 * run in parallel over several sessions instead (see SessionPool).
 */
export class ClamdSession {
  readonly #socket: Socket;
  readonly #address: string;
  #buffer = '';
  #nextId = 1;
  #waiting: { resolve: (reply: string) => void; reject: (error: Error) => void } | undefined;
  #broken: Error | undefined;
  /** Commands answered in this session; 0 means it is fresh (for "was the connection stale?"). */
  #answered = 0;

  private constructor(socket: Socket, address: ClamdAddress) {
    this.#socket = socket;
    this.#address = formatClamdAddress(address);
    socket.setEncoding('utf8'); // replies echo file names, which reach us as UTF-8 (others are INVALID_FILE_NAME upstream)
    socket.on('data', (text: string) => this.#receive(text));
    socket.on('error', (error) => this.#fail(lostError(this.#address, error)));
    socket.on('close', () => this.#fail(lostError(this.#address)));
  }

  /**
   * Connects and starts a session.
   * @throws CheckError CLAMD_UNAVAILABLE when nothing answers at the address in time.
   */
  static open(address: ClamdAddress, options: ExchangeOptions): Promise<ClamdSession> {
    const where = formatClamdAddress(address);
    return new Promise((resolve, reject) => {
      const socket = address.kind === 'socket' ? connect(address.path) : connect(address.port, address.host);
      const fail = (error: Error): void => {
        cleanup();
        socket.destroy();
        reject(error);
      };
      const onError = (error: Error): void => fail(unavailableError(where, error));
      const onAbort = (): void => fail(abortedError(options.signal));
      const timer = setTimeout(() => fail(unavailableError(where, new Error(`no connection within ${options.timeoutMs} ms`))), options.timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => {
        cleanup();
        socket.setNoDelay(true);
        const session = new ClamdSession(socket, address);
        socket.write('zIDSESSION\0');
        resolve(session);
      });
    });
  }

  /** Whether the session can take another command. */
  get usable(): boolean {
    return this.#broken === undefined && this.#waiting === undefined && !this.#socket.destroyed;
  }

  /** Whether no command has been answered in this session yet. */
  get fresh(): boolean {
    return this.#answered === 0;
  }

  /** Sends `z<command>\0` and returns clamd's answer (without the `<id>: ` prefix). */
  async command(command: string, options: ExchangeOptions): Promise<string> {
    return this.#exchange(options, async () => {
      this.#socket.write(`z${command}\0`, 'utf8');
    });
  }

  /**
   * Streams bytes with `INSTREAM` (4-byte big-endian length, then the data;
   * a zero length ends it) and returns clamd's answer. Stops sending as soon
   * as clamd answers early (StreamMaxLength passed).
   */
  async instream(chunks: AsyncIterable<Uint8Array>, options: ExchangeOptions): Promise<string> {
    let answered = false;
    return this.#exchange(
      options,
      async () => {
        this.#socket.write('zINSTREAM\0');
        for await (const chunk of chunks) {
          for (let offset = 0; offset < chunk.byteLength; offset += INSTREAM_CHUNK_BYTES) {
            if (answered || this.#broken) return;
            const piece = chunk.subarray(offset, offset + INSTREAM_CHUNK_BYTES);
            const header = Buffer.allocUnsafe(4);
            header.writeUInt32BE(piece.byteLength);
            this.#socket.write(header);
            if (!this.#socket.write(piece)) await this.#drained();
          }
        }
        if (!answered && !this.#broken) this.#socket.write(Buffer.alloc(4));
      },
      () => (answered = true),
    );
  }

  /** Ends the session politely (`END`), then the connection. */
  close(): void {
    if (this.usable) this.#socket.end('zEND\0');
    else this.#socket.destroy();
    this.#broken ??= new Error('session closed');
  }

  /** Drops the connection at once (a command may still be running in clamd). */
  destroy(): void {
    this.#broken ??= new Error('session destroyed');
    this.#socket.destroy();
  }

  async #exchange(options: ExchangeOptions, send: () => Promise<void>, onAnswer?: () => void): Promise<string> {
    if (!this.usable) throw this.#broken ?? new Error('a command is already under way in this clamd session');
    const id = this.#nextId++;
    const reply = new Promise<string>((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
    const timer = setTimeout(
      () => this.#fail(new CheckError(AntivirusErrorCode.Timeout, `clamd at ${this.#address} did not answer within ${options.timeoutMs} ms`, { retryable: true })),
      options.timeoutMs,
    );
    const onAbort = (): void => this.#fail(abortedError(options.signal));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      const sending = send().catch((error: unknown) => this.#fail(error instanceof Error ? error : new Error(String(error))));
      const text = await reply;
      onAnswer?.();
      await sending;
      const prefix = `${id}: `;
      if (!text.startsWith(prefix)) {
        // An answer to another command: the session is out of step; never trust it again.
        this.destroy();
        throw new CheckError(AntivirusErrorCode.ScanFailed, `clamd at ${this.#address} answered "${text}" where command ${id}'s answer was due`);
      }
      this.#answered++;
      return text.slice(prefix.length);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.#waiting = undefined;
    }
  }

  #receive(text: string): void {
    this.#buffer += text;
    let end: number;
    while ((end = this.#buffer.indexOf('\0')) >= 0) {
      const reply = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      const waiting = this.#waiting;
      if (!waiting) {
        this.#fail(new CheckError(AntivirusErrorCode.ScanFailed, `clamd at ${this.#address} sent "${reply}" unasked`));
        return;
      }
      this.#waiting = undefined;
      waiting.resolve(reply);
    }
  }

  /** Marks the session broken, rejects what waits, and drops the connection. */
  #fail(error: Error): void {
    this.#broken ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
    this.#socket.destroy();
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }
}

function unavailableError(where: string, cause: Error): CheckError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no socket there'
      : code === 'ECONNREFUSED'
        ? 'connection refused: clamd is not running, or still loading its database'
        : code === 'EACCES'
          ? 'no permission to use the socket'
          : cause.message;
  return new CheckError(AntivirusErrorCode.Unavailable, `cannot reach clamd at ${where} (${why})`, { retryable: true, cause });
}

function lostError(where: string, cause?: Error): CheckError {
  const detail = cause ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : '';
  return new CheckError(AntivirusErrorCode.ConnectionLost, `clamd at ${where} closed the connection before answering${detail}: it may have stopped or restarted`, {
    retryable: true,
    ...(cause ? { cause } : {}),
  });
}

function abortedError(signal: AbortSignal | undefined): CheckError {
  const reason: unknown = signal?.reason;
  if (reason instanceof CheckError) return reason;
  return new CheckError(ErrorCode.Aborted, `the scan was stopped before clamd answered${reason instanceof Error ? ` (${reason.message})` : ''}`, {
    retryable: true,
  });
}
