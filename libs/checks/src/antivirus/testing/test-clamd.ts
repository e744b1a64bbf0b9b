/**
 * A real clamd for tests, of their own: config, sockets and a tiny
 * signature database in a temp folder, no freshclam and no internet.
 * Starts in ~0.1 s (the database holds two signatures, not ClamAV's
 * millions).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's clamav-daemon puts clamd. */
export const CLAMD_BINARY = ['/usr/sbin/clamd', '/usr/local/sbin/clamd'].find((path) => existsSync(path));

/** Why the clamd specs are skipped, or undefined when they can run. */
export const CLAMD_MISSING = CLAMD_BINARY === undefined ? 'clamd is not installed (Debian package clamav-daemon)' : undefined;

/** Signature names in the test database (clamd adds `.UNOFFICIAL` to names outside its own databases). */
export const EICAR_SIGNATURE = 'Tdr.Test.EICAR.UNOFFICIAL';
export const GENERATED_SIGNATURE = 'Tdr.Test.Generated.UNOFFICIAL';

/**
 * The EICAR anti-virus test file, built here so that the repository never
 * holds it (scanners would flag the source).
 */
export function eicarBytes(): Buffer {
  const pieces = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-FILE!$H+H*'];
  return Buffer.from(pieces.join(''), 'latin1');
}

export interface TestClamd {
  /** The Unix socket. */
  readonly socket: string;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** A temp folder of its own, for test files clamd can read. */
  readonly dir: string;
  /** 4,096 random bytes that the database knows by MD5 (an `.hdb` hash signature). */
  readonly generated: Buffer;
  /** The clamd process. */
  readonly process: ChildProcess;
  /** What clamd logged so far. */
  log(): string;
  /** Stops clamd and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts clamd with `Foreground yes`, a socket and 127.0.0.1 TCP port, and
 * a database of two signatures: EICAR as a body signature (`.ndb`, found at
 * any offset) and `generated` by hash (`.hdb`). `config` adds or overrides
 * clamd.conf lines (`MaxFileSize: '10K'`). Without `runAs` there is no
 * `User` line: clamd runs as whoever starts it, root or not, and can read
 * the tests' files. `runAs` (root only) makes clamd drop to that user, as
 * Debian's runs as `clamav`: it binds its socket after dropping, so the
 * socket, log and temp files go in a folder that user owns.
 */
export async function startTestClamd(config: Readonly<Record<string, string>> = {}, options: { runAs?: string } = {}): Promise<TestClamd> {
  if (!CLAMD_BINARY) throw new Error(CLAMD_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'tdr-clamd-'));
  const run = options.runAs === undefined ? dir : join(dir, 'run');
  if (options.runAs !== undefined) {
    chmodSync(dir, 0o755);
    mkdirSync(run);
    chownSync(run, Number(execFileSync('id', ['-u', options.runAs], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', options.runAs], { encoding: 'utf8' })));
  }
  const db = join(dir, 'db');
  const socket = join(run, 'clamd.sock');
  const logFile = join(run, 'clamd.log');
  const port = await freePort();
  const generated = randomBytes(4096);
  mkdirSync(db);
  writeFileSync(join(db, 'test.ndb'), `Tdr.Test.EICAR:0:*:${eicarBytes().toString('hex')}\n`);
  writeFileSync(join(db, 'test.hdb'), `${createHash('md5').update(generated).digest('hex')}:${generated.length}:Tdr.Test.Generated\n`);
  const settings: Record<string, string> = {
    Foreground: 'yes',
    LocalSocket: socket,
    TCPSocket: String(port),
    TCPAddr: '127.0.0.1',
    DatabaseDirectory: db,
    LogFile: logFile,
    PidFile: join(run, 'clamd.pid'),
    TemporaryDirectory: run,
    ...(options.runAs === undefined ? {} : { User: options.runAs }),
    // Tests reload nothing; a self check would only cost time.
    SelfCheck: '0',
    ...config,
  };
  const conf = join(dir, 'clamd.conf');
  writeFileSync(conf, Object.entries(settings).map(([key, value]) => `${key} ${value}\n`).join(''));
  const child = spawn(CLAMD_BINARY, ['--config-file', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT'); // in case a test stopped it
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(socket, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { socket, port, dir, generated, process: child, log, stop };
}

/** PINGs until clamd answers PONG (it listens only once its database is loaded). */
async function waitForPong(socket: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clamd exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    if (await ping(socket)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`clamd did not answer PING within 30 s:\n${log()}`);
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = connect(socket);
    let reply = '';
    connection.on('data', (data) => (reply += data.toString('latin1')));
    connection.on('error', () => resolve(false));
    connection.on('close', () => resolve(reply === 'PONG\0'));
    connection.write('zPING\0');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
