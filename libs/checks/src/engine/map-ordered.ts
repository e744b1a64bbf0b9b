/**
 * Maps `source` through `fn` with at most `concurrency` calls running, and
 * yields the results in the order of `source` — so a report is the same
 * whatever finished first.
 *
 * Items are pulled from `source` only as calls start (a listing of a million
 * files is never held whole). Results that finished ahead of a slow one wait
 * in a buffer of at most `maxBuffered`; when it is full no new call starts
 * until the slow one is done, which bounds memory.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  maxBuffered = Math.max(256, concurrency * 16),
): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const iterator =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const queue: Promise<R>[] = [];
  let running = 0;
  let exhausted = false;
  let pulling = false;
  let sourceError: { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => (wake = resolve));

  const fill = async (): Promise<void> => {
    if (pulling) return;
    pulling = true;
    try {
      while (!exhausted && running < concurrency && queue.length < maxBuffered) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        running++;
        const task = fn(next.value);
        const settled = (): void => {
          running--;
          wake();
          void fill();
        };
        // One handler for both outcomes; a rejection surfaces when the consumer reaches this item.
        task.then(settled, settled);
        queue.push(task);
        wake();
      }
    } catch (error) {
      sourceError = { error };
      exhausted = true;
    } finally {
      pulling = false;
      wake();
    }
  };

  try {
    void fill();
    for (;;) {
      const head = queue.shift();
      if (head) {
        void fill();
        yield await head;
        continue;
      }
      if (exhausted && !pulling) {
        if (sourceError) throw sourceError.error;
        return;
      }
      await woken;
      woken = new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!exhausted) {
      exhausted = true;
      await iterator.return?.();
    }
  }
}
