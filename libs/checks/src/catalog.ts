/**
 * What a runner needs to describe the built-in checks (names, summaries,
 * `--help`, option defaults) without loading them. `@tdr/checks/catalog`
 * imports none of the checks, the engine or their dependencies, so a CLI
 * can build its options and answer `--version` or `--help` without them
 * (measured: ~25 ms of start-up). The checks themselves: `BUILT_IN_CHECKS`
 * in the package's main entry.
 */

/** A built-in check as runners describe it. */
export interface CheckDescription {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Whether it runs when the user names no checks. */
  readonly byDefault: boolean;
  /** Whether it does its work on local files in the process's worker pool (`LocalFilePool`), which a runner may start early. */
  readonly usesLocalFilePool: boolean;
}

/** Every built-in check, in the order runners list and run them. A new check gets a line here and its maker in registry.ts. */
export const CHECK_CATALOG = [
  {
    name: 'checksum',
    summary: 'SHA-256 (and other algorithms) of every byte, compared with the checksums the uploader declared',
    byDefault: true,
    usesLocalFilePool: true,
  },
  {
    name: 'format',
    summary: 'PRONOM format (PUID) by binary and container signatures, as DROID and siegfried identify it',
    byDefault: true,
    usesLocalFilePool: true,
  },
  {
    name: 'flags',
    summary: 'password protected or encrypted (ZIP, ODF, OOXML, Word, Excel, PowerPoint, PDF), executable (PE, ELF, Mach-O), empty',
    byDefault: true,
    usesLocalFilePool: true,
  },
  {
    name: 'antivirus',
    summary: 'infected? ClamAV (clamd) signatures, with the engine and database versions',
    // Runners skip it, saying so, when no clamd answers and the user did not ask for it by name.
    byDefault: true,
    // clamd reads the files (or the check streams them from the main thread).
    usesLocalFilePool: false,
  },
] as const satisfies readonly CheckDescription[];

export type BuiltInCheckName = (typeof CHECK_CATALOG)[number]['name'];

/** Names of the checks that run when none are named. */
export function defaultCheckNames(): string[] {
  return CHECK_CATALOG.filter((check) => check.byDefault).map((check) => check.name);
}

export { DEFAULT_CONCURRENCY } from './engine/defaults.js';
export { CHECKSUM_ALGORITHMS } from './checksum/algorithms.js';
export type { ChecksumAlgorithm } from './checksum/algorithms.js';
export { REASON_CODES } from './policy/reasons.js';
export { CLAMD_DEFAULT_MAX_FILE_SIZE } from './antivirus/clamd/defaults.js';

/** Whether any of the named checks uses the local-file worker pool (unknown names do not). */
export function usesLocalFilePool(checkNames: readonly string[]): boolean {
  return CHECK_CATALOG.some((check) => check.usesLocalFilePool && checkNames.includes(check.name));
}
