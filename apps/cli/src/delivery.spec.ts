import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test starts the real API server; the CLI itself loads the client lazily
import { ResultsApiServer } from '@tdr/api-client/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, useTempDir } from './test-support/run-cli.js';

const dir = useTempDir();
let server: ResultsApiServer;
beforeEach(async () => {
  server = await ResultsApiServer.start({ token: 'secret' });
});
afterEach(async () => {
  await server.close();
});

function folder(): string {
  for (const name of ['a.txt', 'b c.txt', 'ü.txt']) writeFileSync(join(dir(), name), name);
  return dir();
}

describe('tdr-checks check --api-url', () => {
  it('delivers every result to the results API as well as printing the report, and completes the consignment', async () => {
    const args = ['check', folder(), '--checks', 'checksum,flags', '--format', 'jsonl', '--api-url', server.url, '--consignment', 'c-1'];
    const { code, stdout, stderr } = await runCli(args, { cwd: dir(), env: { TDR_API_TOKEN: 'secret' } });
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    const stored = server.storedResults();
    expect(stored).toHaveLength(6); // 3 files × 2 checks
    expect(new Set(stored.map((result) => result.check))).toEqual(new Set(['checksum', 'flags']));
    expect(server.consignments.get('c-1')?.completedAt).toEqual(expect.any(String));
    expect(stderr).toContain('consignment c-1: 6 applied, 0 duplicate, 0 stale, 0 undelivered');

    // The same run again, on the completed consignment: every result a duplicate, applied once, and no error.
    const again = await runCli(args, { cwd: dir(), env: { TDR_API_TOKEN: 'secret' } });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('consignment c-1: 0 applied, 6 duplicate, 0 stale, 0 undelivered');
    expect(server.storedResults()).toHaveLength(6);
    expect([...server.appliedCount.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('writes what the API refuses to a dead-letter file it names, and exits 2', async () => {
    const { code, stderr } = await runCli(['check', folder(), '--checks', 'checksum', '--format', 'jsonl', '--api-url', server.url, '--api-token', 'wrong'], {
      cwd: dir(),
    });
    expect(code).toBe(2);
    const named = /dead-letter file (\S+\.jsonl)/.exec(stderr)?.[1];
    expect(named, stderr).toBeDefined();
    const lines = readFileSync(named as string, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { check: string });
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.check === 'checksum')).toBe(true);
  });

  it('refuses a URL that is not http(s), and a token without a URL (exit 2)', async () => {
    expect((await runCli(['check', folder(), '--api-url', 'ftp://x'])).stderr).toContain('use an http or https URL');
    const alone = await runCli(['check', folder(), '--api-token', 't']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--api-token and --consignment go with --api-url');
  });
});
