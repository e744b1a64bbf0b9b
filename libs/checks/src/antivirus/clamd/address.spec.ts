import { describe, expect, it } from 'vitest';
import { formatClamdAddress, parseClamdAddress, resolveClamdAddress } from './address.js';

describe('clamd addresses', () => {
  it('reads socket paths, host:port, bare hosts and IPv6', () => {
    expect(parseClamdAddress('/run/clamav/clamd.ctl')).toEqual({ kind: 'socket', path: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('./clamd.sock')).toEqual({ kind: 'socket', path: './clamd.sock' });
    expect(parseClamdAddress('clamd.internal:3311')).toEqual({ kind: 'tcp', host: 'clamd.internal', port: 3311 });
    expect(parseClamdAddress('localhost')).toEqual({ kind: 'tcp', host: 'localhost', port: 3310 });
    expect(parseClamdAddress('[::1]:3310')).toEqual({ kind: 'tcp', host: '::1', port: 3310 });
    expect(formatClamdAddress({ kind: 'tcp', host: '::1', port: 3310 })).toBe('[::1]:3310');
  });

  it('refuses what names no clamd', () => {
    expect(() => parseClamdAddress('')).toThrow(RangeError);
    expect(() => parseClamdAddress('host:99999')).toThrow(/port/);
    expect(() => parseClamdAddress('a:b:c')).toThrow(RangeError);
  });

  it('takes --clamd, then $CLAMD_SOCKET, then $CLAMD_HOST, then Debian’s socket when it exists', () => {
    const none = (): boolean => false;
    expect(resolveClamdAddress('h:1', { CLAMD_SOCKET: '/s' }, none)?.source).toBe('--clamd');
    expect(resolveClamdAddress(undefined, { CLAMD_SOCKET: '/s', CLAMD_HOST: 'h' }, none)).toEqual({ address: { kind: 'socket', path: '/s' }, source: '$CLAMD_SOCKET' });
    expect(resolveClamdAddress(undefined, { CLAMD_HOST: 'h:1' }, none)?.address).toEqual({ kind: 'tcp', host: 'h', port: 1 });
    expect(resolveClamdAddress(undefined, {}, none)).toBeUndefined();
    expect(resolveClamdAddress(undefined, {}, (path) => path === '/var/run/clamav/clamd.ctl')?.source).toBe("Debian's default socket");
  });
});
