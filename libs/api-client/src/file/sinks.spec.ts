import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelopes } from '../test-support/envelopes.js';
import { envelopesOf } from '../result-sink.js';
import { JsonLinesFileSink } from './json-lines-file-sink.js';
import { StdoutSink } from './stdout-sink.js';

describe('JsonLinesFileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-client-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one envelope a line, in order', async () => {
    const path = join(dir, 'results.jsonl');
    await writeFile(path, '{"earlier":true}\n');
    const sink = new JsonLinesFileSink(path);
    const all = envelopes(100);
    await Promise.all([sink.write(all.slice(0, 40)), sink.write([]), sink.write(all.slice(40))]);
    await sink.close();
    await sink.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    expect(lines.slice(1).map((line) => JSON.parse(line))).toEqual(all);
    await expect(sink.write(all)).rejects.toThrow(/write after close/);
  });

  it('starts empty with mode truncate, and reports a file it cannot open', async () => {
    const path = join(dir, 'results.jsonl');
    await writeFile(path, 'old\n');
    const sink = new JsonLinesFileSink(path, { mode: 'truncate' });
    await sink.write(envelopes(1));
    await sink.close();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2);
    const broken = new JsonLinesFileSink(join(dir, 'no', 'such', 'dir.jsonl'));
    await expect(broken.write(envelopes(1))).rejects.toThrow(/ENOENT/);
    await expect(broken.close()).rejects.toThrow(/ENOENT/);
  });
});

describe('StdoutSink', () => {
  it('prints one envelope a line and waits for a full stream to drain', async () => {
    const stream = new PassThrough({ highWaterMark: 64 });
    const text: string[] = [];
    const sink = new StdoutSink(stream);
    const writing = sink.write(envelopes(3));
    let done = false;
    void writing.then(() => (done = true));
    await new Promise((tick) => setImmediate(tick));
    expect(done).toBe(false); // over the high-water mark: waits for a reader
    stream.on('data', (chunk: Buffer) => text.push(chunk.toString()));
    await writing;
    await sink.close();
    expect(text.join('').trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(envelopes(3));
  });
});

it('envelopesOf flattens reports in order', () => {
  const [a, b, c] = envelopes(3);
  expect(envelopesOf([{ results: { checksum: a!, format: b! } }, { results: { checksum: c! } }])).toEqual([a, b, c]);
});
