import { describe, expect, it } from 'vitest';
import { parseScanReply, parseVersion } from './replies.js';

describe('parseVersion', () => {
  it('reads engine, daily database version and date', () => {
    expect(parseVersion('ClamAV 1.4.6/27456/Mon Nov 23 09:30:02 2026')).toEqual({
      engine: '1.4.6',
      database: '27456',
      databaseDate: '2026-11-23T09:30:02.000Z',
      raw: 'ClamAV 1.4.6/27456/Mon Nov 23 09:30:02 2026',
    });
  });

  it('reads a clamd without an official database (only the engine)', () => {
    expect(parseVersion('ClamAV 1.4.6')).toEqual({ engine: '1.4.6', raw: 'ClamAV 1.4.6' });
  });

  it('refuses what is not a VERSION reply', () => {
    expect(() => parseVersion('PONG')).toThrow(/not "ClamAV/);
  });
});

describe('parseScanReply', () => {
  it('reads OK, FOUND and several FOUND lines', () => {
    expect(parseScanReply('/a/b c.txt: OK', '/a/b c.txt')).toEqual({ kind: 'clean' });
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({ kind: 'found', signatures: ['Win.Test.EICAR_HDB-1'] });
    expect(parseScanReply('/x: y: A FOUND\0/x: y: B FOUND')).toEqual({ kind: 'found', signatures: ['A', 'B'] });
    // Names that look like answers: the verdict is at the end.
    expect(parseScanReply('/d/evil: Eicar FOUND: OK', '/d/evil: Eicar FOUND')).toEqual({ kind: 'clean' });
    expect(parseScanReply('/d/two\nlines: OK: Sig FOUND')).toEqual({ kind: 'found', signatures: ['Sig'] });
  });

  it('takes a limit hit for an error, not a virus, unless a real signature matched too', () => {
    expect(parseScanReply('/f: Heuristics.Limits.Exceeded.MaxFileSize FOUND')).toEqual({
      kind: 'limit',
      signatures: ['Heuristics.Limits.Exceeded.MaxFileSize'],
    });
    expect(parseScanReply('/f: Heuristics.Limits.Exceeded.MaxScanSize FOUND\0/f: Win.Test.EICAR_HDB-1 FOUND').kind).toBe('found');
  });

  it('tells why a scan failed', () => {
    expect(parseScanReply('/gone: File path check failure: No such file or directory. ERROR', '/gone')).toEqual({
      kind: 'error',
      reason: 'not-found',
      message: 'File path check failure: No such file or directory.',
    });
    expect(parseScanReply('/secret: lstat() failed: Permission denied. ERROR').kind).toBe('error');
    expect(parseScanReply('/secret: Access denied. ERROR')).toMatchObject({ reason: 'access-denied' });
    expect(parseScanReply('INSTREAM size limit exceeded. ERROR')).toMatchObject({ reason: 'stream-limit' });
  });

  it('never reads an unknown or empty answer as clean', () => {
    expect(parseScanReply('')).toMatchObject({ kind: 'error' });
    expect(parseScanReply('/f: OKAY')).toMatchObject({ kind: 'error' });
    expect(parseScanReply('/f: OK\0/f: OK')).toMatchObject({ kind: 'error' });
  });
});
