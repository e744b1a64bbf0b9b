import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from './errors.js';
import { installStopHandlers, stopSignal } from './stop.js';
import { usesLocalFilePool } from '@tdr/checks/catalog';
import { type CheckCommandOptions, checkNamesOf, checkOptions } from './check/options.js';
import { registerClamdCommand } from './clamd/command.js';
import { registerDeliverCommand } from './deliver/command.js';
import { registerSignaturesCommand } from './signatures/command.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const CHECK_EXAMPLES = `
Examples:
  $ tdr-checks check ./transfer
  $ tdr-checks check ./bag --expected ./bag/manifest-sha256.txt
  $ tdr-checks check ./transfer --algorithms sha256,md5 --format csv --output report.csv
  $ tdr-checks check ./transfer --format jsonl | jq -c 'select(.verdict != "pass")'
  $ tdr-checks check ./transfer --policy strict.json --fail-on warn --quiet
  $ tdr-checks check ./transfer --clamd /run/clamav/clamd.ctl --require antivirus
  $ tdr-checks check ./transfer --checks checksum,antivirus --clamd clamd.internal:3310
  $ tdr-checks check ./transfer --clean-dest /archive/clean --quarantine-dest /archive/quarantine
  $ tdr-checks check s3://bucket/consignment-1/ --clean-dest s3://clean-bucket/ --quarantine-dest s3://quarantine-bucket/
  $ TDR_API_TOKEN=… tdr-checks check ./transfer --api-url https://results.example/api --consignment c-1

Where files come from:
  Local files and folders, and s3://bucket/prefix (every object under it, like
  a folder) or s3://bucket/key (one object); S3 uses the AWS SDK's settings
  (credentials, AWS_REGION, AWS_ENDPOINT_URL for S3-compatible stores).

Antivirus:
  Runs when a clamd answers (--clamd, $CLAMD_SOCKET, $CLAMD_HOST, or Debian's
  /run/clamav/clamd.ctl). When none does, the report says antivirus did not
  run and every file warns (AntivirusNotRun); with --require antivirus, or
  antivirus named in --checks, that is an error instead. See: tdr-checks clamd status

Exit codes:
  0  every file passed (warnings allowed unless --fail-on warn)
  1  some file failed (or warned, with --fail-on warn)
  2  a check could not decide for some file (unreadable, vanished, timed out …), or bad usage
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM); the report holds the files finished before

Output:
  The report goes to standard output (or --output); progress, notes and the
  summary go to standard error. --format jsonl prints one JSON object per
  file: {"path","size","verdict","reasons","checks"}; see the README.`;

/** Builds the program. Exported for in-process tests (with exitOverride). */
export function buildProgram(run: { check: (paths: string[], options: never) => Promise<number> }) {
  const program = new Command()
    .name('tdr-checks')
    .description('Checks every file entering a digital archive: checksums, PRONOM format, flags (encrypted, executable, empty) and antivirus (ClamAV).')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Throw instead of exiting, so usage mistakes get exit code 2 (commander
    // would use 1, which means "a file failed"). Inherited by the commands below.
    .exitOverride();

  const check = program
    .command('check')
    .description('check files, folders (recursively) and S3 prefixes, and report on each file')
    .argument('<paths...>', 'files, folders and s3://bucket/prefix (or s3://bucket/key) to check');
  for (const option of checkOptions()) check.addOption(option);
  check.addHelpText('after', CHECK_EXAMPLES).action(async (paths, options) => {
    // Antivirus is skipped (with a warning) when no clamd answers, unless the user named it.
    const checksNamed = check.getOptionValueSource('checks') === 'cli';
    process.exitCode = await run.check(paths, { ...options, checksNamed } as never);
  });
  registerSignaturesCommand(program);
  registerClamdCommand(program);
  registerDeliverCommand(program);
  return program;
}

/** Whether the command has ended and set its exit code (see `main`). */
let ended = false;

async function main(): Promise<void> {
  installStopHandlers((line) => process.stderr.write(`${line}\n`));
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      ended = true;
      process.exit(process.exitCode ?? ExitCode.Ok);
    }
    throw error;
  });
  // Node ends a process whose event loop has nothing left to wait for, even
  // while a command still awaits a promise that will never settle (a bug),
  // and it would end with exit code 0: an unfinished run passing for a
  // clean one. It ends with an error instead, saying so.
  process.on('exit', () => {
    if (ended) return;
    writeSync(2, 'tdr-checks: stopped before the command finished (an internal error: nothing was left to wait for); its output is incomplete\n');
    process.exitCode = ExitCode.Error;
  });

  const program = buildProgram({
    check: async (paths, options) => {
      // The checks' worker pool boots on the other core while this one loads the checks.
      if (usesLocalFilePool(checkNamesOf((options as CheckCommandOptions).checks))) {
        const { LocalFilePool } = await import('@tdr/checks/workers');
        LocalFilePool.prestart();
      }
      const { runCheck } = await import('./check/run-check.js');
      return runCheck(paths, options, {
        version,
        signal: stopSignal(),
        interactive: process.stderr.isTTY === true,
        color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
        note: (line) => process.stderr.write(`${line}\n`),
      });
    },
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0; usage mistakes are 2.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
    } else if (error instanceof UsageError) {
      process.stderr.write(`tdr-checks: ${error.message}\n`);
      process.exitCode = ExitCode.Error;
    } else {
      process.stderr.write(`tdr-checks: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.Error;
    }
  }
  ended = true;
}

await main();
