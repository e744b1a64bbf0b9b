import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClamdStatus, type ClamdEnvironment } from './run-clamd.js';

/** A stand-in for a clamd with an official database: only VERSION, as clamd 1.4.6 answers it. */
function versionServer(path: string, version: string): Promise<Server> {
  const server = createServer((socket) => {
    let id = 0;
    socket.on('data', (data) => {
      for (const command of data.toString('utf8').split('\0')) {
        if (command === 'zVERSION') socket.write(`${++id}: ${version}\0`);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

describe('tdr-checks clamd status: database age', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdr-status-'));
  const socket = join(dir, 'clamd.sock');
  let server: Server;
  beforeAll(async () => {
    server = await versionServer(socket, 'ClamAV 1.4.6/27456/Mon Nov  9 09:30:02 2026');
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function status(now: string, json = false, config?: string) {
    const out: string[] = [];
    const err: string[] = [];
    const io: ClamdEnvironment = { out: (line) => out.push(line), err: (line) => err.push(line), env: {}, now: () => new Date(now) };
    const code = await runClamdStatus({ clamd: socket, timeout: '2', ...(json ? { json: true as const } : {}), ...(config ? { config } : {}) }, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('prints versions and age, and is content with a database at most 7 days old', async () => {
    const { code, out, err } = await status('2026-11-12T09:30:02Z');
    expect(code).toBe(0);
    expect(out).toContain('database           27456');
    expect(out).toContain('2026-11-09T09:30:02.000Z (3.0 days ago)');
    expect(err).toBe('');
  });

  it('warns, exit 1, when the database is older than 7 days', async () => {
    const { code, err } = await status('2026-11-23T12:00:00Z');
    expect(code).toBe(1);
    expect(err).toContain('the database is 14 days old (more than 7): is freshclam running?');
    const json = JSON.parse((await status('2026-11-23T12:00:00Z', true)).out);
    expect(json).toMatchObject({ reachable: true, softwareVersion: '1.4.6', databaseVersion: '27456', databaseAgeDays: 14.1 });
  });

  it('shows the limits from clamd.conf and notes what they mean', async () => {
    const conf = join(dir, 'clamd.conf');
    writeFileSync(conf, `LocalSocket ${socket}\nMaxFileSize 25M\n`);
    const { code, out, err } = await status('2026-11-10T00:00:00Z', false, conf);
    expect(code).toBe(0);
    expect(out).toContain(`limits (${conf}):`);
    expect(out).toMatch(/MaxFileSize\s+26,214,400 bytes/);
    expect(out).toMatch(/AlertExceedsMax\s+no/);
    expect(err).toContain('note: AlertExceedsMax is off');
    expect(err).toContain('--clamd-max-file-size 26214400');
  });
});
