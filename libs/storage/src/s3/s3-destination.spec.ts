import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { CheckError, type SourceItem } from '@tdr/checks';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFolderDestination } from '../routing/local-folder-destination.js';
import { Router } from '../routing/router.js';
import type { DisposalContext, SourceDisposal } from '../routing/source-disposal.js';
import type { RouteSource } from '../routing/route-source.js';
import { useTempDir } from '../test-support/fs-fixtures.js';
import { pair, single, startS3Emulator, type S3Emulator } from '../test-support/s3-emulator.js';
import type { S3Sender } from './client.js';
import { S3Destination } from './s3-destination.js';
import { S3DeleteDisposal, S3TagDisposal } from './s3-disposal.js';
import type { S3FileRef } from './s3-file-ref.js';
import { S3FileSource } from './s3-file-source.js';

let s3: S3Emulator;
/** A fresh folder for each test that asks for one (removed after it). */
const tempDir = useTempDir();
const IN = 'incoming';
const CLEAN = 'clean';
const QUARANTINE = 'quarantine';

beforeAll(async () => {
  s3 = await startS3Emulator();
  for (const bucket of [IN, CLEAN, QUARANTINE]) await s3.createBucket(bucket);
});
afterAll(async () => {
  await s3?.stop();
});

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Puts objects under `prefix` in the incoming bucket and lists them back as refs. */
async function checkedObjects(prefix: string, objects: Record<string, string | Uint8Array>): Promise<S3FileRef[]> {
  for (const [key, body] of Object.entries(objects)) await s3.put(IN, prefix + key, body);
  const items: SourceItem[] = [];
  for await (const item of new S3FileSource({ client: s3.client, bucket: IN, prefix }).list()) items.push(item);
  return items.map((item) => ('file' in item ? (item.file as S3FileRef) : expect.fail('a problem')));
}

async function body(bucket: string, key: string): Promise<string | undefined> {
  try {
    return await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
  } catch {
    return undefined;
  }
}

describe('S3Destination against the emulator', () => {
  it('copies server-side, confirms, and is a no-op when run again', async () => {
    const ref = single(await checkedObjects('t1/', { 'sub/a b+ü.txt': 'clean bytes' }));
    const clean = new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'c42' });
    const router = new Router({ clean });
    await router.open();
    const request = { source: ref.routeSource(sha256('clean bytes')), decision: 'clean' as const };
    const outcome = await router.route(request);
    expect(outcome).toMatchObject({ status: 'copied', location: 's3://clean/c42/sub/a b+ü.txt', size: 11, sha256: sha256('clean bytes'), sourceRemoved: false });
    expect(await body(CLEAN, 'c42/sub/a b+ü.txt')).toBe('clean bytes');
    expect(await router.route(request)).toMatchObject({ status: 'already-there', sha256: sha256('clean bytes') });
    expect(await clean.confirm('sub/a b+ü.txt', { size: 11, sha256: sha256('clean bytes') })).toBe(true);
    expect(await clean.confirm('sub/a b+ü.txt', { size: 11, sha256: sha256('other') })).toBe(false);
    expect(await clean.confirm('sub/nothing.txt', { size: 11, sha256: sha256('clean bytes') })).toBe(false);
  });

  it('never overwrites a different object', async () => {
    const ref = single(await checkedObjects('t2/', { 'x.txt': 'mine' }));
    await s3.put(QUARANTINE, 'x.txt', 'someone else');
    const outcome = await new Router({ quarantine: new S3Destination({ client: s3.client, bucket: QUARANTINE }) }).route({
      source: ref.routeSource(sha256('mine')),
      decision: 'quarantine',
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'DESTINATION_EXISTS' } });
    expect(await body(QUARANTINE, 'x.txt')).toBe('someone else');
  });

  it('refuses a source deleted or changed after it was checked, leaving nothing behind', async () => {
    const [changed, gone] = pair(await checkedObjects('t3/', { 'changed.txt': 'checked', 'gone.txt': 'checked' }));
    await s3.client.send(new DeleteObjectCommand({ Bucket: IN, Key: 't3/gone.txt' }));
    await s3.put(IN, 't3/changed.txt', 'swapped');
    const router = new Router({ clean: new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 't3' }) });
    expect(await router.route({ source: gone.routeSource(sha256('checked')), decision: 'clean' })).toMatchObject({
      status: 'failed',
      error: { code: 'FILE_NOT_FOUND' },
    });
    const outcome = await router.route({ source: changed.routeSource(sha256('checked')), decision: 'clean' });
    // S3 refuses the copy (copy-source-if-match: FILE_CHANGED); fauxqs ignores that condition, so the
    // copy's checksum gives it away and the copy is removed.
    expect(outcome.status).toBe('failed');
    expect(['FILE_CHANGED', 'ROUTING_CHECKSUM_MISMATCH']).toContain(outcome.error?.code);
    expect(await body(CLEAN, 't3/changed.txt')).toBeUndefined();
  });

  it('disposes of the source only once the copy is confirmed', async () => {
    const [good, clash] = pair(await checkedObjects('t4/', { 'a.txt': 'aaa', 'b.txt': 'bbb' }));
    await s3.put(CLEAN, 't4/b.txt', 'different');
    const calls: { path: string; copyThere: string | undefined; context: DisposalContext }[] = [];
    const disposal: SourceDisposal = {
      kind: 'tag',
      dispose: async (source, context) => {
        calls.push({ path: source.path, copyThere: await body(CLEAN, `t4/${source.path}`), context });
        return 'tagged';
      },
    };
    const router = new Router({ clean: new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 't4' }), disposal });
    expect(await router.route({ source: good.routeSource(sha256('aaa')), decision: 'clean' })).toMatchObject({ status: 'copied', sourceDisposal: 'tagged' });
    expect(await router.route({ source: clash.routeSource(sha256('bbb')), decision: 'clean' })).toMatchObject({ status: 'failed', sourceRemoved: false });
    expect(calls).toEqual([{ path: 'a.txt', copyThere: 'aaa', context: { decision: 'clean', receipt: expect.objectContaining({ status: 'copied', sha256: sha256('aaa') }) } }]);
  });

  it('moves with S3DeleteDisposal', async () => {
    const ref = single(await checkedObjects('t5/', { 'm.txt': 'moving' }));
    const router = new Router({ quarantine: new S3Destination({ client: s3.client, bucket: QUARANTINE, prefix: 't5' }), disposal: new S3DeleteDisposal({ client: s3.client }) });
    expect(await router.route({ source: ref.routeSource(sha256('moving')), decision: 'quarantine' })).toMatchObject({
      status: 'copied',
      sourceRemoved: true,
      sourceDisposal: 'deleted',
    });
    expect(await body(QUARANTINE, 't5/m.txt')).toBe('moving');
    expect(await body(IN, 't5/m.txt')).toBeUndefined();
    expect(router.summary).toMatchObject({ copied: 1, sourcesRemoved: 1 });
  });

  it('uploads a local file, and refuses a bucket that does not exist at open', async () => {
    const dir = tempDir();
    const bytes = randomBytes(100_000);
    await writeFile(join(dir, 'local.bin'), bytes);
    const destination = new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'local' });
    const source: RouteSource = { path: 'local.bin', localPath: join(dir, 'local.bin'), size: bytes.length, sha256: sha256(bytes) };
    expect(await destination.put(source, 'local.bin')).toMatchObject({ status: 'copied', location: 's3://clean/local/local.bin', sha256: sha256(bytes) });
    expect(await destination.put(source, 'local.bin')).toMatchObject({ status: 'already-there' });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: CLEAN, Key: 'local/local.bin' }));
    expect(head.ContentLength).toBe(bytes.length);
    const error = await new S3Destination({ client: s3.client, bucket: 'no-such-bucket' }).open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).code).toBe('DESTINATION_NOT_WRITABLE');
  });

  it('uploads a local file above the threshold in parts, and reads the copy back to confirm it', async () => {
    const dir = tempDir();
    // S3's smallest part is 5 MiB (but the last): 12 MiB makes three parts.
    const bytes = randomBytes(12 * 1024 * 1024);
    await writeFile(join(dir, 'large.bin'), bytes);
    const destination = new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'parts', multipartThreshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
    const source: RouteSource = { path: 'large.bin', localPath: join(dir, 'large.bin'), size: bytes.length, sha256: sha256(bytes) };
    expect(await destination.put(source, 'large.bin')).toMatchObject({ status: 'copied', location: 's3://clean/parts/large.bin', size: bytes.length, sha256: sha256(bytes) });
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: CLEAN, Key: 'parts/large.bin' }));
    expect(sha256(await (stored.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toBe(sha256(bytes));
    expect(stored.ETag).toMatch(/-3"$/); // a multipart upload's ETag counts its parts
    expect(await destination.put(source, 'large.bin')).toMatchObject({ status: 'already-there' });
  });

  it('cannot copy an S3 object into a local folder (yet), and says so', async () => {
    const ref = single(await checkedObjects('t7/', { 'x.txt': 'x' }));
    const dir = tempDir();
    const outcome = await new Router({ clean: new LocalFolderDestination(dir) }).route({ source: ref.routeSource(), decision: 'clean' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'COPY_FAILED', message: expect.stringContaining('only local files') } });
  });

  it('refuses to route an object onto itself (a delete would remove the only copy)', async () => {
    const ref = single(await checkedObjects('t6/', { 'self.txt': 'only copy' }));
    const router = new Router({ clean: new S3Destination({ client: s3.client, bucket: IN, prefix: 't6' }), disposal: new S3DeleteDisposal({ client: s3.client }) });
    expect(await router.route({ source: ref.routeSource(sha256('only copy')), decision: 'clean' })).toMatchObject({
      status: 'failed',
      sourceRemoved: false,
      error: { code: 'DESTINATION_INSIDE_SOURCE' },
    });
    expect(await body(IN, 't6/self.txt')).toBe('only copy');
  });

  it('refuses a destination inside what is checked, and clean and quarantine that overlap', async () => {
    const inside = new S3Destination({ client: s3.client, bucket: IN, prefix: 'transfer/clean', checkedLocations: ['s3://incoming/transfer'] });
    await expect(inside.open()).rejects.toMatchObject({ code: 'DESTINATION_INSIDE_SOURCE' });
    const beside = new S3Destination({ client: s3.client, bucket: IN, prefix: 'transfer-clean', checkedLocations: ['s3://incoming/transfer'] });
    await expect(beside.open()).resolves.toBeUndefined();
    const overlapping = new Router({
      clean: new S3Destination({ client: s3.client, bucket: CLEAN }),
      quarantine: new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'q' }),
    });
    await expect(overlapping.open()).rejects.toMatchObject({ code: 'DESTINATIONS_OVERLAP' });
    const apart = new Router({
      clean: new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'c' }),
      quarantine: new S3Destination({ client: s3.client, bucket: CLEAN, prefix: 'q' }),
    });
    await expect(apart.open()).resolves.toBeUndefined();
  });
});

/** A fake S3 client: answers by command name, records every call. */
function fakeClient(answer: (name: string, input: Record<string, unknown>) => unknown): S3Sender & { calls: { name: string; input: Record<string, unknown> }[] } {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    calls.push({ name, input: command.input });
    return answer(name, command.input);
  }) as unknown as S3Sender['send'];
  return { send, calls };
}

function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } });
}

describe('S3Destination multipart copy (a fake client: fauxqs has no UploadPartCopy)', () => {
  const source: RouteSource = { path: 'big.bin', size: 2500, sha256: sha256('x'.repeat(2500)), s3: { bucket: IN, key: 'in/big.bin', etag: '"abc-3"' } };

  it('copies part by part, each requiring the checked ETag, then completes only if the name is free', async () => {
    let stored = false;
    const client = fakeClient((name, input) => {
      switch (name) {
        case 'HeadBucket':
          return {};
        case 'HeadObject':
          if (!stored) throw serviceError('NotFound', 404);
          return { ContentLength: 2500, ETag: '"done-3"', ChecksumSHA256: 'AAAA-3', ChecksumType: 'COMPOSITE' };
        case 'CreateMultipartUpload':
          return { UploadId: 'up-1' };
        case 'UploadPartCopy':
          return { CopyPartResult: { ETag: `"part-${String(input['PartNumber'])}"` } };
        case 'CompleteMultipartUpload':
          stored = true;
          return { ETag: '"done-3"' };
        case 'GetObject':
          return { Body: (async function* () { yield Buffer.from('x'.repeat(2500)); })() };
        default:
          throw new Error(`unexpected ${name}`);
      }
    });
    const destination = new S3Destination({ client, bucket: CLEAN, multipartThreshold: 1000, partSize: 1000, partConcurrency: 2 });
    expect(await destination.put(source, 'big.bin')).toMatchObject({ status: 'copied', size: 2500, sha256: source.sha256 });
    const parts = client.calls.filter((call) => call.name === 'UploadPartCopy').map((call) => call.input);
    expect(parts.map((part) => [part['PartNumber'], part['CopySourceRange'], part['CopySourceIfMatch'], part['CopySource']])).toEqual([
      [1, 'bytes=0-999', '"abc-3"', 'incoming/in/big.bin'],
      [2, 'bytes=1000-1999', '"abc-3"', 'incoming/in/big.bin'],
      [3, 'bytes=2000-2499', '"abc-3"', 'incoming/in/big.bin'],
    ]);
    const complete = client.calls.find((call) => call.name === 'CompleteMultipartUpload')?.input;
    expect(complete).toMatchObject({ IfNoneMatch: '*', UploadId: 'up-1', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"part-1"' }, { PartNumber: 2, ETag: '"part-2"' }, { PartNumber: 3, ETag: '"part-3"' }] } });
    // A composite checksum cannot be compared with the file's SHA-256: the copy was read back.
    expect(client.calls.filter((call) => call.name === 'GetObject')).toHaveLength(1);
  });

  it('aborts the upload when a part fails, and reports a changed source', async () => {
    const client = fakeClient((name, input) => {
      if (name === 'HeadBucket') return {};
      if (name === 'HeadObject') throw serviceError('NotFound', 404);
      if (name === 'CreateMultipartUpload') return { UploadId: 'up-2' };
      if (name === 'UploadPartCopy' && input['PartNumber'] === 2) throw serviceError('PreconditionFailed', 412);
      if (name === 'UploadPartCopy') return { CopyPartResult: { ETag: '"p"' } };
      if (name === 'AbortMultipartUpload') return {};
      throw new Error(`unexpected ${name}`);
    });
    const destination = new S3Destination({ client, bucket: CLEAN, multipartThreshold: 1000, partSize: 1000, partConcurrency: 1 });
    const error = await destination.put(source, 'big.bin').catch((caught: unknown) => caught);
    expect((error as CheckError).code).toBe('FILE_CHANGED');
    expect(client.calls.map((call) => call.name)).toContain('AbortMultipartUpload');
    expect(client.calls.map((call) => call.name)).not.toContain('CompleteMultipartUpload');
  });
});

describe('S3Destination multipart upload of a local file (a fake client, to fail a part)', () => {
  it('aborts the upload when a part fails, leaving nothing under the name', async () => {
    const dir = tempDir();
    const bytes = Buffer.from('y'.repeat(2500));
    await writeFile(join(dir, 'big.bin'), bytes);
    const client = fakeClient((name, input) => {
      if (name === 'HeadBucket') return {};
      if (name === 'HeadObject') throw serviceError('NotFound', 404);
      if (name === 'CreateMultipartUpload') return { UploadId: 'up-3' };
      if (name === 'UploadPart' && input['PartNumber'] === 2) throw serviceError('InternalError', 500);
      if (name === 'UploadPart') return { ETag: '"p"' };
      if (name === 'AbortMultipartUpload') return {};
      throw new Error(`unexpected ${name}`);
    });
    const destination = new S3Destination({ client, bucket: CLEAN, multipartThreshold: 1000, partSize: 1000, partConcurrency: 1 });
    const source: RouteSource = { path: 'big.bin', localPath: join(dir, 'big.bin'), size: bytes.length, sha256: sha256(bytes) };
    const error = await destination.put(source, 'big.bin').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'COPY_FAILED', retryable: true });
    const calls = client.calls.map((call) => call.name);
    expect(calls.filter((name) => name === 'UploadPart')).toHaveLength(2);
    expect(calls).toContain('AbortMultipartUpload');
    expect(calls).not.toContain('CompleteMultipartUpload');
    const first = client.calls.find((call) => call.name === 'UploadPart')?.input;
    expect(first).toMatchObject({ UploadId: 'up-3', PartNumber: 1, ContentLength: 1000 });
  });
});

describe('S3TagDisposal (a fake client: fauxqs cannot tag)', () => {
  const source: RouteSource = { path: 'a.pdf', size: 3, s3: { bucket: IN, key: 'c/a.pdf', etag: '"e1"' } };
  const context: DisposalContext = { decision: 'clean', receipt: { status: 'copied', location: 's3://clean/a.pdf', size: 3, sha256: 'ab'.repeat(32) } };

  it('requires the checked ETag, keeps the tags the object had and adds its own', async () => {
    const client = fakeClient((name) => {
      if (name === 'HeadObject') return {};
      if (name === 'GetObjectTagging') return { TagSet: [{ Key: 'owner', Value: 'tdr' }, { Key: 'tdr-checks-routed', Value: 'old' }] };
      if (name === 'PutObjectTagging') return {};
      throw new Error(`unexpected ${name}`);
    });
    expect(await new S3TagDisposal({ client }).dispose(source, context)).toBe('tagged');
    expect(client.calls[0]).toEqual({ name: 'HeadObject', input: { Bucket: IN, Key: 'c/a.pdf', IfMatch: '"e1"' } });
    expect(client.calls[2]?.input).toEqual({
      Bucket: IN,
      Key: 'c/a.pdf',
      Tagging: {
        TagSet: [
          { Key: 'owner', Value: 'tdr' },
          { Key: 'tdr-checks-routed', Value: 'clean' },
          { Key: 'tdr-checks-sha256', Value: 'ab'.repeat(32) },
        ],
      },
    });
  });

  it('leaves a source that changed since alone', async () => {
    const client = fakeClient((name) => {
      if (name === 'HeadObject') throw serviceError('PreconditionFailed', 412);
      throw new Error(`unexpected ${name}`);
    });
    const error = await new S3TagDisposal({ client }).dispose(source, context).catch((caught: unknown) => caught);
    expect((error as CheckError).code).toBe('FILE_CHANGED');
    expect(client.calls.map((call) => call.name)).toEqual(['HeadObject']);
  });
});
