#!/usr/bin/env node
// Results delivery to the local results API (libs/api-client's in-memory
// server, in a worker thread of its own): results/s through HttpResultSink
// with its default batching, for each HTTP stack. Target: ≥ 5,000 results/s.
//
//   node bench/api-client.mjs            (after `nx run api-client:build`)
//   BENCH_RESULTS=100000 node bench/api-client.mjs
//
// bench/run.mjs calls benchApiClient().
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(repo, 'libs/api-client/dist');

/** Starts the test server in a worker thread; resolves to its URL and a stop function. */
async function startServer() {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(pathToFileURL(join(dist, 'testing.js')).href)}).then(async ({ ResultsApiServer }) => {
       const server = await ResultsApiServer.start({ token: 'bench' });
       parentPort.on('message', async (message) => {
         if (message === 'count') parentPort.postMessage({ stored: server.storedResults().length });
         if (message === 'close') { await server.close(); parentPort.close(); }
       });
       parentPort.postMessage({ url: server.url });
     });`,
    { eval: true },
  );
  const next = () => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const { url } = await next();
  return {
    url,
    stored: async () => {
      worker.postMessage('count');
      return (await next()).stored;
    },
    stop: async () => {
      worker.postMessage('close');
      await new Promise((done) => worker.once('exit', done));
    },
  };
}

/** A result like the checksum and format checks' (~0.5 KB of JSON). */
function envelope(i, check) {
  return check === 'checksum'
    ? {
        fileId: `file-${i}`,
        check,
        checkVersion: '1.2.0',
        status: 'completed',
        result: { sha256: i.toString(16).padStart(64, '0'), expected: { sha256: i.toString(16).padStart(64, '0'), source: 'manifest-sha256.txt' }, matches: true },
        tool: { name: 'node:crypto', version: 'OpenSSL 3.0.15' },
        startedAt: new Date(1_700_000_000_000 + i).toISOString(),
        durationMs: 0.42,
      }
    : {
        fileId: `file-${i}`,
        check,
        checkVersion: '1.0.3',
        status: 'completed',
        result: { puid: 'fmt/276', formatName: 'Acrobat PDF 1.7 - Portable Document Format', version: '1.7', mimeType: 'application/pdf', method: 'Signature', basis: 'byte match at 0, 8', extensionMismatch: false, matches: 1 },
        tool: { name: 'tdr-checks PRONOM engine', version: '1.0.3', data: { binarySignatures: 'V122', containerSignatures: '20240501' } },
        startedAt: new Date(1_700_000_000_000 + i).toISOString(),
        durationMs: 0.17,
      };
}

/**
 * Delivers `results` envelopes (half checksum, half format) through
 * HttpResultSink for each transport and returns results/s for each.
 */
export async function benchApiClient({ results = 50_000, transports = ['node:http', 'fetch'], log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const { HttpResultSink } = await import(pathToFileURL(join(dist, 'index.js')).href);
  const envelopes = [];
  for (let i = 0; envelopes.length < results; i++) {
    envelopes.push(envelope(i, 'checksum'));
    if (envelopes.length < results) envelopes.push(envelope(i, 'format'));
  }
  const figures = [];
  for (const transport of transports) {
    const server = await startServer();
    try {
      const sink = new HttpResultSink({ url: server.url, token: 'bench', consignmentId: `bench-${transport}`, transport, deadLetterPath: join(repo, 'tmp', 'bench-undelivered.jsonl') });
      const started = performance.now();
      // As a runner does: the engine's batches of reports, each written as it comes.
      for (let i = 0; i < envelopes.length; i += 256) await sink.write(envelopes.slice(i, i + 256));
      await sink.close();
      const ms = performance.now() - started;
      const stored = await server.stored();
      if (stored !== results || sink.stats.applied !== results) throw new Error(`${transport}: the server holds ${stored} results and applied ${sink.stats.applied}, not ${results}`);
      const perSecond = results / (ms / 1000);
      figures.push({ transport, results, ms, perSecond, batches: sink.stats.batches });
      log(`  api-client ${transport.padEnd(10)} ${results} results in ${ms.toFixed(0)} ms, ${sink.stats.batches} batches: ${perSecond.toFixed(0)} results/s`);
    } finally {
      await server.stop();
    }
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchApiClient({ results: Number(process.env.BENCH_RESULTS ?? 50_000) });
  const met = Math.min(...figures.map((figure) => figure.perSecond)) >= 5000;
  console.log('\n| HTTP stack | results | ms | results/s | batches |\n|---|---|---|---|---|');
  for (const { transport, results, ms, perSecond, batches } of figures) console.log(`| ${transport} | ${results} | ${ms.toFixed(0)} | ${perSecond.toFixed(0)} | ${batches} |`);
  console.log(`\ntarget ≥ 5,000 results/s: ${met ? 'met' : 'NOT met'}`);
}
