import { realpathSync } from 'node:fs';
import {
  CLAMD_DEFAULT_MAX_FILE_SIZE,
  DEBIAN_CLAMD_CONF,
  formatClamdAddress,
  probeClamd,
  readClamdConf,
  resolveClamdAddress,
  type ClamdAddress,
  type ClamdConf,
  type ClamdVersion,
} from '@tdr/checks';
import { ExitCode, UsageError } from '../errors.js';
import type { StatusCommandOptions } from './command.js';

/** Databases older than this get a warning: freshclam normally updates them several times a day. */
export const MAX_DATABASE_AGE_DAYS = 7;

/** Where the command writes and what it reads; the real process unless a test says otherwise. */
export interface ClamdEnvironment {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
}

function processEnvironment(): ClamdEnvironment {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    now: () => new Date(),
  };
}

const row = (label: string, value: string) => `  ${label.padEnd(18)} ${value}`;

/** `tdr-checks clamd status`: returns the exit code. */
export async function runClamdStatus(options: StatusCommandOptions, io: ClamdEnvironment = processEnvironment()): Promise<number> {
  const seconds = Number(options.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a number of seconds above 0, got "${options.timeout}"`);
  let found;
  try {
    found = resolveClamdAddress(options.clamd, io.env);
  } catch (error) {
    throw new UsageError(`--clamd: ${(error as Error).message}`);
  }
  if (!found) {
    const message = 'no clamd found: name one with --clamd, $CLAMD_SOCKET or $CLAMD_HOST, or install clamav-daemon (Debian socket /run/clamav/clamd.ctl)';
    if (options.json) io.out(JSON.stringify({ reachable: false, error: message }));
    else io.err(`tdr-checks: ${message}`);
    return ExitCode.Error;
  }
  const address = formatClamdAddress(found.address);
  let version: ClamdVersion;
  try {
    version = await probeClamd(found.address, { timeoutMs: seconds * 1000 });
  } catch (error) {
    const message = (error as Error).message;
    if (options.json) io.out(JSON.stringify({ address, source: found.source, reachable: false, error: message }));
    else {
      io.out(`clamd: ${address} (${found.source})`);
      io.err(`tdr-checks: ${message}`);
    }
    return ExitCode.Error;
  }
  const ageDays = version.databaseDate === undefined ? undefined : (io.now().getTime() - Date.parse(version.databaseDate)) / 86_400_000;
  const warning =
    ageDays === undefined
      ? 'clamd does not say how old its database is (no official daily database loaded?)'
      : ageDays > MAX_DATABASE_AGE_DAYS
        ? `the database is ${Math.floor(ageDays)} days old (more than ${MAX_DATABASE_AGE_DAYS}): is freshclam running?`
        : undefined;
  const conf = await clamdConf(options.config, found.address);
  const notes = conf ? limitNotes(conf) : [];
  if (options.json) {
    io.out(
      JSON.stringify({
        address,
        source: found.source,
        reachable: true,
        software: 'ClamAV',
        softwareVersion: version.engine,
        databaseVersion: version.database ?? null,
        databaseDate: version.databaseDate ?? null,
        databaseAgeDays: ageDays === undefined ? null : Math.round(ageDays * 10) / 10,
        warning: warning ?? null,
        config: conf ? { ...conf, maxFileSize: size(conf.maxFileSize), maxScanSize: size(conf.maxScanSize), streamMaxLength: size(conf.streamMaxLength) } : null,
        notes,
      }),
    );
  } else {
    io.out(`clamd: ${address}`);
    io.out(row('chosen by', found.source));
    io.out(row('ClamAV', version.engine));
    io.out(row('database', version.database ?? 'unknown'));
    io.out(row('database date', version.databaseDate === undefined ? 'unknown' : `${version.databaseDate} (${(ageDays ?? 0).toFixed(1)} days ago)`));
    if (conf) {
      io.out(`limits (${conf.path}):`);
      io.out(row('MaxFileSize', bytes(conf.maxFileSize)));
      io.out(row('MaxScanSize', bytes(conf.maxScanSize)));
      io.out(row('StreamMaxLength', bytes(conf.streamMaxLength)));
      io.out(row('AlertExceedsMax', conf.alertExceedsMax ? 'yes' : 'no'));
    }
    for (const note of notes) io.err(`note: ${note}`);
    if (warning) io.err(`warning: ${warning}`);
  }
  return warning ? ExitCode.Failed : ExitCode.Ok;
}

/** JSON has no Infinity: an unlimited size is null. */
const size = (value: number): number | null => (Number.isFinite(value) ? value : null);
const bytes = (value: number): string => (Number.isFinite(value) ? `${value.toLocaleString('en-GB')} bytes` : 'no limit');

/**
 * The configuration of the clamd found: the one named, else Debian's when
 * it configures the socket (or TCP port) in use. Unreadable: none, silently
 * (it is root's to read on some systems), unless it was named.
 */
async function clamdConf(named: string | undefined, address: ClamdAddress): Promise<ClamdConf | undefined> {
  if (named !== undefined) {
    try {
      return await readClamdConf(named);
    } catch (error) {
      throw new UsageError(`--config ${named}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  let conf: ClamdConf;
  try {
    conf = await readClamdConf(DEBIAN_CLAMD_CONF);
  } catch {
    return undefined;
  }
  if (address.kind === 'socket') return conf.localSocket !== undefined && samePath(conf.localSocket, address.path) ? conf : undefined;
  return conf.tcpSocket === address.port && ['127.0.0.1', 'localhost', '::1'].includes(address.host) ? conf : undefined;
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}

/** What the limits mean for tdr-checks: where a clean answer would not cover the whole file. */
function limitNotes(conf: ClamdConf): string[] {
  const notes: string[] = [];
  if (!conf.alertExceedsMax) {
    notes.push(
      'AlertExceedsMax is off: clamd answers OK for files and archive members past its limits. tdr-checks refuses files above --clamd-max-file-size, but cannot see limits reached inside archives: set "AlertExceedsMax yes".',
    );
  }
  const whole = Math.min(conf.maxFileSize, conf.streamMaxLength);
  if (whole < CLAMD_DEFAULT_MAX_FILE_SIZE) {
    notes.push(`clamd scans files whole only up to ${bytes(whole)}: run checks with --clamd-max-file-size ${whole}.`);
  }
  return notes;
}
