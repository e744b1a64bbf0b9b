import { Option, type CommandUnknownOpts } from '@commander-js/extra-typings';

/*
 * `tdr-checks signatures info|update`. This module only declares the
 * commands (commander is loaded anyway); the work is in ./run-signatures.js,
 * imported when one of them runs, so `tdr-checks --version` stays fast
 * (docs/decisions/0004-start-up-cost.md).
 */

const WHERE = `
Where the files live:
  --signatures DIR, else the TDR_SIGNATURES_DIR environment variable, else
  Linux    $XDG_DATA_HOME/tdr-checks/signatures (default ~/.local/share/tdr-checks/signatures)
  macOS    ~/Library/Application Support/tdr-checks/signatures
  Windows  %LOCALAPPDATA%\\tdr-checks\\signatures`;

const SIGNATURES_HELP = `
The format check identifies files with two files from The National Archives'
PRONOM registry: the DROID binary signature file (DROID_SignatureFile_V<n>.xml)
and the container signature file (container-signature-<yyyymmdd>.xml).
tdr-checks does not ship them: \`tdr-checks signatures update\` downloads them.

Examples:
  $ tdr-checks signatures update
  $ tdr-checks signatures info
  $ tdr-checks signatures update --signatures /srv/pronom
  $ TDR_SIGNATURES_DIR=/srv/pronom tdr-checks signatures info --json
${WHERE}`;

const INFO_HELP = `
Prints the folder (and whether --signatures, TDR_SIGNATURES_DIR or the
per-user default chose it), then for each file in use: name, version, date,
size, SHA-256 and how many formats and signatures it holds. When the folder
holds both files, older versions kept for rollback are listed too.

Examples:
  $ tdr-checks signatures info
  $ tdr-checks signatures info --signatures /srv/pronom
  $ tdr-checks signatures info --json | jq .binary.version

Exit codes:
  0  both files are there
  2  one or both are missing (the message says how to get them), or bad usage
${WHERE}`;

const UPDATE_HELP = `
Reads PRONOM's list of the latest signature files
(https://pronom.nationalarchives.gov.uk/signatures.json), downloads the two
files unless the folder already has those versions, checks each (well-formed
XML with the right root element, within the size limit) and only then moves
both into the folder. Readers never see half a file, and if anything fails the
folder is left as it was. One older version of each file is kept
(--keep-previous), older ones are removed; newer files are never touched.

Addresses (an option wins over its environment variable):
  --pronom-url     TDR_PRONOM_URL            a PRONOM site or mirror serving signatures.json
  --binary-url     TDR_PRONOM_BINARY_URL     the binary signature file itself (no signatures.json)
  --container-url  TDR_PRONOM_CONTAINER_URL  the container signature file itself (no signatures.json)

Examples:
  $ tdr-checks signatures update
  $ tdr-checks signatures update --signatures /srv/pronom --timeout 300
  $ tdr-checks signatures update --pronom-url https://mirror.example.org/pronom/
  $ tdr-checks signatures update \\
      --binary-url https://pronom.nationalarchives.gov.uk/binary-signatures.xml \\
      --container-url https://pronom.nationalarchives.gov.uk/container-signatures.xml

Exit codes:
  0   the folder holds the latest files (downloaded now, or already there)
  2   the update failed (each failure is named with its URL; the folder is unchanged), or bad usage
  130 interrupted before the files were moved into place (the folder is unchanged)
${WHERE}`;

export function signaturesDirOption() {
  return new Option('--signatures <dir>', 'folder holding the PRONOM signature files (default: TDR_SIGNATURES_DIR, else a per-user folder)');
}

export function infoOptions() {
  return [signaturesDirOption(), new Option('--json', 'print what is in the folder as one JSON object')] as const;
}

export function updateOptions() {
  return [
    signaturesDirOption(),
    new Option('--pronom-url <url>', 'PRONOM site (or mirror) whose signatures.json lists the latest files (default: TDR_PRONOM_URL, else https://pronom.nationalarchives.gov.uk/)'),
    new Option('--binary-url <url>', 'download the binary signature file from this address instead (default: TDR_PRONOM_BINARY_URL)'),
    new Option('--container-url <url>', 'download the container signature file from this address instead (default: TDR_PRONOM_CONTAINER_URL)'),
    new Option('--timeout <seconds>', 'time limit of each download').default('120'),
    new Option('--keep-previous <n>', 'older versions of each file to keep').default('1'),
    new Option('--force', 'download even if the folder already has the latest versions'),
  ] as const;
}

/** Options of `signatures info`, as commander hands them over. */
export interface InfoCommandOptions {
  readonly signatures?: string;
  readonly json?: true;
}

/** Options of `signatures update`, as commander hands them over. */
export interface UpdateCommandOptions {
  readonly signatures?: string;
  readonly pronomUrl?: string;
  readonly binaryUrl?: string;
  readonly containerUrl?: string;
  readonly timeout: string;
  readonly keepPrevious: string;
  readonly force?: true;
}

/**
 * Adds `signatures info` and `signatures update` to the program. Made with
 * `.command()`, so they inherit the program's settings (exitOverride …).
 */
export function registerSignaturesCommand(program: CommandUnknownOpts): void {
  const signatures = program
    .command('signatures')
    .description('show or update the PRONOM signature files the format check uses')
    .addHelpText('after', SIGNATURES_HELP);

  const info = signatures.command('info').description('show which signature files are in use, their versions and contents');
  for (const option of infoOptions()) info.addOption(option);
  info.addHelpText('after', INFO_HELP).action(async (options) => {
    const { runSignaturesInfo } = await import('./run-signatures.js');
    process.exitCode = await runSignaturesInfo(options as InfoCommandOptions);
  });

  const update = signatures.command('update').description("download the current signature files from The National Archives' PRONOM");
  for (const option of updateOptions()) update.addOption(option);
  update.addHelpText('after', UPDATE_HELP).action(async (options) => {
    const { runSignaturesUpdate } = await import('./run-signatures.js');
    process.exitCode = await runSignaturesUpdate(options as UpdateCommandOptions);
  });
}
