import type { ResultEnvelope } from '@tdr/checks';

/** A completed checksum envelope for file `f<i>`, version `checkVersion`. */
export function envelope(i: number, checkVersion = '1.0.0', check = 'checksum'): ResultEnvelope {
  return {
    fileId: `f${i}`,
    check,
    checkVersion,
    status: 'completed',
    result: { sha256: i.toString(16).padStart(64, '0') },
    tool: { name: 'node:crypto', version: 'OpenSSL 3.0.15' },
    startedAt: '2026-11-23T17:00:00.000Z',
    durationMs: 1.5,
  };
}

/** `count` envelopes for files f0…f<count-1>. */
export function envelopes(count: number, checkVersion = '1.0.0', check = 'checksum'): ResultEnvelope[] {
  return Array.from({ length: count }, (_, i) => envelope(i, checkVersion, check));
}
