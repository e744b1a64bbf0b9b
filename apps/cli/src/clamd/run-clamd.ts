import { formatClamdAddress, probeClamd, resolveClamdAddress, type ClamdVersion } from '@tdr/checks';
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
      }),
    );
  } else {
    io.out(`clamd: ${address}`);
    io.out(row('chosen by', found.source));
    io.out(row('ClamAV', version.engine));
    io.out(row('database', version.database ?? 'unknown'));
    io.out(row('database date', version.databaseDate === undefined ? 'unknown' : `${version.databaseDate} (${(ageDays ?? 0).toFixed(1)} days ago)`));
    if (warning) io.err(`warning: ${warning}`);
  }
  return warning ? ExitCode.Failed : ExitCode.Ok;
}
