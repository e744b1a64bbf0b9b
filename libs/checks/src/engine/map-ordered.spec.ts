import { describe, expect, it } from 'vitest';
import { mapOrdered } from './map-ordered.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('mapOrdered', () => {
  it('yields results in input order whatever order they finish in', async () => {
    const input = [50, 10, 30, 0, 20];
    const out = await collect(mapOrdered(input, 5, async (ms) => (await delay(ms), ms)));
    expect(out).toEqual(input);
  });

  it('never runs more than `concurrency` calls at once, and runs that many', async () => {
    let running = 0;
    let peak = 0;
    await collect(
      mapOrdered(Array.from({ length: 40 }, (_, i) => i), 4, async (i) => {
        running++;
        peak = Math.max(peak, running);
        await delay(i % 3);
        running--;
        return i;
      }),
    );
    expect(peak).toBe(4);
  });

  it('keeps working past a slow item, up to the buffer bound', async () => {
    const started: number[] = [];
    const gen = mapOrdered(Array.from({ length: 20 }, (_, i) => i), 2, async (i) => {
      started.push(i);
      await delay(i === 0 ? 100 : 1);
      return i;
    }, 5);
    const first = await gen.next();
    expect(first.value).toBe(0);
    // While item 0 was slow, the other lane went on, but no further than the buffer allows.
    expect(started.length).toBeGreaterThan(2);
    expect(started.length).toBeLessThanOrEqual(1 + 5 + 1);
    await gen.return(undefined);
  });

  it('pulls lazily from an async source and stops pulling when the consumer stops', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    for await (const value of mapOrdered(source(), 3, async (i) => i)) {
      if (value === 5) break;
    }
    expect(pulled).toBeLessThan(50);
  });

  it('propagates a failing call at its position and an error from the source', async () => {
    const failing = mapOrdered([1, 2, 3], 2, async (i) => {
      if (i === 2) throw new Error('boom');
      return i;
    });
    await expect(collect(failing)).rejects.toThrow('boom');
    async function* broken() {
      yield 1;
      throw new Error('listing failed');
    }
    await expect(collect(mapOrdered(broken(), 2, async (i) => i))).rejects.toThrow('listing failed');
  });

  it('handles an empty source and rejects a bad concurrency', async () => {
    expect(await collect(mapOrdered([], 3, async (i) => i))).toEqual([]);
    await expect(collect(mapOrdered([1], 0, async (i) => i))).rejects.toThrow(RangeError);
  });
});
