import { describe, expect, it } from 'vitest';
import type { FileReport, ResultEnvelope } from '@tdr/checks';
import { decideRoute, routeRequestFor } from './decision.js';

const base = { fileId: 'f', checkVersion: '1.0.0', tool: { name: 't', version: '1' }, startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1 };
const completed = (check: string, result: unknown): ResultEnvelope => ({ ...base, check, status: 'completed', result });
const errored = (check: string): ResultEnvelope => ({ ...base, check, status: 'error', error: { code: 'TIMEOUT', message: 'slow', retryable: true } });

describe('decideRoute', () => {
  it('routes only a completed, not-infected scan to clean and a completed, infected one to quarantine', () => {
    expect(decideRoute(completed('antivirus', { infected: false, signatures: [] }))).toBe('clean');
    expect(decideRoute(completed('antivirus', { infected: true, signatures: ['Eicar-Signature'] }))).toBe('quarantine');
  });

  it('keeps everything else where it is: an error, no scan, a result without a boolean infected', () => {
    expect(decideRoute(errored('antivirus'))).toBe('stay');
    expect(decideRoute(undefined)).toBe('stay');
    for (const result of [{}, { infected: 'no' }, { infected: 0 }, null, undefined, 'clean']) {
      expect(decideRoute(completed('antivirus', result))).toBe('stay');
    }
  });
});

describe('routeRequestFor', () => {
  const report = (results: Record<string, ResultEnvelope>, extra: Partial<FileReport> = {}): FileReport => ({
    id: 'transfer/sub/a.pdf',
    path: 'sub/a.pdf',
    size: 12,
    localPath: '/data/transfer/sub/a.pdf',
    lastModified: '2026-11-23T10:00:00.000Z',
    results,
    ...extra,
  });

  it('takes the local file, the recorded SHA-256 and the antivirus decision', () => {
    const request = routeRequestFor(
      report({ checksum: completed('checksum', { sha256: 'ab'.repeat(32) }), antivirus: completed('antivirus', { infected: false }) }),
    );
    expect(request).toEqual({
      source: {
        path: 'sub/a.pdf',
        localPath: '/data/transfer/sub/a.pdf',
        size: 12,
        lastModified: '2026-11-23T10:00:00.000Z',
        sha256: 'ab'.repeat(32),
      },
      decision: 'clean',
    });
  });

  it('leaves out a checksum that errored, and stays without a scan', () => {
    expect(routeRequestFor(report({ checksum: errored('checksum') }))).toEqual({
      source: { path: 'sub/a.pdf', localPath: '/data/transfer/sub/a.pdf', size: 12, lastModified: '2026-11-23T10:00:00.000Z' },
      decision: 'stay',
    });
  });

  it('has nothing to route for a report without a local file', () => {
    expect(routeRequestFor(report({}, { localPath: undefined }))).toBeUndefined();
    expect(routeRequestFor(report({}, { size: null }))).toBeUndefined();
    expect(routeRequestFor(report({}, { missing: { reason: 'not-found', message: 'listed in the manifest, not found' } }))).toBeUndefined();
  });
});
