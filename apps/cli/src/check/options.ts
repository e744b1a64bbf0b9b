import { Option } from '@commander-js/extra-typings';
// The catalog, not the checks: building the options (and so --version and --help) loads no check.
import { CHECK_CATALOG, CHECKSUM_ALGORITHMS, CLAMD_DEFAULT_MAX_FILE_SIZE, DEFAULT_CONCURRENCY, REASON_CODES, defaultCheckNames } from '@tdr/checks/catalog';
import { REPORT_FORMATS } from '../report/types.js';

/**
 * The options of `tdr-checks check`, declared once: they build the command,
 * its `--help`, and the README's option table is tested against them.
 */
export function checkOptions() {
  return [
    new Option('--checks <names>', `checks to run, comma-separated: ${CHECK_CATALOG.map((check) => check.name).join(', ')}`).default(
      defaultCheckNames().join(','),
    ),
    new Option(
      '--require <names>',
      'checks that must run, comma-separated: antivirus with no clamd reachable is then an error (exit 2) instead of a warning (AntivirusNotRun); naming a check in --checks requires it too',
    ),
    new Option(
      '--clamd <address>',
      "clamd for the antivirus check: a Unix socket path or host:port (default: $CLAMD_SOCKET, else $CLAMD_HOST, else Debian's /run/clamav/clamd.ctl when present); a socket gets paths to scan, TCP gets the bytes",
    ),
    new Option(
      '--clamd-max-file-size <bytes>',
      "larger files are an antivirus error (SCAN_LIMIT_EXCEEDED), not sent: clamd without AlertExceedsMax answers OK after scanning only its MaxFileSize; set to clamd's MaxFileSize and StreamMaxLength",
    ).default(String(CLAMD_DEFAULT_MAX_FILE_SIZE)),
    new Option(
      '--clean-dest <where>',
      'copy each file whose antivirus scan completed and found nothing to this folder or s3://bucket/prefix/ (same relative path), after its report line is written; never overwrites a different file',
    ),
    new Option('--quarantine-dest <where>', 'copy each file the antivirus scan found infected to this folder or s3://bucket/prefix/; files whose scan failed stay where they are'),
    new Option('--move', 'with --clean-dest/--quarantine-dest: remove each source once its copy is written and verified (default: copy)'),
    new Option(
      '--api-url <url>',
      'also deliver every result to this results API (libs/api-client/openapi.yaml): batched, retried on failure; results it cannot deliver are written to a dead-letter file it names (exit 2)',
    ),
    new Option('--api-token <token>', 'bearer token for --api-url (default: $TDR_API_TOKEN)'),
    new Option('--consignment <id>', 'consignment the results belong to, for --api-url (default: a new UUID, printed at the end)'),
    new Option(
      '--dead-letter <file>',
      'for --api-url: where results it cannot deliver are appended, one envelope a line (default: tdr-checks-undelivered-<consignment>-<time>-<pid>.jsonl in the working directory); `tdr-checks deliver` sends them later',
    ),
    new Option('--algorithms <names>', `checksum algorithms, computed in one pass: ${CHECKSUM_ALGORITHMS.join(', ')}`).default('sha256'),
    new Option(
      '--expected <file>',
      'checksums the uploader declared: a BagIt manifest-<alg>.txt, sha256sum/md5sum output (also --tag), or a CSV with path and checksum columns (DROID export works); mismatches, missing and unlisted files are reported',
    ),
    new Option(
      '--signatures <dir>',
      'folder with the PRONOM signature files (DROID_SignatureFile_V*.xml, container-signature-*.xml) for the format check; default: $TDR_SIGNATURES_DIR, else the per-user folder `tdr-checks signatures update` fills',
    ),
    new Option(
      '--max-bytes-to-scan <bytes>',
      'how far from each end of a file signatures are looked for (DROID\'s "max bytes to scan"); their fragments are found anywhere in files up to 1 MiB; also what the flags check reads',
    ).default('65536'),
    new Option('--policy <file>', `JSON file overriding the default verdict (pass|warn|fail) of reason codes: ${Object.keys(REASON_CODES).join(', ')}`),
    new Option('--format <format>', 'report format; csv has DROID export columns first').choices(REPORT_FORMATS).default('table' as const),
    new Option('--output <file>', 'write the report to this file instead of standard output'),
    new Option('--fail-on <verdict>', 'lowest verdict that makes the exit code 1').choices(['fail', 'warn'] as const).default('fail' as const),
    new Option('--concurrency <n>', 'files checked at once').default(String(DEFAULT_CONCURRENCY)),
    new Option(
      '--timeout <seconds>',
      'time budget of every check on one file (default: 60 s plus 1 s per 20 MB, antivirus 1 s per 10 MB); waiting behind other files for a clamd connection or a worker does not count',
    ),
    new Option(
      '--progress-every <seconds>',
      'when standard error is not a terminal (a log: cron, CI, a container), a progress line this often: files and bytes done, rates; 0 for none (on a terminal a bar shows instead)',
    ).default('60'),
    new Option('--quiet', 'no progress or summary on standard error; the table lists only files that did not pass'),
  ] as const;
}

/** Options as commander hands them over. */
export interface CheckCommandOptions {
  readonly checks: string;
  /** Whether the user gave --checks (not its default); set by the program, not by commander. */
  readonly checksNamed?: boolean;
  readonly require?: string;
  readonly clamd?: string;
  readonly clamdMaxFileSize: string;
  readonly cleanDest?: string;
  readonly quarantineDest?: string;
  readonly move?: true;
  readonly apiUrl?: string;
  readonly apiToken?: string;
  readonly consignment?: string;
  readonly deadLetter?: string;
  readonly algorithms: string;
  readonly expected?: string;
  readonly signatures?: string;
  readonly maxBytesToScan: string;
  readonly policy?: string;
  readonly format: (typeof REPORT_FORMATS)[number];
  readonly output?: string;
  readonly failOn: 'fail' | 'warn';
  readonly concurrency: string;
  readonly timeout?: string;
  readonly progressEvery: string;
  readonly quiet?: true;
}

/** The check names of a `--checks` value, in order, blanks dropped. */
export function checkNamesOf(checks: string): string[] {
  return checks
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
