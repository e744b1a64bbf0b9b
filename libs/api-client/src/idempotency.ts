import type { ResultEnvelope } from '@tdr/checks';

/**
 * The idempotency key of a result: `fileId:check:checkVersion`. The results
 * API applies a result with a given key once; delivering it again is a
 * harmless duplicate.
 *
 * @example
 * ```ts
 * idempotencyKey({ fileId: 'f1', check: 'checksum', checkVersion: '1.2.0', … }); // 'f1:checksum:1.2.0'
 * ```
 */
export function idempotencyKey(envelope: Pick<ResultEnvelope, 'fileId' | 'check' | 'checkVersion'>): string {
  return `${envelope.fileId}:${envelope.check}:${envelope.checkVersion}`;
}
