import { describe, expect, it } from 'vitest';
import { mapOrdered, mapOrderedBatches } from './map-ordered.js';

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

describe('mapOrderedBatches', () => {
  it('yields every result in source order, in batches of what is ready, within the concurrency', async () => {
    let running = 0;
    let peak = 0;
    const batches = [[30, 0, 10], [], [5, 25], [0, 0, 0, 15, 1]];
    const out = await collect(
      mapOrderedBatches(batches, 3, async (ms) => {
        running++;
        peak = Math.max(peak, running);
        await delay(ms);
        running--;
        return ms;
      }),
    );
    expect(out.flat()).toEqual(batches.flat());
    expect(out.every((batch) => batch.length > 0)).toBe(true);
    // The first item was slowest: what finished behind it came out together with it.
    expect(out[0]?.length).toBeGreaterThan(1);
    expect(peak).toBe(3);
  });

  it('starts a large batch a bit at a time, never holding more than the buffer bound', async () => {
    const started: number[] = [];
    const gen = mapOrderedBatches([Array.from({ length: 100 }, (_, i) => i)], 2, async (i) => {
      started.push(i);
      await delay(i === 0 ? 80 : 1);
      return i;
    }, 6);
    const first = await gen.next();
    expect(first.value?.[0]).toBe(0);
    expect(started.length).toBeLessThanOrEqual(1 + 6 + 1);
    await gen.return(undefined);
  });

  it('yields what came before a failing call, then its error; and a source error after the items before it', async () => {
    const failing = mapOrderedBatches([[1, 2], [3, 4]], 4, async (i) => {
      if (i === 3) throw new Error('boom');
      return i;
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const batch of failing) seen.push(...batch);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
    async function* broken() {
      yield [1, 2];
      throw new Error('listing failed');
    }
    const before: number[] = [];
    await expect(
      (async () => {
        for await (const batch of mapOrderedBatches(broken(), 2, async (i) => i)) before.push(...batch);
      })(),
    ).rejects.toThrow('listing failed');
    expect(before).toEqual([1, 2]);
  });

  it('starts nothing more once the signal aborts, and ends with its reason after the started items', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    const started: number[] = [];
    const seen: number[] = [];
    const run = mapOrderedBatches([Array.from({ length: 10 }, (_, i) => i)], 1, async (i) => {
      started.push(i);
      if (i === 2) controller.abort(reason);
      return i;
    }, undefined, controller.signal);
    await expect(
      (async () => {
        for await (const batch of run) seen.push(...batch);
      })(),
    ).rejects.toBe(reason);
    expect(started).toEqual([0, 1, 2]);
    expect(seen).toEqual([0, 1, 2]);
  });
});
