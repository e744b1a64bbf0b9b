import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import type { S3Sender } from '../s3/client.js';
import { createS3Client } from '../s3/client.js';
import type { S3FileRef } from '../s3/s3-file-ref.js';

/** fauxqs 1.9 in this process, on 127.0.0.1 and a free port, with a client for it. */
export interface S3Emulator {
  readonly endpoint: string;
  readonly client: S3Client;
  /** A client that counts what it sends, by command name (`GetObjectCommand`, …). */
  counting(): CountingClient;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<string>;
  stop(): Promise<void>;
}

export interface CountingClient extends S3Sender {
  readonly counts: Map<string, number>;
  /** Ranges of the GETs sent, in order (`undefined` for a whole-object GET). */
  readonly ranges: (string | undefined)[];
  total(command?: string): number;
  reset(): void;
}

/**
 * Starts fauxqs in-process with its `buildApp()` and `listen` on 127.0.0.1
 * (its CLI and `startFauxqs()` listen on every interface). Credentials are
 * any: fauxqs does not check signatures.
 */
export async function startS3Emulator(): Promise<S3Emulator> {
  const app = buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client(
    { endpoint, region: 'eu-west-2', forcePathStyle: true, clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } },
    {},
  );
  return {
    endpoint,
    client,
    counting: () => countingClient(client),
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    put: async (bucket, key, body) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      return (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }))).ETag ?? '';
    },
    stop: async () => {
      client.destroy();
      await app.close();
    },
  };
}

/** Wraps `client.send`, counting commands by name. */
export function countingClient(client: S3Sender): CountingClient {
  const counts = new Map<string, number>();
  const ranges: (string | undefined)[] = [];
  const send = ((command: { constructor: { name: string }; input?: { Range?: string } }, options?: unknown) => {
    const name = command.constructor.name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (name === 'GetObjectCommand') ranges.push(command.input?.Range);
    return (client.send as (command: unknown, options?: unknown) => Promise<unknown>)(command, options);
  }) as S3Sender['send'];
  return {
    send,
    counts,
    ranges,
    total: (command) => (command === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(command) ?? 0)),
    reset: () => {
      counts.clear();
      ranges.length = 0;
    },
  };
}

/** The one file of a listing (throws, naming the count, otherwise). */
export function single(list: S3FileRef[]): S3FileRef {
  const [first] = list;
  if (list.length !== 1 || first === undefined) throw new Error(`expected one file, got ${list.length}`);
  return first;
}

/** The two files of a listing (throws, naming the count, otherwise). */
export function pair(list: S3FileRef[]): [S3FileRef, S3FileRef] {
  const [first, second] = list;
  if (list.length !== 2 || first === undefined || second === undefined) throw new Error(`expected two files, got ${list.length}`);
  return [first, second];
}
