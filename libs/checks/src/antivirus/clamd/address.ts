import { statSync } from 'node:fs';

/** Where a clamd listens: a Unix socket on this machine, or a TCP host and port. */
export type ClamdAddress =
  | { readonly kind: 'socket'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** Environment variables naming a clamd, as clamdscan's users know them. */
export const CLAMD_SOCKET_ENV = 'CLAMD_SOCKET';
export const CLAMD_HOST_ENV = 'CLAMD_HOST';

/**
 * The sockets Debian's `clamav-daemon` package listens on (`LocalSocket` in
 * its /etc/clamav/clamd.conf; /var/run is a link to /run).
 */
export const DEBIAN_CLAMD_SOCKETS: readonly string[] = ['/run/clamav/clamd.ctl', '/var/run/clamav/clamd.ctl'];

/** clamd's default TCP port (clamd.conf `TCPSocket`). */
export const DEFAULT_CLAMD_PORT = 3310;

/**
 * Reads `--clamd` style text: a path (anything with a `/`) is a Unix
 * socket; `host:port`, `[v6]:port` or a bare host (port 3310) is TCP.
 * @throws RangeError saying what is wrong with the text.
 */
export function parseClamdAddress(text: string): ClamdAddress {
  const value = text.trim();
  if (value === '') throw new RangeError('a clamd address is empty; give a socket path or host:port');
  if (value.includes('/')) return { kind: 'socket', path: value };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(value);
  const match = bracketed ?? plain;
  if (!match) throw new RangeError(`"${text}" is neither a socket path nor host:port`);
  const port = match[2] === undefined ? DEFAULT_CLAMD_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`"${text}": port must be 1 to 65535`);
  return { kind: 'tcp', host: match[1], port };
}

/** How a person writes the address: the socket path, or host:port. */
export function formatClamdAddress(address: ClamdAddress): string {
  if (address.kind === 'socket') return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** An address and where it came from, for messages ("--clamd", "$CLAMD_SOCKET", "Debian's default socket"). */
export interface ResolvedClamdAddress {
  readonly address: ClamdAddress;
  readonly source: string;
}

/**
 * Finds the clamd to use: the explicit address, else `$CLAMD_SOCKET`, else
 * `$CLAMD_HOST` (host or host:port), else Debian's default socket when it
 * exists. `undefined` when nothing names one.
 * @throws RangeError for an address that cannot be read.
 */
export function resolveClamdAddress(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = isSocket,
): ResolvedClamdAddress | undefined {
  if (explicit !== undefined) return { address: parseClamdAddress(explicit), source: '--clamd' };
  const socket = env[CLAMD_SOCKET_ENV];
  if (socket) return { address: { kind: 'socket', path: socket }, source: `$${CLAMD_SOCKET_ENV}` };
  const host = env[CLAMD_HOST_ENV];
  if (host) return { address: parseClamdAddress(host), source: `$${CLAMD_HOST_ENV}` };
  const debian = DEBIAN_CLAMD_SOCKETS.find(exists);
  return debian === undefined ? undefined : { address: { kind: 'socket', path: debian }, source: "Debian's default socket" };
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
