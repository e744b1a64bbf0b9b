import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClamdSize, readClamdConf } from './clamd-conf.js';

describe('clamd.conf', () => {
  it('reads sizes as clamd does', () => {
    expect(parseClamdSize('100M')).toBe(100 * 1024 * 1024);
    expect(parseClamdSize('10k')).toBe(10 * 1024);
    expect(parseClamdSize('4000')).toBe(4000);
    expect(parseClamdSize('0')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseClamdSize('lots')).toThrow(RangeError);
  });

  it('reads the limits and the listening socket, with clamd’s defaults for what is not set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdr-conf-'));
    try {
      const path = join(dir, 'clamd.conf');
      writeFileSync(path, '# comment\nLocalSocket /run/clamav/clamd.ctl\nMaxFileSize 25M\n#AlertExceedsMax yes\nStreamMaxLength 0\n');
      expect(await readClamdConf(path)).toEqual({
        path,
        localSocket: '/run/clamav/clamd.ctl',
        maxFileSize: 25 * 1024 * 1024,
        maxScanSize: 400 * 1024 * 1024,
        streamMaxLength: Number.POSITIVE_INFINITY,
        alertExceedsMax: false,
      });
      writeFileSync(path, 'AlertExceedsMax yes\nTCPSocket 3310\n');
      expect(await readClamdConf(path)).toMatchObject({ tcpSocket: 3310, alertExceedsMax: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
