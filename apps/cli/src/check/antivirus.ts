import { DEBIAN_CLAMD_SOCKETS, formatClamdAddress, probeClamd, resolveClamdAddress, type ClamdAddress } from '@tdr/checks';
import { UsageError } from '../errors.js';

/** Whether the antivirus check runs, against which clamd, or why not. */
export type AntivirusPlan =
  | { readonly run: true; readonly clamd: ClamdAddress }
  | {
      readonly run: false;
      /** For each file's AntivirusNotRun reason: short, the same for every file. */
      readonly short: string;
      /** For the report's head and standard error: what was tried and what to do. */
      readonly why: string;
    };

/**
 * Decides whether antivirus runs. Asked for by name (`--checks`, `--require`),
 * it runs against the clamd named or found, and a clamd that does not answer
 * makes every file an error. Run by default, it first asks the clamd for its
 * version: when none answers it does not run, and the report says so.
 * @throws UsageError when antivirus is required and no clamd is named or found.
 */
export async function planAntivirus(options: { clamd?: string; required: boolean; signal: AbortSignal }): Promise<AntivirusPlan> {
  let found;
  try {
    found = resolveClamdAddress(options.clamd);
  } catch (error) {
    throw new UsageError(`--clamd: ${(error as Error).message}`);
  }
  if (!found) {
    const why = `no clamd found: name one with --clamd, $CLAMD_SOCKET or $CLAMD_HOST, or install clamav-daemon (socket ${DEBIAN_CLAMD_SOCKETS[0]})`;
    if (options.required) throw new UsageError(`antivirus is required, but ${why}`);
    return { run: false, short: 'no clamd found', why };
  }
  if (options.required) return { run: true, clamd: found.address };
  const where = formatClamdAddress(found.address);
  try {
    await probeClamd(found.address, { timeoutMs: 2_000, signal: options.signal });
    return { run: true, clamd: found.address };
  } catch (error) {
    return {
      run: false,
      short: `no clamd answered at ${where}`,
      why: `${(error as Error).message} (address from ${found.source}); --require antivirus makes this an error`,
    };
  }
}
