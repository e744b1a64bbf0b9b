import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';
import { eicarBytes } from '@tdr/checks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAMD_SOCKET, jsonLines, runCli } from './test-support/run-cli.js';

/** fauxqs in this process on 127.0.0.1; it checks no signatures, so plain HTTP sets up buckets and objects. */
let app: ReturnType<typeof buildApp>;
let endpoint: string;
const BUCKET = 'transfers';

async function s3(method: string, path: string, body?: Uint8Array | string): Promise<Response> {
  const response = await fetch(`${endpoint}/${path}`, { method, ...(body === undefined ? {} : { body }) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

async function keys(prefix: string): Promise<string[]> {
  const xml = await (await s3('GET', `${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}`)).text();
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => decodeXml(match[1] as string)).sort();
}

function decodeXml(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
}

const objects: Record<string, string | Uint8Array> = {
  'transfer/a.txt': 'hello\n',
  'transfer/sub dir/b + c.txt': 'plus and space\n',
  'transfer/ü.txt': 'unicode\n',
};

beforeAll(async () => {
  app = buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await s3('PUT', BUCKET);
  for (const [key, body] of Object.entries(objects)) await s3('PUT', `${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`, body);
});
afterAll(async () => {
  await app?.close();
});

const awsEnv = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
const sha256 = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');

describe('tdr-checks check s3://…', () => {
  it('checks every object under a prefix like a folder: paths relative to it, odd keys intact', async () => {
    const { code, stdout, stderr } = await runCli(['check', `s3://${BUCKET}/transfer/`, '--checks', 'checksum,format', '--format', 'jsonl'], { env: awsEnv() });
    expect(code, stderr).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines.map((line) => line['path']).sort()).toEqual(['a.txt', 'sub dir/b + c.txt', 'ü.txt']);
    for (const line of lines) {
      expect(line['checks']['checksum']['result']['sha256']).toBe(sha256(objects[`transfer/${line['path']}`] as string));
      expect(line['checks']['format']['status']).toBe('completed');
    }
    expect(lines[0]['checks']['checksum']['fileId']).toMatch(/^s3:\/\/transfers\/transfer\//);
  });

  it('takes s3://bucket/prefix without the final / as the folder it names', async () => {
    const { code, stdout } = await runCli(['check', `s3://${BUCKET}/transfer`, '--checks', 'checksum', '--format', 'jsonl'], { env: awsEnv() });
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((line) => line['path']).sort()).toEqual(['a.txt', 'sub dir/b + c.txt', 'ü.txt']);
  });

  it('checks one object named by its key, and reports a missing one as a per-file error (exit 2)', async () => {
    const one = await runCli(['check', `s3://${BUCKET}/transfer/a.txt`, '--checks', 'checksum', '--format', 'jsonl'], { env: awsEnv() });
    expect(one.code).toBe(0);
    expect(jsonLines(one.stdout).map((line) => line['checks']['checksum']['result']['sha256'])).toEqual([sha256('hello\n')]);
    const missing = await runCli(['check', `s3://${BUCKET}/transfer/gone.txt`, '--checks', 'checksum', '--format', 'jsonl'], { env: awsEnv() });
    expect(missing.code).toBe(2);
    expect(jsonLines(missing.stdout)[0]['checks']['checksum']).toMatchObject({ status: 'error', error: { code: 'FILE_NOT_FOUND' } });
  });

  it('refuses a malformed location before checking anything (exit 2)', async () => {
    const { code, stdout, stderr } = await runCli(['check', 's3://', '--checks', 'checksum'], { env: awsEnv() });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('not an S3 location');
  });

  it('routes scanned objects to clean and quarantine prefixes, copying server-side', async (test) => {
    test.skip(CLAMD_SOCKET === null, 'clamd is not installed');
    await s3('PUT', `${BUCKET}/incoming/eicar.com`, eicarBytes());
    await s3('PUT', `${BUCKET}/incoming/fine.txt`, 'fine\n');
    const { code, stderr } = await runCli(
      ['check', `s3://${BUCKET}/incoming/`, '--format', 'jsonl', '--clean-dest', `s3://${BUCKET}/clean/`, '--quarantine-dest', `s3://${BUCKET}/quarantine/`],
      { env: awsEnv() },
    );
    expect(code, stderr).toBe(1); // the infected object fails its policy
    expect(await keys('clean/')).toEqual(['clean/fine.txt']);
    expect(await keys('quarantine/')).toEqual(['quarantine/eicar.com']);
    expect(await keys('incoming/')).toEqual(['incoming/eicar.com', 'incoming/fine.txt']); // copied, not moved
    expect(stderr).toContain('routed: 2 copied');
  });
});
