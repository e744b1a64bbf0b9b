import { CHECK_CATALOG, type BuiltInCheckName, type CheckDescription } from './catalog.js';
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
export interface CheckDefinition extends CheckDescription {
  create(options: BuiltInCheckOptions): FileCheck;
}

/** The maker of every check in the catalog (the compiler insists on one for each). */
const MAKERS: { readonly [name in BuiltInCheckName]: (options: BuiltInCheckOptions) => FileCheck } = {
  checksum: (options) => checksumCheck(options.checksum),
  format: (options) => formatCheck(options.format ?? defaultFormatOptions()),
  flags: (options) => flagsCheck(options.flags),
  antivirus: (options) => antivirusCheck(options.antivirus),
};

/** Every built-in check: the catalog's descriptions with their makers. */
export const BUILT_IN_CHECKS: readonly CheckDefinition[] = CHECK_CATALOG.map((description) => ({ ...description, create: MAKERS[description.name] }));

function defaultFormatOptions(): FormatCheckOptions {
  const dir = resolveSignatureDir({});
  return { signaturesDir: dir.path, signaturesDirSource: dir.description };
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
