import { CheckError, ErrorCode } from '../../errors.js';
import { AntivirusErrorCode } from '../codes.js';
import type { ClamdAddress } from './address.js';
import { ClamdSession } from './session.js';

/** How many scans a pool runs at once, and how long it waits to connect. */
export interface SessionPoolOptions {
  /** Scans in flight at most (one per session). */
  readonly size: number;
  readonly connectTimeoutMs: number;
}

/**
 * A few reusable clamd sessions, and a bound on the scans in flight: a
 * scan waits for a free session rather than opening a connection per file,
 * so clamd's thread pool (MaxThreads, default 10) and queue are never
 * flooded by a run of thousands of files.
 */
export class SessionPool {
  readonly #address: ClamdAddress;
  readonly #options: SessionPoolOptions;
  readonly #idle: ClamdSession[] = [];
  readonly #waiters: Array<() => void> = [];
  #inUse = 0;
  #closed = false;

  constructor(address: ClamdAddress, options: SessionPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`scans in flight must be a whole number above 0, got ${options.size}`);
    this.#address = address;
    this.#options = options;
  }

  /**
   * Runs `work` on a session of its own. A session that failed is
   * destroyed, not returned. When a reused session turns out to have been
   * closed by clamd meanwhile (an idle timeout), `work` runs once more on a
   * new one: a scan has no side effects.
   */
  async use<T>(work: (session: ClamdSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      const session = await this.#session(signal);
      const reused = !session.fresh;
      try {
        return await this.#run(session, work);
      } catch (error) {
        const stale = reused && error instanceof CheckError && error.code === AntivirusErrorCode.ConnectionLost && !signal?.aborted;
        if (!stale) throw error;
        return await this.#run(await this.#open(signal), work);
      }
    } finally {
      this.#release();
    }
  }

  /** Ends every idle session; sessions in use end when their work does. */
  close(): void {
    this.#closed = true;
    for (const session of this.#idle.splice(0)) session.close();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #run<T>(session: ClamdSession, work: (session: ClamdSession) => Promise<T>): Promise<T> {
    try {
      const result = await work(session);
      if (session.usable && !this.#closed) this.#idle.push(session);
      else session.close();
      return result;
    } catch (error) {
      session.destroy();
      throw error;
    }
  }

  async #session(signal: AbortSignal | undefined): Promise<ClamdSession> {
    let session: ClamdSession | undefined;
    while ((session = this.#idle.pop())) {
      if (session.usable) return session;
      session.destroy();
    }
    return this.#open(signal);
  }

  #open(signal: AbortSignal | undefined): Promise<ClamdSession> {
    return ClamdSession.open(this.#address, { timeoutMs: this.#options.connectTimeoutMs, ...(signal ? { signal } : {}) });
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the clamd session pool is closed'));
    if (this.#inUse < this.#options.size) {
      this.#inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(wake);
        if (at >= 0) this.#waiters.splice(at, 1);
        const reason: unknown = signal?.reason;
        if (reason instanceof CheckError) return reject(reason);
        const detail = reason instanceof Error ? ` (${reason.message})` : '';
        reject(new CheckError(ErrorCode.Aborted, `the scan was stopped while it waited for a free clamd connection${detail}`, { retryable: true }));
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        if (this.#closed) return reject(new Error('the clamd session pool is closed'));
        this.#inUse++;
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(wake);
    });
  }

  #release(): void {
    this.#inUse--;
    this.#waiters.shift()?.();
  }
}
