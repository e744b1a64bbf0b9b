import { antivirusCheck, type AntivirusCheckOptions } from './antivirus/antivirusCheck.js';
import { checksumCheck, type ChecksumCheckOptions } from './checksum/checksumCheck.js';
import { flagsCheck, type FlagsCheckOptions } from './flags/flagsCheck.js';
import { formatCheck, type FormatCheckOptions } from './format/formatCheck.js';
import { resolveSignatureDir } from './format/store/index.js';
import type { FileCheck } from './types.js';

/** Options for the built-in checks, keyed by check name. */
export interface BuiltInCheckOptions {
  readonly checksum?: ChecksumCheckOptions;
  /** Default: signatures from `TDR_SIGNATURES_DIR` or the per-user folder. */
  readonly format?: FormatCheckOptions;
  readonly flags?: FlagsCheckOptions;
  /** Default: clamd where `$CLAMD_SOCKET`, `$CLAMD_HOST` or Debian's default socket say. */
  readonly antivirus?: AntivirusCheckOptions;
}

/** How a runner finds a check by name and makes it. */
export interface CheckDefinition {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Whether it runs when the user names no checks. */
  readonly byDefault: boolean;
  create(options: BuiltInCheckOptions): FileCheck;
}

/** Every built-in check. Registering a new check is one line here. */
export const BUILT_IN_CHECKS: readonly CheckDefinition[] = [
  {
    name: 'checksum',
    summary: 'SHA-256 (and other algorithms) of every byte, compared with the checksums the uploader declared',
    byDefault: true,
    create: (options) => checksumCheck(options.checksum),
  },
  {
    name: 'format',
    summary: 'PRONOM format (PUID) by binary and container signatures, as DROID and siegfried identify it',
    byDefault: true,
    create: (options) => formatCheck(options.format ?? defaultFormatOptions()),
  },
  {
    name: 'flags',
    summary: 'password protected or encrypted (ZIP, ODF, OOXML, Word, Excel, PowerPoint, PDF), executable (PE, ELF, Mach-O), empty',
    byDefault: true,
    create: (options) => flagsCheck(options.flags),
  },
  {
    name: 'antivirus',
    summary: 'infected? ClamAV (clamd) signatures, with the engine and database versions',
    // Runners skip it, saying so, when no clamd answers and the user did not ask for it by name.
    byDefault: true,
    create: (options) => antivirusCheck(options.antivirus),
  },
];

function defaultFormatOptions(): FormatCheckOptions {
  const dir = resolveSignatureDir({});
  return { signaturesDir: dir.path, signaturesDirSource: dir.description };
}

/** Names of the checks that run when none are named. */
export function defaultCheckNames(): string[] {
  return BUILT_IN_CHECKS.filter((definition) => definition.byDefault).map((definition) => definition.name);
}

/**
 * Makes the named checks, in the order named.
 * @throws RangeError for an unknown name, listing the known ones.
 */
export function createChecks(names: readonly string[], options: BuiltInCheckOptions = {}): FileCheck[] {
  return [...new Set(names)].map((name) => {
    const definition = BUILT_IN_CHECKS.find((candidate) => candidate.name === name);
    if (!definition) {
      throw new RangeError(`unknown check "${name}"; known checks: ${BUILT_IN_CHECKS.map((known) => known.name).join(', ')}`);
    }
    return definition.create(options);
  });
}
