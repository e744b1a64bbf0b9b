import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

    // --dead-letter chooses the file, and a second run appends to it.
    const chosen = join(dir(), 'undelivered.jsonl');
    for (let run = 1; run <= 2; run++) {
      const again = await runCli(['check', transfer(), '--checks', 'checksum', '--api-url', server.url, '--api-token', 'wrong', '--dead-letter', chosen], { cwd: dir() });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`dead-letter file ${chosen}`);
      expect(readFileSync(chosen, 'utf8').trim().split('\n')).toHaveLength(3 * run);
    }
  });

  it('refuses a URL that is not http(s), and a token without a URL (exit 2)', async () => {
    expect((await runCli(['check', folder(), '--api-url', 'ftp://x'])).stderr).toContain('use an http or https URL');
    const alone = await runCli(['check', folder(), '--api-token', 't']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--api-token, --consignment and --dead-letter go with --api-url');
  });
});

/** A folder of three files (reports and dead-letter files go beside it, not in it). */
function transfer(): string {
  const root = join(dir(), 'transfer');
  mkdirSync(root, { recursive: true });
  for (const name of ['a.txt', 'b c.txt', 'ü.txt']) writeFileSync(join(root, name), name);
  return root;
}

const CHECKS = ['--checks', 'checksum,flags'];

describe('tdr-checks deliver', () => {
  it('delivers a dead-letter file a run left, then completes the consignment', async () => {
    // The run could not deliver (wrong token): its 6 results go to a dead-letter file it names.
    const failed = await runCli(['check', transfer(), ...CHECKS, '--format', 'jsonl', '--api-url', server.url, '--api-token', 'wrong', '--consignment', 'c-1'], { cwd: dir() });
    expect(failed.code).toBe(2);
    const deadLetters = /dead-letter file (\S+\.jsonl)/.exec(failed.stderr)?.[1] as string;
    expect(readFileSync(deadLetters, 'utf8').trim().split('\n')).toHaveLength(6);
    expect(server.storedResults()).toHaveLength(0);

    const args = ['deliver', deadLetters, '--api-url', server.url, '--consignment', 'c-1', '--complete'];
    const delivered = await runCli(args, { cwd: dir(), env: { TDR_API_TOKEN: 'secret' } });
    expect(delivered.code).toBe(0);
    expect(delivered.stderr).toContain('consignment c-1: 6 applied, 0 duplicate, 0 stale, 0 undelivered');
    expect(server.storedResults()).toHaveLength(6);
    expect(server.consignments.get('c-1')?.completedAt).toEqual(expect.any(String));

    // Again: the API holds them all, so nothing changes and nothing fails.
    const again = await runCli(args, { cwd: dir(), env: { TDR_API_TOKEN: 'secret' } });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 applied, 6 duplicate');
    expect([...server.appliedCount.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('delivers the results of a jsonl report', async () => {
    const report = join(dir(), 'report.jsonl');
    expect((await runCli(['check', transfer(), ...CHECKS, '--format', 'jsonl', '--output', report])).code).toBe(0);
    const { code, stderr } = await runCli(['deliver', report, '--api-url', server.url, '--api-token', 'secret', '--consignment', 'c-2']);
    expect(code).toBe(0);
    expect(stderr).toContain('consignment c-2: 6 applied');
    expect(new Set(server.storedResults().map((result) => result.check))).toEqual(new Set(['checksum', 'flags']));
    expect(server.consignments.get('c-2')?.completedAt).toBeUndefined(); // not without --complete
  });

  it('stops at a line that is not a result, naming it, after delivering the ones before; and does not complete', async () => {
    const report = join(dir(), 'report.jsonl');
    await runCli(['check', transfer(), ...CHECKS, '--format', 'jsonl', '--output', report]);
    const lines = readFileSync(report, 'utf8').trim().split('\n');
    writeFileSync(report, [lines[0], '{"path":"x","checks":{"checksum":{"fileId":"x"}}}', lines[1]].join('\n'));
    const { code, stderr } = await runCli(['deliver', report, '--api-url', server.url, '--api-token', 'secret', '--consignment', 'c-3', '--complete']);
    expect(code).toBe(2);
    expect(stderr).toContain(`${report}:2 is not a result envelope nor a jsonl report line (no check)`);
    expect(stderr).toContain('the 2 results before it were delivered');
    expect(server.storedResults()).toHaveLength(2);
    expect(server.consignments.get('c-3')?.completedAt).toBeUndefined();
  });

  it('says what is wrong with a missing file, an empty one, and missing options (exit 2)', async () => {
    const missing = await runCli(['deliver', join(dir(), 'nope.jsonl'), '--api-url', server.url, '--consignment', 'c']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${join(dir(), 'nope.jsonl')} (ENOENT)`);
    writeFileSync(join(dir(), 'empty.jsonl'), '\n');
    const empty = await runCli(['deliver', join(dir(), 'empty.jsonl'), '--api-url', server.url, '--consignment', 'c']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no results in');
    const noConsignment = await runCli(['deliver', join(dir(), 'empty.jsonl'), '--api-url', server.url]);
    expect(noConsignment.code).toBe(2);
    expect(noConsignment.stderr).toContain("required option '--consignment <id>' not specified");
  });
});
