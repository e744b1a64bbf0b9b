#!/usr/bin/env node
// `npm run bench`: tdr-checks against the reference tools, measured in the
// same run on the same generated data (timings on a shared machine are noisy;
// compare the ratios). Prints a table and whether each target is met.
//
//   BENCH_DIR=/somewhere/with/4GiB  BENCH_RUNS=5  npm run bench
//   BENCH_ONLY=antivirus,startup  node bench/run.mjs     (some sections only)
//
// Data is generated once into BENCH_DIR (default bench/.data, git-ignored)
// and reused by later runs. Sections: checksum, format, startup, antivirus
// (bench/antivirus.mjs), delivery (bench/api-client.mjs), s3 (bench/s3.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAntivirus } from './antivirus.mjs';
import { benchApiClient } from './api-client.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(repo, 'apps/cli/bin/tdr-checks.js');
const shared = process.env.TDR_SHARED_DIR ?? join(repo, '..', 'shared');
const pronom = join(shared, 'pronom');
const skeleton = join(shared, 'corpus', 'skeleton');
const dataDir = process.env.BENCH_DIR ?? join(repo, 'bench/.data');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const GiB = 1024 ** 3;
const SECTIONS = ['checksum', 'format', 'startup', 'antivirus', 'delivery', 's3'];
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((name) => name.trim()).filter(Boolean) : SECTIONS;
for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`BENCH_ONLY: no section "${name}" (sections: ${SECTIONS.join(', ')})`);
/** Whether BENCH_ONLY (default: all) asks for this section. */
const section = (name) => only.includes(name);

function log(message) {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs a command `runs` times (after one warm-up) and returns the median wall time in ms.
 * With `inspect`, standard output is kept and handed to it after every run (warm-up
 * included), to check that the tool really did the work; it throws when not.
 */
function time(label, argv, { shell = false, repeat = runs, okCodes = [0], inspect } = {}) {
  const samples = [];
  const stdio = ['ignore', inspect ? 'pipe' : 'ignore', 'pipe'];
  for (let i = 0; i <= repeat; i++) {
    const start = process.hrtime.bigint();
    const result = shell
      ? spawnSync('bash', ['-c', argv], { stdio, maxBuffer: 256 << 20 })
      : spawnSync(argv[0], argv.slice(1), { stdio, maxBuffer: 256 << 20 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // tdr-checks exits 1 when some file fails its policy, which these data sets have on purpose.
    if (!okCodes.includes(result.status) && !(label.startsWith('tdr-checks') && result.status === 1)) {
      throw new Error(`${label} failed (exit ${result.status}): ${result.stderr}`);
    }
    inspect?.(result.stdout.toString(), { run: i, status: result.status });
    if (i > 0) samples.push(ms); // the first run warms caches
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function ensureBigFile(path, size) {
  if (existsSync(path) && statSync(path).size === size) return;
  log(`generating ${path} (${size / GiB} GiB of random bytes)…`);
  const fd = openSync(path, 'w');
  const block = randomBytes(64 * 1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    // Vary each block so nothing downstream can shortcut repeated content.
    block.writeUInt32LE(written / block.length, 0);
    writeSync(fd, block, 0, Math.min(block.length, size - written));
  }
  closeSync(fd);
}

function ensureFiles(dir, count, minBytes, maxBytes) {
  if (existsSync(dir) && countFiles(dir) === count) return;
  log(`generating ${count} files of ${minBytes}–${maxBytes} bytes in ${dir}…`);
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${String(i % 100).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${String(i).padStart(5, '0')}.bin`), randomBytes(minBytes + ((i * 7919) % (maxBytes - minBytes))));
  }
}

function countFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
}

const results = [];
/** A row of the table; `ms` null for a row that was skipped (say why in `extra`). */
function row(task, tool, ms, extra = '') {
  results.push({ task, tool, ms, extra });
  log(`  ${task.padEnd(28)} ${tool.padEnd(40)} ${(ms === null ? '—' : ms.toFixed(0)).padStart(7)} ms ${extra}`);
}

const notes = [];
/** A line printed under the tables (what a reader must know to read the figures). */
function note(text) {
  notes.push(text);
}

const targets = [];
/** A target for the list: `value` null (with `skipped` saying why) when its section could not run. */
function target(name, value, met, show, skipped = 'skipped') {
  targets.push({ name, value, met, show, skipped });
}

mkdirSync(dataDir, { recursive: true });
log(`\nmedian of ${runs} runs each, after one warm-up run; ${process.versions.node} node, ${execFileSync('nproc').toString().trim()} cores; sections: ${only.join(', ')}\n`);

if (section('checksum')) {
  const big = join(dataDir, 'big-2GiB.bin');
  const small = join(dataDir, 'small-10k');
  const tiny = join(dataDir, 'tiny-50k');
  ensureBigFile(big, 2 * GiB);
  ensureFiles(small, 10_000, 1024, 64 * 1024);
  ensureFiles(tiny, 50_000, 100, 4096);
  execFileSync('cat', [big], { stdio: ['ignore', 'ignore', 'inherit'] }); // into the page cache, for every tool alike

  // Correctness first: the numbers mean nothing if the digests differ.
  const ours = JSON.parse(execFileSync(process.execPath, [bin, 'check', '--checks', 'checksum', big, '--format', 'jsonl'], { maxBuffer: 1 << 20 }).toString());
  const reference = execFileSync('openssl', ['dgst', '-sha256', '-r', big]).toString().split(' ')[0];
  if (ours.checks.checksum.result.sha256 !== reference) throw new Error(`SHA-256 differs from openssl: ${ours.checks.checksum.result.sha256} vs ${reference}`);

  const bigOurs = time('tdr-checks 2 GiB', [process.execPath, bin, 'check', '--checks', 'checksum', big, '--format', 'jsonl']);
  const bigOpenssl = time('openssl 2 GiB', ['openssl', 'dgst', '-sha256', big]);
  const bigSha256sum = time('sha256sum 2 GiB', ['sha256sum', big]);
  row('SHA-256, one 2 GiB file', 'tdr-checks check (whole process)', bigOurs, `${((2 * GiB) / bigOurs / 1e6).toFixed(2)} GB/s`);
  row('SHA-256, one 2 GiB file', 'openssl dgst -sha256', bigOpenssl, `${((2 * GiB) / bigOpenssl / 1e6).toFixed(2)} GB/s`);
  row('SHA-256, one 2 GiB file', 'sha256sum', bigSha256sum, `${((2 * GiB) / bigSha256sum / 1e6).toFixed(2)} GB/s`);

  const smallOurs = time('tdr-checks 10k', [process.execPath, bin, 'check', '--checks', 'checksum', small, '--format', 'jsonl']);
  const smallXargs = time('xargs 10k', `find ${JSON.stringify(small)} -type f -print0 | xargs -0 -P2 sha256sum`, { shell: true });
  row('SHA-256, 10,000 files 1–64 KB', 'tdr-checks check (whole process)', smallOurs, `${(10_000 / (smallOurs / 1000)).toFixed(0)} files/s`);
  row('SHA-256, 10,000 files 1–64 KB', 'find | xargs -0 -P2 sha256sum', smallXargs, `${(10_000 / (smallXargs / 1000)).toFixed(0)} files/s`);

  // No target: shows the cost per file of orchestration (see the issue notes), where xargs is at its best.
  const tinyOurs = time('tdr-checks 50k', [process.execPath, bin, 'check', '--checks', 'checksum', tiny, '--format', 'jsonl']);
  const tinyXargs = time('xargs 50k', `find ${JSON.stringify(tiny)} -type f -print0 | xargs -0 -P2 sha256sum`, { shell: true });
  row('SHA-256, 50,000 files 0.1–4 KB', 'tdr-checks check (whole process)', tinyOurs, `${(50_000 / (tinyOurs / 1000)).toFixed(0)} files/s`);
  row('SHA-256, 50,000 files 0.1–4 KB', 'find | xargs -0 -P2 sha256sum', tinyXargs, `${(50_000 / (tinyXargs / 1000)).toFixed(0)} files/s`);

  target('2 GiB: ≥ 0.9× the speed of openssl dgst -sha256', bigOpenssl / bigOurs, (ratio) => ratio >= 0.9, (ratio) => `${ratio.toFixed(2)}×`);
  target('10,000 small files: faster than xargs -P2 sha256sum', smallXargs / smallOurs, (ratio) => ratio > 1, (ratio) => `${ratio.toFixed(2)}×`);
}

if (section('startup')) {
  const startOurs = time('tdr-checks --version', [process.execPath, bin, '--version'], { repeat: 15 });
  const startNode = time('node -e 0', [process.execPath, '-e', '0'], { repeat: 15 });
  row('start-up', 'tdr-checks --version', startOurs);
  row('start-up', 'node -e 0 (the floor)', startNode);
  target('start-up: tdr-checks --version < 150 ms', startOurs, (ms) => ms < 150, (ms) => `${ms.toFixed(0)} ms`);
}

if (section('format')) {
  // Format identification (issue 5): the skeleton corpus, next to libmagic's `file`.
  const corpusFiles = countFiles(skeleton);
  const formatArgs = ['--signatures', pronom, '--format', 'jsonl'];
  const corpusOurs = time('tdr-checks format corpus', [process.execPath, bin, 'check', '--checks', 'format', skeleton, ...formatArgs]);
  const corpusFile = time('file corpus', `find ${JSON.stringify(skeleton)} -type f -print0 | xargs -0 -P2 file --mime-type`, { shell: true });
  // Exit 2 allowed: byte-only samples of ZIP and OLE2 formats are truncated containers the flags check cannot inspect.
  const corpusAll = time('tdr-checks all corpus', [process.execPath, bin, 'check', skeleton, ...formatArgs], { okCodes: [2] });
  row(`identify ${corpusFiles} skeleton files`, 'tdr-checks check --checks format', corpusOurs, `${(corpusFiles / (corpusOurs / 1000)).toFixed(0)} files/s`);
  row(`identify ${corpusFiles} skeleton files`, 'find | xargs -0 -P2 file --mime-type', corpusFile, `${(corpusFiles / (corpusFile / 1000)).toFixed(0)} files/s`);
  row(`identify ${corpusFiles} skeleton files`, 'tdr-checks check (checksum, format, flags)', corpusAll, `${(corpusFiles / (corpusAll / 1000)).toFixed(0)} files/s`);

  // The same corpus ten times over: what a run costs per file once start-up is paid.
  const corpus10 = join(dataDir, 'skeleton-x10');
  if (!existsSync(corpus10) || countFiles(corpus10) !== corpusFiles * 10) {
    log(`copying the skeleton corpus ten times into ${corpus10}…`);
    for (let i = 0; i < 10; i++) cpSync(skeleton, join(corpus10, `copy-${i}`), { recursive: true });
  }
  const corpus10Ours = time('tdr-checks format corpus x10', [process.execPath, bin, 'check', '--checks', 'format', corpus10, ...formatArgs]);
  const corpus10File = time('file corpus x10', `find ${JSON.stringify(corpus10)} -type f -print0 | xargs -0 -P2 file --mime-type`, { shell: true });
  row(`identify ${corpusFiles * 10} files (skeleton ×10)`, 'tdr-checks check --checks format', corpus10Ours, `${((corpusFiles * 10) / (corpus10Ours / 1000)).toFixed(0)} files/s`);
  row(`identify ${corpusFiles * 10} files (skeleton ×10)`, 'find | xargs -0 -P2 file --mime-type', corpus10File, `${((corpusFiles * 10) / (corpus10File / 1000)).toFixed(0)} files/s`);

  // A 1 GiB file (sparse: its size, not its reading, is the point): the checks' own time on it, after
  // a small file has warmed the workers up (their start-up is paid once per run, not per file).
  const gibDir = join(dataDir, 'gib');
  mkdirSync(gibDir, { recursive: true });
  writeFileSync(join(gibDir, 'a-warm-up.txt'), 'warm up\n');
  const gib = join(gibDir, 'b-sparse-1GiB.bin');
  if (!existsSync(gib)) execFileSync('truncate', ['-s', '1G', gib]);
  const gibTimes = [];
  for (let i = 0; i < runs; i++) {
    const lines = execFileSync(process.execPath, [bin, 'check', '--checks', 'format,flags', '--concurrency', '1', gibDir, ...formatArgs]).toString().trim().split('\n').map((line) => JSON.parse(line));
    const line = lines.find((entry) => entry.path === 'b-sparse-1GiB.bin');
    gibTimes.push(Math.max(line.checks.format.durationMs, line.checks.flags.durationMs));
  }
  gibTimes.sort((a, b) => a - b);
  const gibMs = gibTimes[Math.floor(gibTimes.length / 2)];
  row('identify one 1 GiB file', 'format + flags check time (envelope durationMs)', gibMs);

  // Signatures: compile from the XML, and load the compiled cache, each in a fresh process.
  const cacheDir = join(dataDir, 'signature-cache');
  const load = (cache) =>
    Number(
      execFileSync(process.execPath, [
        '--input-type=module',
        '-e',
        `const { findSignatureFiles, loadSignatures } = await import(${JSON.stringify(join(repo, 'libs/checks/dist/index.js'))});
         const files = findSignatureFiles(${JSON.stringify(pronom)});
         const t = performance.now(); await loadSignatures(files, { cacheDir: ${cache} }); console.log(performance.now() - t);`,
      ]).toString(),
    );
  const compileMs = Math.min(...Array.from({ length: runs }, () => load('false')));
  load(JSON.stringify(cacheDir)); // writes the cache
  const cacheMs = Math.min(...Array.from({ length: runs }, () => load(JSON.stringify(cacheDir))));
  row('PRONOM signatures V122 + container', 'compile from XML (fresh process, best)', compileMs);
  row('PRONOM signatures V122 + container', 'load from cache (fresh process, best)', cacheMs);

  target('skeleton corpus: format at least as fast as file --mime-type (-P2)', corpusFile / corpusOurs, (ratio) => ratio >= 1, (ratio) => `${ratio.toFixed(2)}×`);
  target('skeleton ×10: format at least as fast as file --mime-type (-P2)', corpus10File / corpus10Ours, (ratio) => ratio >= 1, (ratio) => `${ratio.toFixed(2)}×`);
  target('1 GiB file identified in < 50 ms of check time', gibMs, (ms) => ms < 50, (ms) => `${ms.toFixed(1)} ms`);
  target('signatures load from cache < 200 ms', cacheMs, (ms) => ms < 200, (ms) => `${ms.toFixed(0)} ms`);
}

if (section('antivirus')) {
  // Antivirus (issue 6): path SCAN against INSTREAM, and against clamdscan --multiscan, on a clamd of the bench's own.
  await benchAntivirus({ bin, dataDir, runs, time, row, target, note, log, ensureBigFile, GiB });
}

if (section('delivery')) {
  // Results delivery (issue 7): HttpResultSink's batches to the in-memory results API, 50,000 results.
  const delivery = await benchApiClient({ results: 50_000, transports: ['node:http'], log: () => undefined });
  const deliveryPerSecond = delivery[0].perSecond;
  row('deliver 50,000 results', `HttpResultSink → local results API (${delivery[0].batches} batches)`, delivery[0].ms, `${deliveryPerSecond.toFixed(0)} results/s`);
  target('results delivery to the local API: ≥ 5,000 results/s', deliveryPerSecond, (rate) => rate >= 5000, (rate) => `${rate.toFixed(0)}/s`);
}

if (section('s3')) {
  // S3 (issue 7): format + checksum over 1,000 small objects through S3FileSource, fauxqs in this process.
  const { benchS3 } = await import('./s3.mjs');
  const s3 = await benchS3({ signaturesDir: pronom, corpusDir: skeleton, log });
  row('format + checksum, 1,000 S3 objects', 'S3FileSource against fauxqs (in-process)', s3.ms, `${s3.objectsPerSecond.toFixed(0)} objects/s, ${s3.requestsPerObject.toFixed(2)} requests/object`);
  target('S3: format + checksum of a small object in ≤ 2 requests', s3.requestsPerObject, (n) => n <= 2, (n) => `${n.toFixed(2)} requests/object`);
}

console.log('\n| target | measured | met |\n|---|---|---|');
for (const { name, value, met, show, skipped } of targets) {
  console.log(value === null ? `| ${name} | ${skipped} | — |` : `| ${name} | ${show(value)} | ${met(value) ? 'yes' : 'NO'} |`);
}
console.log('\n| task | tool | median ms | rate |\n|---|---|---|---|');
const cell = (text) => text.replaceAll('|', '\\|'); // a shell pipe in a tool's name is not a column
for (const { task, tool, ms, extra } of results) console.log(`| ${cell(task)} | ${cell(tool)} | ${ms === null ? '—' : ms.toFixed(0)} | ${cell(extra)} |`);
for (const text of notes) console.log(`\n${text}`);
