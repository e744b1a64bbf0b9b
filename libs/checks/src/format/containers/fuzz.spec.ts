/**
 * Property tests: whatever bytes the readers are given, they end (within a
 * time bound), throw nothing but ContainerError, and keep memory bounded.
 * Inputs are random bytes, random bytes behind or before a valid-looking
 * end record or header, and valid archives damaged by bit flips,
 * truncations, insertions, deletions and overwritten 32-bit fields (with
 * the values that mean something in these formats).
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCfb } from './cfb.js';
import { buildCfb, buildZip, ByteWriter, concat, deflatedZeros, memorySource, setU32 } from './test-support.js';
import { ContainerError, type ContainerView, type RandomAccess } from './types.js';
import { openZip } from './zip.js';

/** Runs per property; set CONTAINER_FUZZ_RUNS to fuzz longer locally. */
const RUNS = Number(process.env['CONTAINER_FUZZ_RUNS'] ?? 250);
/** Per test: room for the slowest seed (the bomb, ~30 ms a run) at that many runs. */
const TEST_TIMEOUT_MS = Math.max(30_000, RUNS * 50);
/** Each run must end within this (an open plus a few reads of a small file). */
const RUN_TIMEOUT_MS = 5_000;
/** How far `arrayBuffers` may rise above where it started, at any sample. */
const PEAK_GROWTH = 384 * 1024 * 1024;
/** How far it may stay above after a collection, when all runs are done (nothing kept). */
const RETAINED_GROWTH = 32 * 1024 * 1024;

/** `gc()` without starting node with --expose-gc, when V8 allows it; else nothing. */
function collector(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // fall through: measure without collecting
  }
  return () => undefined;
}
const collect = collector();
/** A full collection; array buffers are freed after it, off the main thread, hence the pause and second pass. */
async function gc(): Promise<void> {
  collect();
  await new Promise((resolve) => setTimeout(resolve, 50));
  collect();
}

let baseline = 0;
let peak = 0;
function sample(): void {
  peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
}

beforeAll(async () => {
  await gc();
  baseline = process.memoryUsage().arrayBuffers;
});

afterAll(async () => {
  await gc();
  const retained = process.memoryUsage().arrayBuffers - baseline;
  console.info(`fuzz: ${JSON.stringify(reached)}; arrayBuffers peak +${(peak / 2 ** 20).toFixed(1)} MiB, retained +${(retained / 2 ** 20).toFixed(1)} MiB`);
  expect(peak).toBeLessThan(PEAK_GROWTH);
  expect(retained).toBeLessThan(RETAINED_GROWTH);
});

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fails the property on anything thrown that is not a ContainerError. */
function onlyContainerErrors(error: unknown): void {
  if (!(error instanceof ContainerError)) throw error;
  expect(['NOT_A_CONTAINER', 'MALFORMED', 'LIMIT_EXCEEDED', 'ENCRYPTED', 'UNSUPPORTED']).toContain(error.code);
}

type Opener = (source: RandomAccess) => Promise<ContainerView>;

/** What the runs reached, so a property cannot pass by failing every input at the first check. */
const reached = { runs: 0, opened: 0, reads: 0, readOk: 0 };

/** Opens, then reads every path (up to 40) with no bytes, a signature's worth, and everything. */
async function exercise(open: Opener, bytes: Uint8Array): Promise<void> {
  let view: ContainerView;
  reached.runs++;
  try {
    view = await open(memorySource(bytes));
  } catch (error) {
    onlyContainerErrors(error);
    return;
  }
  reached.opened++;
  const paths = view.paths();
  expect(new Set(paths).size).toBe(paths.length);
  for (const path of paths.slice(0, 40)) {
    expect(view.has(path)).toBe(true);
    for (const max of [0, 4096, Number.POSITIVE_INFINITY]) {
      reached.reads++;
      try {
        const bytesRead = await view.read(path, max);
        expect(bytesRead.byteLength).toBeLessThanOrEqual(max);
        reached.readOk++;
      } catch (error) {
        onlyContainerErrors(error);
      }
    }
  }
}

/**
 * Enough mutated archives still open, and enough of their reads succeed,
 * that the damage is met deep inside, not only at the first check. (A ZIP
 * loses its end record to any truncation, and its offsets to most
 * insertions and deletions, so fewer ZIPs than OLE2 files open.)
 */
function expectDepth(before: typeof reached): void {
  const runs = reached.runs - before.runs;
  const opened = reached.opened - before.opened;
  const reads = reached.reads - before.reads;
  const readOk = reached.readOk - before.readOk;
  expect(opened).toBeGreaterThan(runs * 0.1);
  expect(readOk).toBeGreaterThan(reads * 0.3);
}

async function run(open: Opener, bytes: Uint8Array, what: string): Promise<void> {
  await withTimeout(exercise(open, bytes), what);
  sample();
}

// ------------------------------------------------------------ mutations

/** A position: anywhere, near the start (headers), or near the end (ZIP end records, central directory). */
const position = fc.oneof(fc.nat({ max: 2 ** 31 }), fc.integer({ min: 0, max: 4096 }), fc.integer({ min: -2048, max: -1 }));
const interesting32 = fc.constantFrom(0, 1, 0x40, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0xfffffffa, 0xfffffffc, 0xfffffffd, 0xfffffffe, 0xffffffff);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('word' as const), at: position, value: fc.oneof(interesting32, fc.nat()) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = original.slice();
  for (const m of mutations) {
    if (bytes.byteLength === 0) break;
    const at = m.at >= 0 ? m.at % bytes.byteLength : bytes.byteLength - 1 - ((-m.at - 1) % bytes.byteLength);
    switch (m.kind) {
      case 'flip':
        bytes[at] ^= 1 << m.bit;
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert':
        bytes = concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
        break;
      case 'delete':
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.byteLength, at + m.length)));
        break;
      case 'word':
        if (at + 4 <= bytes.byteLength) setU32(bytes, at, m.value);
        break;
    }
  }
  return bytes;
}

// ------------------------------------------------------------ seeds

function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 131 + (i >>> 7)) & 0xff;
  return out;
}

const zipSeeds: Record<string, Uint8Array> = {
  mixed: buildZip(
    [
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
      { name: 'META-INF/', method: 0 },
      { name: 'META-INF/manifest.xml', data: '<manifest>'.repeat(50) },
      { name: 'content.xml', data: pattern(10_000), dataDescriptor: true },
      { name: 'Pictures/ünïcode.png', data: pattern(300), encrypted: true },
    ],
    { comment: 'a comment' },
  ),
  zip64: buildZip(
    [
      { name: '[Content_Types].xml', data: '<Types/>'.repeat(40), zip64: true },
      { name: 'word/document.xml', data: pattern(5000), zip64: true, dataDescriptor: true },
    ],
    { zip64: true },
  ),
  bomb: (() => {
    const { compressed, crc } = deflatedZeros(8 * 1024 * 1024);
    return buildZip([{ name: 'zeros', compressed, uncompressedSize: 8 * 1024 * 1024, crc }, { name: 'x', data: 'x' }], {
      aliases: Array.from({ length: 12 }, (_, i) => ({ name: `alias${i}`, of: 0 })),
    });
  })(),
};

const cfbSeeds: Record<string, Uint8Array> = {
  v3: buildCfb({
    version: 3,
    streams: [
      { path: '\u0001CompObj', data: 'compobj' },
      { path: '\u0005SummaryInformation', data: pattern(600) },
      { path: 'WordDocument', data: pattern(9000) },
      { path: 'ObjectPool/_1/\u0001Ole', data: 'ole' },
      { path: 'ObjectPool/_1/CONTENTS', data: pattern(4500) },
    ],
    storages: ['Empty'],
  }).bytes,
  v4: buildCfb({
    version: 4,
    streams: [
      { path: 'Workbook', data: pattern(5000) },
      { path: '\u0005DocumentSummaryInformation', data: pattern(200) },
      { path: '__substg1.0_0037001F', data: pattern(64) },
    ],
  }).bytes,
  difat: buildCfb({ version: 3, streams: [{ path: 'PowerPoint Document', data: pattern(6000) }, { path: 'Pictures', data: pattern(100) }], minFatSectors: 120, reverseFat: true }).bytes,
};

// ------------------------------------------------------------ properties

describe('fuzzing the ZIP reader', { timeout: TEST_TIMEOUT_MS }, () => {
  it('random bytes: only ContainerError, always ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (bytes) => run(openZip, bytes, 'openZip on random bytes')),
      { numRuns: RUNS },
    );
  });

  it('random bytes behind a plausible end of central directory record', async () => {
    const end = fc.record({
      body: fc.uint8Array({ maxLength: 4096 }),
      count: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constant(0xffff)),
      size: fc.oneof(fc.nat({ max: 5000 }), fc.constant(0xffffffff)),
      offset: fc.oneof(fc.nat({ max: 5000 }), fc.constant(0xffffffff)),
      zip64Locator: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(end, async ({ body, count, size, offset, zip64Locator }) => {
        const w = new ByteWriter();
        if (zip64Locator) w.u32(0x07064b50).u32(0).u64(Math.floor(body.byteLength / 2)).u32(1);
        w.u32(0x06054b50).u16(0).u16(0).u16(count).u16(count).u32(size).u32(offset).u16(0);
        await run(openZip, concat(body, w.toBytes()), 'openZip on a random body');
      }),
      { numRuns: RUNS },
    );
  });

  for (const [name, seed] of Object.entries(zipSeeds)) {
    it(`mutations of a valid archive (${name}): only ContainerError, always ends, bounded memory`, async () => {
      await run(openZip, seed, `the unmutated ${name} seed`);
      const before = { ...reached };
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) =>
          run(openZip, mutate(seed, mutations), `openZip on a mutated ${name}`),
        ),
        { numRuns: RUNS },
      );
      expectDepth(before);
    });
  }
});

describe('fuzzing the OLE2 reader', { timeout: TEST_TIMEOUT_MS }, () => {
  it('random bytes: only ContainerError, always ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (bytes) => run(openCfb, bytes, 'openCfb on random bytes')),
      { numRuns: RUNS },
    );
  });

  it('random bytes behind a valid header', async () => {
    const header = cfbSeeds.v3.subarray(0, 512);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 8192 }), fc.array(mutation, { maxLength: 2 }), (body, mutations) =>
        run(openCfb, concat(mutate(header, mutations.filter((m) => m.kind !== 'truncate')), body), 'openCfb on a random body'),
      ),
      { numRuns: RUNS },
    );
  });

  for (const [name, seed] of Object.entries(cfbSeeds)) {
    it(`mutations of a valid file (${name}): only ContainerError, always ends, bounded memory`, async () => {
      await run(openCfb, seed, `the unmutated ${name} seed`);
      const before = { ...reached };
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) =>
          run(openCfb, mutate(seed, mutations), `openCfb on a mutated ${name}`),
        ),
        { numRuns: RUNS },
      );
      expectDepth(before);
    });
  }
});
