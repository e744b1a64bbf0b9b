import type { ClamdAddress } from './address.js';
import { parseVersion, type ClamdVersion } from './replies.js';
import { ClamdSession } from './session.js';

/**
 * Asks a clamd for its versions on a connection of its own: whether it is
 * there, and what it runs. For runners deciding whether antivirus can run,
 * and for `tdr-checks clamd status`.
 * @throws CheckError CLAMD_UNAVAILABLE, CLAMD_TIMEOUT, … saying why not.
 */
export async function probeClamd(address: ClamdAddress, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ClamdVersion> {
  const exchange = { timeoutMs: options.timeoutMs ?? 2_000, ...(options.signal ? { signal: options.signal } : {}) };
  const session = await ClamdSession.open(address, exchange);
  try {
    return parseVersion(await session.command('VERSION', exchange));
  } finally {
    session.close();
  }
}
