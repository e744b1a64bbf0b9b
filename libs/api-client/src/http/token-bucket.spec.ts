import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through, then paces takes at the rate', async () => {
    const bucket = new TokenBucket(100, 2); // 10 ms a token
    const started = performance.now();
    for (let i = 0; i < 12; i++) await bucket.take();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90); // 10 takes past the burst
    expect(elapsed).toBeLessThan(5000); // a loose bound: the machine is shared
  });

  it('rejects a take when its signal aborts', async () => {
    const bucket = new TokenBucket(1, 1);
    await bucket.take();
    await expect(bucket.take(AbortSignal.timeout(20))).rejects.toThrow(/abort|timeout/i);
    // The queue goes on after a rejected take.
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(bucket.take(controller.signal)).rejects.toThrow('stop');
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
