import { Option, type CommandUnknownOpts } from '@commander-js/extra-typings';

/*
 * `tdr-checks deliver`. Declared here; the work is in ./run-deliver.js,
 * imported when it runs (docs/decisions/0004-start-up-cost.md).
 */

const DELIVER_HELP = `
Sends results to the results API (libs/api-client/openapi.yaml) from files:
the dead-letter file a run wrote when the API would not take its results
(one result envelope a line), or a report written with --format jsonl (the
envelopes under each line's "checks"). Batched, retried and idempotent, as
with check --api-url: results the API already holds come back as duplicates,
so delivering a file twice does no harm. What still cannot be delivered goes
to a new dead-letter file, which it names.

Examples:
  $ TDR_API_TOKEN=… tdr-checks deliver tdr-checks-undelivered-c-1-….jsonl --api-url https://results.example/api --consignment c-1 --complete
  $ tdr-checks check ./transfer --format jsonl --output report.jsonl
  $ tdr-checks deliver report.jsonl --api-url https://results.example/api --consignment c-1

Exit codes:
  0  every result was delivered (and, with --complete, the consignment marked complete)
  2  some results could not be delivered (they are in the dead-letter file named), a file
     could not be read or holds a line that is not a result, or bad usage
  130/143 stopped by Ctrl-C/SIGTERM`;

export function deliverOptions() {
  return [
    new Option('--api-url <url>', 'the results API to deliver to').makeOptionMandatory(),
    new Option('--consignment <id>', 'the consignment the results belong to').makeOptionMandatory(),
    new Option('--api-token <token>', 'bearer token (default: $TDR_API_TOKEN)'),
    new Option('--complete', "once every result is delivered, mark the consignment's checks (those the files hold) complete"),
    new Option('--dead-letter <file>', 'where results it still cannot deliver are appended (default: a new tdr-checks-undelivered-….jsonl in the working directory)'),
  ] as const;
}

/** Options of `deliver`, as commander hands them over. */
export interface DeliverCommandOptions {
  readonly apiUrl: string;
  readonly consignment: string;
  readonly apiToken?: string;
  readonly complete?: true;
  readonly deadLetter?: string;
}

/** Adds `deliver` to the program. */
export function registerDeliverCommand(program: CommandUnknownOpts): void {
  const deliver = program
    .command('deliver')
    .description('send results from a dead-letter file or a jsonl report to the results API')
    .argument('<files...>', 'dead-letter files (one result envelope a line) or reports written with --format jsonl');
  for (const option of deliverOptions()) deliver.addOption(option);
  deliver.addHelpText('after', DELIVER_HELP).action(async (files, options) => {
    const { runDeliver } = await import('./run-deliver.js');
    process.exitCode = await runDeliver(files as string[], options as DeliverCommandOptions);
  });
}
