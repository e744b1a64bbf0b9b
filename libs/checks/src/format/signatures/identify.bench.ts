/**
 * How fast binary identification and loading are, on the real V122 files:
 *
 *   npx vitest bench --run --root libs/checks src/format/signatures/identify.bench.ts
 *
 * One call identifies one window (they take turns from a fixed set), so
 * the reported time per call is the time per file. Random bytes stand for
 * most real content (compressed streams in JPEG, MP4, ZIP, PDF); text and
 * zero-filled files are the slow cases of the prefilter's word-sampled scan.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { bench, describe } from 'vitest';
import { identify } from './identify.js';
import { findSignatureFiles, loadSignatures } from './load.js';
import { type CompiledModel, PronomSignatures } from './model.js';
import { sharedTestDataDir } from './test-support.js';
import type { ByteWindow } from './types.js';

const shared = sharedTestDataDir();
const signatures = await loadSignatures(findSignatureFiles(join(shared, 'pronom')), {
  cacheDir: mkdtempSync(join(tmpdir(), 'tdr-pronom-bench-')),
});
const payload = serialize(signatures.model);

let seed = 12_345;
const byte = (): number => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
  return seed >>> 23;
};
const bytes = (length: number, next: () => number = byte): Buffer => Buffer.from(Array.from({ length }, next));
const whole = (buf: Buffer): ByteWindow => ({ size: buf.length, head: buf, tail: buf });

const random = Array.from({ length: 400 }, () => whole(bytes(1024 + ((byte() << 8) | byte()) % (63 * 1024))));
const large = Array.from({ length: 40 }, (): ByteWindow => ({ size: 10_000_000, head: bytes(65_536), tail: bytes(65_536) }));
const prose = readFileSync(join(shared, 'DESIGN.md'));
const text = Array.from({ length: 100 }, () => {
  const start = (byte() << 8) | byte();
  const length = 1024 + (((byte() << 8) | byte()) % (30 * 1024));
  return whole(Buffer.from(Array.from({ length }, (_, i) => prose[(start + i) % prose.length] as number)));
});
const zeros = [whole(Buffer.alloc(65_536))];
const skeleton = join(shared, 'corpus', 'skeleton');
const corpus = readFileSync(join(skeleton, 'manifest.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .filter((line) => line.split('\t')[2] === 'binary')
  .map((line) => whole(readFileSync(join(skeleton, line.split('\t')[0] as string))));

function turns(windows: readonly ByteWindow[]): () => void {
  let next = 0;
  return () => {
    identify(signatures, windows[next] as ByteWindow, 'file.bin');
    next = (next + 1) % windows.length;
  };
}

describe('identify, per file', () => {
  bench('random bytes, 1–64 KiB (whole file in the window)', turns(random));
  bench('random bytes, 10 MB file (64 KiB head and tail)', turns(large));
  bench('skeleton corpus binary samples', turns(corpus));
  bench('text, 1–31 KiB', turns(text));
  bench('zeros, 64 KiB', turns(zeros));
});

describe('loading in a worker', () => {
  bench('v8.deserialize(model) + new PronomSignatures', () => {
    new PronomSignatures(deserialize(payload) as CompiledModel);
  });
  const model = deserialize(payload) as CompiledModel;
  bench('new PronomSignatures(model)', () => {
    new PronomSignatures(model);
  });
});
