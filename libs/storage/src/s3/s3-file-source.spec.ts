import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CheckError, type FileRef, type SourceItem } from '@tdr/checks';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pair, single, startS3Emulator, type S3Emulator } from '../test-support/s3-emulator.js';
import { S3FileRef } from './s3-file-ref.js';
import { S3FileSource, decodeEventKey } from './s3-file-source.js';

let s3: S3Emulator;
const BUCKET = 'transfers';

beforeAll(async () => {
  s3 = await startS3Emulator();
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  await s3?.stop();
});

async function collect(source: S3FileSource): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.list()) items.push(item);
  return items;
}

function files(items: SourceItem[]): S3FileRef[] {
  return items.flatMap((item) => ('file' in item ? [item.file as S3FileRef] : []));
}

async function streamed(ref: FileRef): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of ref.stream()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<CheckError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CheckError);
  return error as CheckError;
}

describe('S3FileSource over a prefix', () => {
  it('lists every key under the prefix, page by page, with paths relative to it', async () => {
    const keys = ['c1/a.txt', 'c1/sub/b.txt', 'c1/z.txt', 'c1/d.txt', 'c1/e.txt'];
    for (const key of keys) await s3.put(BUCKET, key, `bytes of ${key}`);
    await s3.put(BUCKET, 'c1/folder/', ''); // a console "folder" marker
    await s3.put(BUCKET, 'c1-other/x.txt', 'not under c1/');
    const counting = s3.counting();
    const source = new S3FileSource({ client: counting, bucket: BUCKET, prefix: 'c1', pageSize: 2 });
    const batches: (readonly SourceItem[])[] = [];
    for await (const batch of source.listBatches()) batches.push(batch);
    expect(counting.total('ListObjectsV2Command')).toBe(3);
    const listed = files(batches.flat());
    expect(listed.map((file) => file.path)).toEqual(['a.txt', 'd.txt', 'e.txt', 'sub/b.txt', 'z.txt']);
    expect(listed[0]).toMatchObject({ id: 's3://transfers/c1/a.txt', size: 'bytes of c1/a.txt'.length });
    expect(listed[0]?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(listed[0]?.lastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await collect(source)).length).toBe(5);
  });

  it('keeps keys with spaces, +, % and non-ASCII characters as they are', async () => {
    const keys = ['c2/a b.txt', 'c2/a+b.txt', 'c2/100%.txt', 'c2/été/ü ñ 日本.txt'];
    for (const key of keys) await s3.put(BUCKET, key, key);
    const listed = files(await collect(new S3FileSource({ client: s3.client, bucket: BUCKET, prefix: 'c2/' })));
    expect(listed.map((file) => file.path).sort()).toEqual(['100%.txt', 'a b.txt', 'a+b.txt', 'été/ü ñ 日本.txt']);
    for (const file of listed) expect((await streamed(file)).toString()).toBe(`c2/${file.path}`);
  });

  it('reports a bucket that does not exist as one problem', async () => {
    const items = await collect(new S3FileSource({ client: s3.client, bucket: 'no-such-bucket', prefix: 'x/' }));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ problem: { id: 's3://no-such-bucket/x/', error: { code: 'FILE_NOT_FOUND', message: expect.stringContaining('bucket does not exist') } } });
  });

  it('makes an object deleted between listing and reading FILE_NOT_FOUND, and one overwritten FILE_CHANGED', async () => {
    await s3.put(BUCKET, 'c3/gone.txt', 'soon gone');
    await s3.put(BUCKET, 'c3/changed.txt', 'first version');
    const [changed, gone] = pair(files(await collect(new S3FileSource({ client: s3.client, bucket: BUCKET, prefix: 'c3/' }))));
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'c3/gone.txt' }));
    await s3.put(BUCKET, 'c3/changed.txt', 'other version');
    expect((await failure(gone.read(0, 4))).code).toBe('FILE_NOT_FOUND');
    expect((await failure(streamed(gone))).code).toBe('FILE_NOT_FOUND');
    const error = await failure(changed.read(0, 4));
    expect(error.code).toBe('FILE_CHANGED');
    expect(error.message).toContain('s3://transfers/c3/changed.txt');
    expect((await failure(streamed(changed))).code).toBe('FILE_CHANGED');
  });
});

describe('S3FileRef reads', () => {
  it('serves a small object from one GET: format-style reads and the stream together', async () => {
    const body = randomBytes(200 * 1024);
    await s3.put(BUCKET, 'r/small.bin', body);
    const counting = s3.counting();
    const ref = single(files(await collect(new S3FileSource({ client: counting, bucket: BUCKET, prefix: 'r/' }))));
    counting.reset();
    const [head, tail] = await Promise.all([ref.read(0, 65536), ref.read(body.length - 65536, 65536), ref.read(1000, 10)]);
    expect(Buffer.from(head).equals(body.subarray(0, 65536))).toBe(true);
    expect(Buffer.from(tail).equals(body.subarray(body.length - 65536))).toBe(true);
    expect(createHash('sha256').update(await streamed(ref)).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(await ref.read(body.length, 10)).toHaveLength(0);
    expect(counting.total()).toBe(1);
    expect(counting.ranges).toEqual([undefined]);
    await ref.close();
  });

  it('reads a large object in blocks: head, tail and a directory near the end cost two ranged GETs', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 123);
    await s3.put(BUCKET, 'r2/large.bin', body);
    const counting = s3.counting();
    const ref = single(files(await collect(new S3FileSource({ client: counting, bucket: BUCKET, prefix: 'r2/' }))));
    counting.reset();
    const size = body.length;
    const reads: [number, number][] = [
      [0, 65536],
      [size - 65536, 65536],
      [size - 22, 22], // a ZIP end-of-central-directory record
      [size - 4000, 3978], // its central directory
      [10, 100],
    ];
    for (const [position, length] of reads) {
      expect(Buffer.from(await ref.read(position, length)).equals(body.subarray(position, position + length))).toBe(true);
    }
    expect(counting.total('GetObjectCommand')).toBe(2);
    expect(counting.ranges).toEqual([`bytes=0-65535`, `bytes=${size - 65536}-${size - 1}`]);
    // A read elsewhere is one more block; reads past the end return nothing.
    expect(Buffer.from(await ref.read(1_000_000, 16)).equals(body.subarray(1_000_000, 1_000_016))).toBe(true);
    expect(counting.ranges[2]).toBe(`bytes=1000000-${1_000_000 + 65535}`);
    expect(await ref.read(size + 5, 10)).toHaveLength(0);
    counting.reset();
    expect((await streamed(ref)).equals(body)).toBe(true);
    expect(counting.ranges).toEqual([undefined]);
    await ref.close();
    await expect(ref.read(0, 1)).rejects.toThrow(/closed/);
  });

  it('reads a zero-byte object', async () => {
    await s3.put(BUCKET, 'r3/empty.txt', '');
    const ref = single(files(await collect(new S3FileSource({ client: s3.client, bucket: BUCKET, prefix: 'r3/' }))));
    expect(ref.size).toBe(0);
    expect(await ref.read(0, 100)).toHaveLength(0);
    expect(await streamed(ref)).toHaveLength(0);
  });

  it('stops a stream when its signal aborts', async () => {
    await s3.put(BUCKET, 'r4/big.bin', randomBytes(2 * 1024 * 1024));
    const ref = single(files(await collect(new S3FileSource({ client: s3.client, bucket: BUCKET, prefix: 'r4/' }))));
    const controller = new AbortController();
    const reason = new Error('time is up');
    const consume = async (): Promise<void> => {
      for await (const chunk of ref.stream(controller.signal)) {
        expect(chunk.length).toBeGreaterThan(0);
        controller.abort(reason);
      }
    };
    await expect(consume()).rejects.toBe(reason);
    await expect(ref.read(0, 1, controller.signal)).rejects.toBe(reason);
  });
});

describe('S3FileSource.forObject', () => {
  it('reads one object named by its key as typed', async () => {
    await s3.put(BUCKET, 'o/a b+c%.txt', 'one object');
    const file = single(files(await collect(S3FileSource.forObject({ client: s3.client, bucket: BUCKET, key: 'o/a b+c%.txt' }))));
    expect(file).toMatchObject({ id: `s3://${BUCKET}/o/a b+c%.txt`, path: 'o/a b+c%.txt', size: 10 });
    expect((await streamed(file)).toString()).toBe('one object');
    const [missing] = await collect(S3FileSource.forObject({ client: s3.client, bucket: BUCKET, key: 'o/none' }));
    expect(missing).toMatchObject({ problem: { error: { code: 'FILE_NOT_FOUND' } } });
  });
});

describe('S3FileSource.fromEventRecord', () => {
  const record = (key: string, extra: object = {}) => ({
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: BUCKET }, object: { key, ...extra } },
  });

  it('decodes event keys: + is a space, %2B a plus, %25 a percent, UTF-8 escapes', () => {
    expect(decodeEventKey('my+file%2B1+%C3%A9+100%25.pdf')).toBe('my file+1 é 100%.pdf');
    expect(() => decodeEventKey('bad%E9.pdf')).toThrow(CheckError);
  });

  it.each([
    ['e/a b.txt', 'e/a+b.txt'],
    ['e/a+b.txt', 'e/a%2Bb.txt'],
    ['e/100%.txt', 'e/100%25.txt'],
    ['e/été 日本.txt', `e/${encodeURIComponent('été')}+${encodeURIComponent('日本')}.txt`],
  ])('reads %j from its event record', async (key, encoded) => {
    const etag = await s3.put(BUCKET, key, `content of ${key}`);
    for (const extra of [{}, { size: Buffer.byteLength(`content of ${key}`), eTag: etag.replaceAll('"', '') }]) {
      const items = await collect(S3FileSource.fromEventRecord(record(encoded, extra), { client: s3.client }));
      const file = single(files(items));
      expect(file).toMatchObject({ id: `s3://${BUCKET}/${key}`, path: key });
      expect((await streamed(file)).toString()).toBe(`content of ${key}`);
    }
  });

  it('makes an object overwritten since its event FILE_CHANGED, and a missing one a problem', async () => {
    const etag = await s3.put(BUCKET, 'e/over.txt', 'version 1');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'e/over.txt', Body: 'version 2' }));
    const file = single(files(await collect(S3FileSource.fromEventRecord(record('e/over.txt', { size: 9, eTag: etag.replaceAll('"', '') }), { client: s3.client }))));
    expect((await failure(file.read(0, 9))).code).toBe('FILE_CHANGED');
    const [missing] = await collect(S3FileSource.fromEventRecord(record('e/never.txt'), { client: s3.client }));
    expect(missing).toMatchObject({ problem: { id: `s3://${BUCKET}/e/never.txt`, error: { code: 'FILE_NOT_FOUND' } } });
    const [bad] = await collect(S3FileSource.fromEventRecord(record('e/bad%E9.txt'), { client: s3.client }));
    expect(bad).toMatchObject({ problem: { error: { code: 'INVALID_FILE_NAME' } } });
  });
});
