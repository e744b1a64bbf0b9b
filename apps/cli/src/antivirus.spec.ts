import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { eicarBytes, EICAR_SIGNATURE } from '@tdr/checks/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLAMD_MISSING, CLAMD_SOCKET, jsonLines, runCli, useTempDir } from './test-support/run-cli.js';

const dir = useTempDir();

function transfer(): string {
  const root = join(dir(), 'transfer');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'clean.txt'), 'nothing to see\n');
  writeFileSync(join(root, 'eicar.com'), eicarBytes());
  return root;
}

const NO_CLAMD = { CLAMD_SOCKET: '/nonexistent/clamd.sock' };

describe('tdr-checks check: antivirus with a clamd', () => {
  beforeEach((test) => test.skip(CLAMD_SOCKET === null, CLAMD_MISSING ?? undefined));

  it('runs by default, passes the clean file and fails the infected one (VirusDetected), exit 1', async () => {
    const { code, stdout } = await runCli(['check', transfer(), '--format', 'jsonl']);
    expect(code).toBe(1);
    const [clean, eicar] = jsonLines(stdout);
    expect(clean).toMatchObject({
      path: 'clean.txt',
      verdict: 'pass',
      checks: { antivirus: { status: 'completed', tool: { name: 'ClamAV' }, result: { infected: false, software: 'ClamAV', result: '', method: 'path' } } },
    });
    expect(clean['notRun']).toBeUndefined();
    expect(eicar).toMatchObject({
      path: 'eicar.com',
      verdict: 'fail',
      checks: { antivirus: { result: { infected: true, signatures: [EICAR_SIGNATURE] } } },
    });
    expect(eicar['reasons'].map((reason: { code: string }) => reason.code)).toContain('VirusDetected');
  });

  it('holds antivirus to --timeout like every other check: TIMEOUT, never clean, exit 2', async () => {
    const root = join(dir(), 'slow');
    mkdirSync(root);
    writeFileSync(join(root, 'random.bin'), randomBytes(20 * 1024 * 1024)); // clamd takes ~0.5 s over it
    const { code, stdout } = await runCli(['check', '--checks', 'antivirus', root, '--timeout', '0.001', '--format', 'jsonl']);
    expect(code).toBe(2);
    expect(jsonLines(stdout)[0]['checks'].antivirus).toMatchObject({ status: 'error', error: { code: 'TIMEOUT', retryable: true } });
  });

  it('gives INFECTED and VIRUS columns in CSV', async () => {
    const rows = parse((await runCli(['check', transfer(), '--format', 'csv', '--checks', 'antivirus'])).stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row['NAME'], row['INFECTED'], row['VIRUS']])).toEqual([
      ['clean.txt', 'false', ''],
      ['eicar.com', 'true', EICAR_SIGNATURE],
    ]);
  });

  it('clamd status prints the address and versions, and warns that the test database has no date', async () => {
    const { code, stdout, stderr } = await runCli(['clamd', 'status']);
    expect(stdout).toContain(`clamd: ${CLAMD_SOCKET}`);
    expect(stdout).toMatch(/ClamAV\s+\d+\.\d+\.\d+/);
    expect(stdout).toContain('$CLAMD_SOCKET');
    expect(stderr).toContain('does not say how old its database is');
    expect(code).toBe(1);
    const json = JSON.parse((await runCli(['clamd', 'status', '--json'])).stdout);
    expect(json).toMatchObject({ address: CLAMD_SOCKET, reachable: true, software: 'ClamAV', databaseVersion: null });
  });
});

describe('tdr-checks check: antivirus without a clamd', () => {
  it('says antivirus did not run, in the table and in the JSON, and every file warns (AntivirusNotRun)', async () => {
    const root = transfer();
    const table = await runCli(['check', root, '--checks', 'checksum', '--require', ''], { env: NO_CLAMD });
    expect(table.code).toBe(0); // --checks without antivirus: nothing about it
    expect(table.stdout).not.toContain('antivirus');

    const lines = await runCli(['check', root, '--format', 'jsonl'], { env: NO_CLAMD });
    expect(lines.code).toBe(0);
    expect(lines.stderr).toContain('antivirus did not run: cannot reach clamd at /nonexistent/clamd.sock');
    for (const line of jsonLines(lines.stdout)) {
      expect(line).toMatchObject({ verdict: 'warn', notRun: { antivirus: 'no clamd answered at /nonexistent/clamd.sock' } });
      expect(line['reasons']).toContainEqual(expect.objectContaining({ code: 'AntivirusNotRun', verdict: 'warn' }));
      expect(line['checks']['antivirus']).toBeUndefined();
    }

    const human = await runCli(['check', root], { env: NO_CLAMD });
    expect(human.stdout.split('\n')[0]).toMatch(/^antivirus did not run: cannot reach clamd/);
    expect(human.stdout).toContain('AntivirusNotRun');

    const doc = JSON.parse((await runCli(['check', root, '--format', 'json'], { env: NO_CLAMD })).stdout);
    expect(doc.notRun.antivirus).toContain('cannot reach clamd');
  });

  it('makes it an error with --require antivirus or --checks antivirus: each file CLAMD_UNAVAILABLE, exit 2', async () => {
    const root = transfer();
    for (const args of [['--require', 'antivirus'], ['--checks', 'checksum,antivirus']]) {
      const { code, stdout } = await runCli(['check', root, '--format', 'jsonl', ...args], { env: NO_CLAMD });
      expect(code).toBe(2);
      for (const line of jsonLines(stdout)) {
        expect(line).toMatchObject({ verdict: 'fail', checks: { antivirus: { status: 'error', error: { code: 'CLAMD_UNAVAILABLE', retryable: true } } } });
      }
    }
  });

  it('refuses --require antivirus when no clamd is named or found, before checking anything', async () => {
    const { code, stderr, stdout } = await runCli(['check', transfer(), '--require', 'antivirus'], {
      env: { CLAMD_SOCKET: '', CLAMD_HOST: '', PATH: process.env['PATH'] },
    });
    if (!stderr.includes('no clamd found')) return; // this machine runs Debian's clamd at its default socket
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('antivirus is required, but no clamd found');
  });

  it('clamd status exits 2 and says why when nothing answers', async () => {
    const { code, stderr } = await runCli(['clamd', 'status', '--clamd', '127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot reach clamd at 127.0.0.1:1 (connection refused');
  });
});
