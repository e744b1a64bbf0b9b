import { Option, type CommandUnknownOpts } from '@commander-js/extra-typings';

/*
 * `tdr-checks clamd status`. Declared here; the work is in ./run-clamd.js,
 * imported when it runs (docs/decisions/0004-start-up-cost.md).
 */

const STATUS_HELP = `
Finds the clamd the antivirus check would use (--clamd, else $CLAMD_SOCKET,
else $CLAMD_HOST, else Debian's /run/clamav/clamd.ctl), asks it for its
version, and prints the address, the ClamAV version, the database version and
its age. Warns when the database is more than 7 days old (freshclam is not
updating it) or clamd does not say how old it is. When clamd's configuration
can be read (--config, or Debian's /etc/clamav/clamd.conf for its socket) it
shows the limits that decide whether a scan covers a whole file, and notes
when AlertExceedsMax is off (clamd then answers OK past its limits).

Examples:
  $ tdr-checks clamd status
  $ tdr-checks clamd status --clamd clamd.internal:3310
  $ tdr-checks clamd status --json | jq .databaseVersion

Exit codes:
  0  clamd answered and its database is at most 7 days old
  1  clamd answered, but its database is older than that, or of unknown age
  2  no clamd found or none answered, or bad usage`;

export function statusOptions() {
  return [
    new Option('--clamd <address>', 'a Unix socket path or host:port (default: $CLAMD_SOCKET, $CLAMD_HOST, Debian\'s socket)'),
    new Option('--config <file>', "clamd's configuration, to show its limits (default: /etc/clamav/clamd.conf when it is the one of the clamd found)"),
    new Option('--json', 'print what was found as one JSON object'),
    new Option('--timeout <seconds>', 'time to wait for clamd to answer').default('5'),
  ] as const;
}

/** Options of `clamd status`, as commander hands them over. */
export interface StatusCommandOptions {
  readonly clamd?: string;
  readonly config?: string;
  readonly json?: true;
  readonly timeout: string;
}

/** Adds `clamd status` to the program. */
export function registerClamdCommand(program: CommandUnknownOpts): void {
  const clamd = program.command('clamd').description('show the clamd the antivirus check uses');
  const status = clamd.command('status').description('find clamd and show its ClamAV and database versions and the database age');
  for (const option of statusOptions()) status.addOption(option);
  status.addHelpText('after', STATUS_HELP).action(async (options) => {
    const { runClamdStatus } = await import('./run-clamd.js');
    process.exitCode = await runClamdStatus(options as StatusCommandOptions);
  });
}
