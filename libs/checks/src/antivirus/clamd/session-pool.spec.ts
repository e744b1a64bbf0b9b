import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPool } from './session-pool.js';

/** A stand-in for clamd that counts connections and scans in flight, and answers each SCAN after 10 ms. */
function fakeClamd(path: string) {
  const stats = { connections: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((socket) => {
    stats.connections++;
    let buffer = '';
    let id = 0;
    socket.on('data', (data) => {
      buffer += data.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (command === 'zIDSESSION' || command === 'zEND') continue;
        const reply = `${++id}: ${command.slice('zSCAN '.length)}: OK\0`;
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        setTimeout(() => {
          stats.inFlight--;
          socket.write(reply);
        }, 10);
      }
    });
    socket.on('error', () => undefined);
  });
  return { server, stats, listening: new Promise<void>((resolve) => server.listen(path, resolve)) };
}

describe('SessionPool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdr-pool-'));
  const path = join(dir, 'fake.sock');
  let fake: ReturnType<typeof fakeClamd>;
  let server: Server;

  beforeAll(async () => {
    fake = fakeClamd(path);
    server = fake.server;
    await fake.listening;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs at most `size` scans at once and reuses its sessions', async () => {
    const pool = new SessionPool({ kind: 'socket', path }, { size: 3, connectTimeoutMs: 1000 });
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pool.use((session) => session.command(`SCAN /f${i}`, { timeoutMs: 1000 }))),
    );
    pool.close();
    expect(replies).toEqual(Array.from({ length: 30 }, (_, i) => `/f${i}: OK`));
    expect(fake.stats.maxInFlight).toBe(3);
    expect(fake.stats.connections).toBe(3);
  });

  it('gives up waiting for a session when the signal aborts', async () => {
    const pool = new SessionPool({ kind: 'socket', path }, { size: 1, connectTimeoutMs: 1000 });
    const first = pool.use((session) => session.command('SCAN /slow', { timeoutMs: 1000 }));
    const controller = new AbortController();
    const second = pool.use((session) => session.command('SCAN /never', { timeoutMs: 1000 }), controller.signal);
    controller.abort(new Error('budget spent'));
    await expect(second).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringContaining('budget spent') });
    await expect(first).resolves.toBe('/slow: OK');
    pool.close();
  });
});
