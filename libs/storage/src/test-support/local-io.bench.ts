/**
 * The two speeds the local source must hold, against their reference tools:
 *
 *   cd /work/main && npx vitest bench --run --root libs/storage
 *
 * - listing 10,000 files (100 folders of 100) with `LocalFileSource` (a new
 *   worker thread per listing, start-up included), next to the same
 *   synchronous walk on the calling thread (what the worker cannot go below)
 *   and `find -L -type f` (what a C program does with `fstatat`);
 * - SHA-256 of a 1 GiB file through `LocalFileRef.stream()` + `node:crypto`,
 *   next to `openssl dgst -sha256` on the same file (both from the page cache).
 *
 * Needs ~1 GiB free in the temp folder; everything is removed afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, bench, describe } from 'vitest';
import { LocalFileRef } from '../local/local-file-ref.js';
import { LocalFileSource } from '../local/local-file-source.js';

// Fixtures are made at load time: bench mode does not run a suite's
// `beforeAll` before its benches. A file-level `afterAll` does run.
const GiB = 1024 ** 3;
const base = await mkdtemp(join(tmpdir(), 'tdr-storage-bench-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const tree = join(base, 'tree');
for (let d = 0; d < 100; d++) {
  await mkdir(join(tree, `d${d}`), { recursive: true });
  await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(join(tree, `d${d}`, `f${f}.txt`), 'x')));
}

// Random bytes (a hash cannot shortcut them), written once and read from the page cache after.
const bigFile = join(base, 'one-gib.bin');
const random = spawn('head', ['-c', String(GiB), '/dev/urandom'], { stdio: ['ignore', 'pipe', 'inherit'] });
await pipeline(random.stdout, createWriteStream(bigFile));
const expectedDigest = hashWithOpenssl(bigFile);

describe('list 10,000 files', () => {
  bench('LocalFileSource.list', async () => {
    let files = 0;
    for await (const item of new LocalFileSource([tree]).list()) if ('file' in item) files++;
    if (files !== 10_000) throw new Error(`listed ${files} files`);
  });

  bench('floor: readdirSync + statSync on the calling thread', () => {
    let files = 0;
    for (const d of readdirSync(tree).sort()) {
      for (const f of readdirSync(join(tree, d)).sort()) if (statSync(join(tree, d, f)).isFile()) files++;
    }
    if (files !== 10_000) throw new Error(`listed ${files} files`);
  });

  bench('reference: find -L -type f -printf %s', () => {
    execFileSync('find', ['-L', tree, '-type', 'f', '-printf', '%s\n'], { maxBuffer: 1 << 24 });
  });
});

describe('sha256 of a 1 GiB file', () => {
  bench(
    'LocalFileRef.stream + node:crypto',
    async () => {
      const ref = new LocalFileRef({ id: 'big', path: 'one-gib.bin', size: GiB, localPath: bigFile });
      try {
        const hash = createHash('sha256');
        for await (const chunk of ref.stream()) hash.update(chunk);
        if (hash.digest('hex') !== expectedDigest) throw new Error('digests differ');
      } finally {
        await ref.close();
      }
    },
    { iterations: 5, time: 0, warmupIterations: 1 },
  );

  bench(
    'reference: openssl dgst -sha256',
    () => {
      if (hashWithOpenssl(bigFile) !== expectedDigest) throw new Error('digests differ');
    },
    { iterations: 5, time: 0, warmupIterations: 1 },
  );
});

function hashWithOpenssl(path: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-r', path]).toString();
  return out.split(' ')[0] ?? '';
}
