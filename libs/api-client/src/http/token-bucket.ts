import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A token bucket: at most `ratePerSecond` takes per second on average, and
 * bursts of up to `burst`. Waiters are served in order.
 *
 * @example
 * ```ts
 * const limiter = new TokenBucket(20); // 20 requests per second
 * await limiter.take(signal); // before each request
 * ```
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;
  /** The tail of the queue of takers, so they are served first come first served. */
  #queue: Promise<void> = Promise.resolve();

  constructor(ratePerSecond: number, burst: number = Math.max(1, Math.ceil(ratePerSecond))) {
    if (!(ratePerSecond > 0)) throw new RangeError(`requests per second must be positive, not ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, not ${burst}`);
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = performance.now();
  }

  /** Resolves when a token is had (and spends it); rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#takeNow(signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) * this.#rate) / 1000);
      this.#updatedAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.#tokens) * 1000) / this.#rate), undefined, signal ? { signal } : {});
    }
  }
}
