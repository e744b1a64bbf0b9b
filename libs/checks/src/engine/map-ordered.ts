/**
 * Maps `source` through `fn` with at most `concurrency` calls running, and
 * yields the results in the order of `source` — so a report is the same
 * whatever finished first.
 *
 * Items are pulled from `source` only as calls start (a listing of a million
 * files is never held whole). Results that finished ahead of a slow one wait
 * in a buffer of at most `maxBuffered`; when it is full no new call starts
 * until the slow one is done, which bounds memory. A call that rejects
 * surfaces when the consumer reaches its item.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  maxBuffered = Math.max(256, concurrency * 16),
): AsyncGenerator<R> {
  for await (const results of mapOrderedBatches(inBatchesOfOne(source), concurrency, fn, maxBuffered)) yield* results;
}

/**
 * `mapOrdered` for a source that comes in batches (a listing worker hands
 * over hundreds of entries at once), yielding results in batches too: each
 * time, every result that is ready in order. The same order, bounds and
 * error rules; what changes is the cost per item, a callback instead of two
 * trips through async generators (measured: most of the engine's own time
 * per file when files are small). Once `signal` aborts, no further item
 * starts and the generator ends with its reason after the started ones.
 */
export async function* mapOrderedBatches<T, R>(
  source: AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  maxBuffered = Math.max(256, concurrency * 16),
  signal?: AbortSignal,
): AsyncGenerator<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<readonly T[]>)[Symbol.iterator]();
  /** Calls started and not yet yielded, in source order. */
  const slots: Slot<R>[] = [];
  /** The batch being started, and how far. */
  let batch: readonly T[] = [];
  let next = 0;
  let running = 0;
  let exhausted = false;
  let pulling = false;
  let sourceError: { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => (wake = resolve));

  const hasRoom = (): boolean => running < concurrency && slots.length < maxBuffered;
  /** Once `signal` aborts no more items start: the rest of the batch in hand is dropped like the unlisted rest. */
  const stopIfAborted = (): void => {
    if (signal?.aborted !== true || sourceError !== undefined) return;
    sourceError = { error: signal.reason };
    exhausted = true;
    batch = [];
    next = 0;
  };
  const settled = (): void => {
    running--;
    wake();
    fill();
  };
  const start = (item: T): void => {
    const slot: Slot<R> = { state: 'running', value: undefined, error: undefined };
    slots.push(slot);
    running++;
    let call: Promise<R>;
    try {
      call = fn(item);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => {
        slot.state = 'ok';
        slot.value = value;
        settled();
      },
      (error: unknown) => {
        slot.state = 'failed';
        slot.error = error;
        settled();
      },
    );
  };
  const pull = async (): Promise<void> => {
    pulling = true;
    try {
      while (!exhausted && next >= batch.length && hasRoom()) {
        const result = await iterator.next();
        if (result.done) {
          exhausted = true;
          break;
        }
        batch = result.value;
        next = 0;
        stopIfAborted();
        while (next < batch.length && hasRoom()) start(batch[next++] as T);
      }
    } catch (error) {
      sourceError = { error };
      exhausted = true;
    } finally {
      pulling = false;
      wake();
    }
  };
  function fill(): void {
    stopIfAborted();
    while (next < batch.length && hasRoom()) start(batch[next++] as T);
    if (!pulling && !exhausted && next >= batch.length && hasRoom()) void pull();
  }

  try {
    fill();
    for (;;) {
      let ready = 0;
      while (ready < slots.length && (slots[ready] as Slot<R>).state === 'ok') ready++;
      if (ready > 0) {
        const results = slots.splice(0, ready).map((slot) => slot.value as R);
        fill();
        yield results;
        continue;
      }
      const head = slots[0];
      if (head?.state === 'failed') {
        slots.shift();
        fill();
        throw head.error;
      }
      if (head === undefined && exhausted && !pulling && next >= batch.length) {
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

interface Slot<R> {
  state: 'running' | 'ok' | 'failed';
  value: R | undefined;
  error: unknown;
}

async function* inBatchesOfOne<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<readonly T[]> {
  for await (const item of source) yield [item];
}
