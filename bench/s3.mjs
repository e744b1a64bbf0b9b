#!/usr/bin/env node
// The S3 bench (issue 7): format + checksum over 1,000 small objects in the
// fauxqs emulator, started in this process on 127.0.0.1, read through
// S3FileSource with the real checks. Prints requests per object and objects
// per second. Needs the libraries built (`npx nx run-many -t build -p storage`).
//
//   TDR_SIGNATURES_DIR=../shared/pronom node bench/s3.mjs [objects]
//
// `bench/run.mjs` may call `benchS3()` and add its rows to its table.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TDR_SHARED_DIR ?? join(repo, '..', 'shared');

/**
 * Runs the bench; resolves with its figures.
 * @param {{ objects?: number, signaturesDir?: string, corpusDir?: string, concurrency?: number, checks?: string[], readOptions?: object, log?: (line: string) => void }} [options]
 */
export async function benchS3(options = {}) {
  const objects = options.objects ?? 1000;
  const signaturesDir = options.signaturesDir ?? process.env.TDR_SIGNATURES_DIR ?? join(shared, 'pronom');
  const corpusDir = options.corpusDir ?? join(shared, 'corpus', 'skeleton');
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  // Loaded here, so that importing this file costs nothing.
  const { buildApp } = await import('fauxqs');
  const { CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { CheckEngine, createChecks } = await import('@tdr/checks');
  const { S3FileSource, createS3Client } = await import('@tdr/storage/s3');

  const app = buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${app.server.address().port}`;
  const client = createS3Client({ endpoint, region: 'eu-west-2', forcePathStyle: true, clientConfig: { credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } } }, {});
  try {
    const corpus = readdirSync(corpusDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== 'manifest.tsv')
      .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
      .sort();
    if (corpus.length === 0) throw new Error(`no files in ${corpusDir}`);
    const bucket = 'bench';
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    log(`putting ${objects} objects (copies of ${corpusDir}) into fauxqs at ${endpoint}…`);
    let bytes = 0;
    let next = 0;
    const put = async () => {
      while (next < objects) {
        const i = next++;
        const file = corpus[i % corpus.length];
        const body = readFileSync(file);
        bytes += body.length;
        const key = `transfer/copy-${Math.floor(i / corpus.length)}/${relative(corpusDir, file)}`;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, put));

    const counts = new Map();
    const counting = {
      send: (command, ...rest) => {
        const name = command.constructor.name.replace(/Command$/, '');
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return client.send(command, ...rest);
      },
    };
    const checks = createChecks(options.checks ?? ['format', 'checksum'], { checksum: { algorithms: ['sha256'] }, format: { signaturesDir } });
    const engine = new CheckEngine({ checks, concurrency: options.concurrency ?? 64 });
    await engine.init();
    let files = 0;
    let errors = 0;
    const started = performance.now();
    try {
      const source = new S3FileSource({ client: counting, bucket, prefix: 'transfer/', ...(options.readOptions ? { readOptions: options.readOptions } : {}) });
      for await (const reports of engine.runBatches(source.listBatches())) {
        for (const report of reports) {
          files++;
          if (Object.values(report.results).some((envelope) => envelope.status === 'error')) errors++;
        }
      }
    } finally {
      await engine.close();
    }
    const ms = performance.now() - started;
    const requests = [...counts.values()].reduce((a, b) => a + b, 0);
    const result = {
      objects: files,
      bytes,
      errors,
      ms,
      requests,
      byCommand: Object.fromEntries(counts),
      requestsPerObject: requests / files,
      getsPerObject: (counts.get('GetObject') ?? 0) / files,
      objectsPerSecond: files / (ms / 1000),
    };
    log(
      `format + checksum over ${files} objects (${(bytes / 1e6).toFixed(1)} MB) in fauxqs: ${ms.toFixed(0)} ms, ` +
        `${result.objectsPerSecond.toFixed(0)} objects/s, ${result.requestsPerObject.toFixed(2)} requests/object ` +
        `(${Object.entries(result.byCommand).map(([name, n]) => `${name} ${n}`).join(', ')}), ${errors} with errors`,
    );
    return result;
  } finally {
    client.destroy();
    await app.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const objects = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const result = await benchS3(objects === undefined ? {} : { objects });
  console.log('\n| task | measured |\n|---|---|');
  console.log(`| format + checksum, ${result.objects} small objects in fauxqs | ${result.objectsPerSecond.toFixed(0)} objects/s (${result.ms.toFixed(0)} ms) |`);
  console.log(`| requests per object | ${result.requestsPerObject.toFixed(2)} (GetObject ${result.getsPerObject.toFixed(2)}; ListObjectsV2 ${result.byCommand.ListObjectsV2 ?? 0} in all) |`);
  if (result.errors > 0) process.exitCode = 1;
}
