import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sharedTestDataDir } from '../signatures/test-support.js';
import { SignatureUpdateError, updateSignatures, type SignatureUpdateEvent, type UpdateSignaturesOptions } from './index.js';

/** The PRONOM samples: `../shared/pronom` next to the repository (see shared/pronom/README.md). */
const PRONOM = join(sharedTestDataDir(), 'pronom');
const BINARY = 'DROID_SignatureFile_V122.xml';
const CONTAINER = 'container-signature-20260119.xml';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let binaryBytes: Buffer;
let containerBytes: Buffer;
beforeAll(() => {
  for (const name of [BINARY, CONTAINER]) {
    if (!existsSync(join(PRONOM, name))) {
      throw new Error(`PRONOM sample ${name} not found in ${PRONOM}: these tests need the shared signature files (../shared/pronom from the repository root)`);
    }
  }
  binaryBytes = readFileSync(join(PRONOM, BINARY));
  containerBytes = readFileSync(join(PRONOM, CONTAINER));
});

// ---------------------------------------------------------------------------
// A PRONOM site on 127.0.0.1 that can be told to fail.

type Failure = 'ok' | '404' | '500' | 'truncated' | 'not-xml' | 'html' | 'wrong-root' | 'malformed' | 'empty' | 'slow' | 'stall' | 'reset' | 'huge';

interface Site {
  readonly url: string;
  /** How each path answers (default `ok`). */
  readonly fail: Map<string, Failure>;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** Replaces a served body. */
  readonly bodies: Map<string, Buffer>;
  close(): Promise<void>;
}

const INDEX_PATH = '/signatures.json';
const BINARY_PATH = `/signatures/${BINARY}`;
const CONTAINER_PATH = `/container-signatures/${CONTAINER}`;

async function startSite(): Promise<Site> {
  const fail = new Map<string, Failure>();
  const hits = new Map<string, number>();
  const bodies = new Map<string, Buffer>();
  const timers = new Set<NodeJS.Timeout>();
  const index = JSON.stringify({
    latest_signature: { name: 'DROID Signature File V122', location: BINARY_PATH, version: '122' },
    latest_container_signature: { name: '19 January 2026', location: CONTAINER_PATH, version: '20260119' },
    signatures: [],
    container_signatures: [],
  });
  const content = (path: string): Buffer | undefined => {
    if (bodies.has(path)) return bodies.get(path);
    if (path === INDEX_PATH) return Buffer.from(index);
    if (path === BINARY_PATH || path === '/latest/binary.xml') return binaryBytes;
    if (path === CONTAINER_PATH || path === '/latest/container.xml' || path === '/pronom/container-signature.xml') return containerBytes;
    return undefined;
  };
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = content(path);
    const mode = fail.get(path) ?? 'ok';
    if (body === undefined || mode === '404') {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
      return;
    }
    const type = path.endsWith('.json') ? 'application/json' : 'text/xml';
    switch (mode) {
      case 'ok':
        response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'last-modified': 'Mon, 19 Jan 2026 10:53:18 GMT' }).end(body);
        return;
      case '500':
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      case 'truncated':
        response.writeHead(200, { 'content-type': type, 'content-length': body.length });
        response.write(body.subarray(0, Math.floor(body.length / 3)), () => response.socket?.destroy());
        return;
      case 'not-xml':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"error": "maintenance"}');
        return;
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html>\n<html><head><title>PRONOM</title></head><body><p>We are updating PRONOM<br></body></html>');
        return;
      case 'wrong-root': {
        const other = path.includes('container') ? binaryBytes : containerBytes;
        response.writeHead(200, { 'content-type': type, 'content-length': other.length }).end(other);
        return;
      }
      case 'malformed': {
        // Complete as HTTP, but the document itself stops part way.
        const cut = body.subarray(0, body.length - 200);
        response.writeHead(200, { 'content-type': type, 'content-length': cut.length }).end(cut);
        return;
      }
      case 'empty':
        response.writeHead(200, { 'content-type': type, 'content-length': 0 }).end();
        return;
      case 'slow':
        // No answer at all for a long time.
        later(30_000, () => response.writeHead(200).end(body));
        return;
      case 'stall':
        // Headers and a first part, then nothing.
        response.writeHead(200, { 'content-type': type, 'content-length': body.length });
        response.write(body.subarray(0, 1000));
        later(30_000, () => response.end(body.subarray(1000)));
        return;
      case 'reset':
        request.socket.resetAndDestroy();
        return;
      case 'huge':
        response.writeHead(200, { 'content-type': type });
        response.write(body);
        response.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    fail,
    hits,
    bodies,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------

let site: Site;
let root: string;
let dir: string;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site.close());
beforeEach(() => {
  site.fail.clear();
  site.hits.clear();
  site.bodies.clear();
  root = mkdtempSync(join(tmpdir(), 'tdr-update-'));
  dir = join(root, 'signatures');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const OLD_BINARY = 'DROID_SignatureFile_V121.xml';
const OLD_CONTAINER = 'container-signature-20250101.xml';

/** A previous set: V121 and a container file of 2025-01-01 (the samples, renumbered). */
function previousSet(extra: Record<string, Buffer | string> = {}): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, Buffer | string> = {
    [OLD_BINARY]: binaryBytes.toString('utf8').replace('Version="122"', 'Version="121"'),
    [OLD_CONTAINER]: containerBytes.toString('utf8').replace('signatureVersion="40"', 'signatureVersion="39"'),
    ...extra,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return snapshot();
}

/** Every file in the folder with its SHA-256. */
function snapshot(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, sha256(readFileSync(join(dir, name)))]),
  );
}

/** The update may leave nothing beside the folder (no temporary folder). */
function expectNoStrays(): void {
  expect(readdirSync(root)).toEqual(existsSync(dir) ? ['signatures'] : []);
}

function update(options: UpdateSignaturesOptions = {}) {
  return updateSignatures(dir, { env: {}, pronomUrl: site.url, timeoutMs: 5_000, ...options });
}

async function failure(options: UpdateSignaturesOptions = {}): Promise<SignatureUpdateError> {
  const error = await update(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SignatureUpdateError);
  return error as SignatureUpdateError;
}

describe('updateSignatures: success', () => {
  it('downloads both files into a folder that does not exist yet', async () => {
    const events: SignatureUpdateEvent[] = [];
    const result = await update({ onEvent: (event) => events.push(event) });
    expect(snapshot()).toEqual({ [BINARY]: sha256(binaryBytes), [CONTAINER]: sha256(containerBytes) });
    expect(result.binary).toMatchObject({ action: 'installed', name: BINARY, version: '122', url: `${site.url}signatures/${BINARY}`, size: binaryBytes.length });
    expect(result.binary.previous).toBeUndefined();
    expect(result.container).toMatchObject({ action: 'installed', name: CONTAINER, version: '2026-01-19', sha256: sha256(containerBytes) });
    expect(result.before.status).toBe('missing');
    expect(result.after).toMatchObject({ status: 'ok', binary: { name: BINARY, version: 122 }, container: { name: CONTAINER } });
    expect(result.removed).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['index', 'download', 'download', 'downloaded', 'downloaded', 'installed', 'installed']);
    expect(events[0].message).toBe(`reading the list of the latest signature files: ${site.url}signatures.json`);
    expectNoStrays();
  });

  it('replaces an older set, keeps one previous version of each kind and removes older ones', async () => {
    previousSet({
      'DROID_SignatureFile_V120.xml': binaryBytes.toString('utf8').replace('Version="122"', 'Version="120"'),
      'container-signature-20240501.xml': containerBytes,
      'notes.txt': 'mine',
    });
    const result = await update();
    expect(Object.keys(snapshot())).toEqual([BINARY, OLD_BINARY, CONTAINER, OLD_CONTAINER, 'notes.txt'].sort());
    expect([...result.removed].sort()).toEqual(['DROID_SignatureFile_V120.xml', 'container-signature-20240501.xml']);
    expect(result.binary).toMatchObject({ action: 'installed', version: '122', previous: { name: OLD_BINARY, version: '121' } });
    expect(result.container).toMatchObject({ action: 'installed', version: '2026-01-19', previous: { name: OLD_CONTAINER, version: '2025-01-01' } });
    expect(result.after.others).toEqual([OLD_BINARY, OLD_CONTAINER]);
    expectNoStrays();
  });

  it('keepPrevious: 0 leaves only the new set', async () => {
    previousSet();
    await update({ keepPrevious: 0 });
    expect(Object.keys(snapshot())).toEqual([BINARY, CONTAINER]);
  });

  it('downloads nothing when the folder already has the versions signatures.json names', async () => {
    await update();
    site.hits.clear();
    const result = await update();
    expect(site.hits.get(INDEX_PATH)).toBe(1);
    expect(site.hits.get(BINARY_PATH)).toBeUndefined();
    expect(site.hits.get(CONTAINER_PATH)).toBeUndefined();
    expect(result.binary).toMatchObject({ action: 'up-to-date', name: BINARY, version: '122' });
    expect(result.container).toMatchObject({ action: 'up-to-date', name: CONTAINER });

    // --force downloads again; the same bytes under the same name are "unchanged".
    const forced = await update({ force: true });
    expect(site.hits.get(BINARY_PATH)).toBe(1);
    expect(forced.binary.action).toBe('unchanged');
    expect(forced.container.action).toBe('unchanged');
    expectNoStrays();
  });

  it('fetches only the kind that is out of date', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, BINARY), binaryBytes);
    writeFileSync(join(dir, OLD_CONTAINER), containerBytes);
    const result = await update();
    expect(site.hits.get(BINARY_PATH)).toBeUndefined();
    expect(site.hits.get(CONTAINER_PATH)).toBe(1);
    expect(result.binary.action).toBe('up-to-date');
    expect(result.container).toMatchObject({ action: 'installed', name: CONTAINER });
  });

  it('never removes or replaces a newer file it finds, and says that one stays in use', async () => {
    const newer = binaryBytes.toString('utf8').replace('Version="122"', 'Version="130"');
    previousSet({ 'DROID_SignatureFile_V130.xml': newer });
    const up = await update();
    expect(up.binary).toMatchObject({ action: 'up-to-date', name: 'DROID_SignatureFile_V130.xml' });
    const forced = await update({ force: true });
    expect(forced.binary).toMatchObject({ action: 'installed', name: BINARY });
    expect(forced.after.binary?.name).toBe('DROID_SignatureFile_V130.xml');
    expect(forced.notes).toContain(`binary signature file: DROID_SignatureFile_V130.xml in ${dir} is newer than ${BINARY} and is the one used`);
    expect(readdirSync(dir)).toContain('DROID_SignatureFile_V130.xml');
  });

  it('takes the files from fixed addresses without signatures.json; the container date from the name, else Last-Modified', async () => {
    const direct = await update({ pronomUrl: 'http://127.0.0.1:1/', binaryUrl: `${site.url}latest/binary.xml`, containerUrl: `${site.url}${CONTAINER_PATH.slice(1)}` });
    expect(site.hits.get(INDEX_PATH)).toBeUndefined();
    expect(direct.binary).toMatchObject({ name: BINARY, url: `${site.url}latest/binary.xml` });
    expect(direct.container.name).toBe(CONTAINER);

    rmSync(dir, { recursive: true });
    const dated = await update({ env: { TDR_PRONOM_BINARY_URL: `${site.url}latest/binary.xml`, TDR_PRONOM_CONTAINER_URL: `${site.url}pronom/container-signature.xml` } });
    expect(dated.container.name).toBe('container-signature-20260119.xml');
    expect(dated.notes).toEqual([`the container signature file's date 2026-01-19 comes from the Last-Modified header of ${site.url}pronom/container-signature.xml (as DROID does)`]);
  });

  it('names the binary file by its own Version, and notes a disagreement with signatures.json', async () => {
    site.bodies.set(BINARY_PATH, Buffer.from(binaryBytes.toString('utf8').replace('Version="122"', 'Version="123"')));
    const result = await update();
    expect(result.binary.name).toBe('DROID_SignatureFile_V123.xml');
    expect(result.notes).toEqual([`${site.url}signatures/${BINARY} is listed as V122 but says Version="123" inside; saved as V123`]);
  });

  it('readers never see a partial file: every signature file seen during an update is a whole old or new one', async () => {
    const before = previousSet();
    const whole = new Set([...Object.values(before), sha256(binaryBytes), sha256(containerBytes)]);
    let done = false;
    const seen: string[] = [];
    const watcher = (async () => {
      while (!done) {
        for (const name of await readdir(dir)) {
          if (!name.endsWith('.xml')) continue;
          const bytes = await readFile(join(dir, name)).catch(() => undefined); // a file may go between readdir and read
          if (bytes) seen.push(whole.has(sha256(bytes)) ? 'whole' : `partial ${name} (${bytes.length} bytes)`);
        }
      }
    })();
    await update({ keepPrevious: 0 });
    done = true;
    await watcher;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((entry) => entry !== 'whole')).toEqual([]);
  });

  it('removes temporary folders left by an update that died a day ago, not recent ones', async () => {
    previousSet();
    const stale = join(root, '.signatures.update-dead01');
    const recent = join(root, '.signatures.update-live01');
    mkdirSync(stale);
    mkdirSync(recent);
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    utimesSync(stale, old, old);
    await update();
    expect(readdirSync(root).sort()).toEqual(['.signatures.update-live01', 'signatures']);
  });
});

describe('updateSignatures: failures keep the previous set', () => {
  const cases: { what: string; path: string; mode: Failure; code: string; message: RegExp; options?: UpdateSignaturesOptions }[] = [
    { what: 'HTTP 404', path: BINARY_PATH, mode: '404', code: 'HTTP_STATUS', message: /signatures\/DROID_SignatureFile_V122\.xml answered HTTP 404 Not Found/ },
    { what: 'HTTP 500', path: CONTAINER_PATH, mode: '500', code: 'HTTP_STATUS', message: /container-signature-20260119\.xml answered HTTP 500 Internal Server Error/ },
    { what: 'a truncated body', path: BINARY_PATH, mode: 'truncated', code: 'TRUNCATED', message: /V122\.xml broke off after [\d,]+ of 3,658,761 bytes/ },
    { what: 'a body that is not XML', path: CONTAINER_PATH, mode: 'not-xml', code: 'NOT_XML', message: /20260119\.xml did not return XML \(it starts "\{\\"error\\": \\"maintenance\\"\}"\), so not a container signature file/ },
    { what: 'an HTML page', path: BINARY_PATH, mode: 'html', code: 'WRONG_ROOT', message: /V122\.xml returned an XML document with root element <html>, not <FFSignatureFile>/ },
    { what: 'the wrong root element', path: CONTAINER_PATH, mode: 'wrong-root', code: 'WRONG_ROOT', message: /root element <FFSignatureFile>, not <ContainerSignatureMapping>: not a container signature file/ },
    { what: 'XML that is not well-formed', path: BINARY_PATH, mode: 'malformed', code: 'MALFORMED_XML', message: /V122\.xml returned a binary signature file that is not well-formed XML \(line \d+, column \d+: / },
    { what: 'an empty body', path: CONTAINER_PATH, mode: 'empty', code: 'EMPTY', message: /20260119\.xml returned an empty body, not a container signature file/ },
    { what: 'no answer within the time limit', path: BINARY_PATH, mode: 'slow', code: 'TIMEOUT', message: /V122\.xml did not answer in time \(limit 0\.5 s; no answer\)/, options: { timeoutMs: 500 } },
    { what: 'an answer that stalls', path: CONTAINER_PATH, mode: 'stall', code: 'TIMEOUT', message: /20260119\.xml did not answer in time \(limit 0\.5 s; [\d,]+ bytes received\)/, options: { timeoutMs: 500 } },
    { what: 'a connection reset', path: BINARY_PATH, mode: 'reset', code: 'NETWORK', message: /cannot reach .*V122\.xml \(.*(ECONNRESET|other side closed)/ },
    { what: 'a body over the size limit', path: BINARY_PATH, mode: 'huge', code: 'TOO_LARGE', message: /V122\.xml is too large: the limit is 4,194,304 bytes/, options: { maxBytes: 4 * 1024 * 1024 } },
  ];

  for (const { what, path, mode, code, message, options } of cases) {
    it(`${what}: ${code}, the URL named, nothing changed, nothing left behind`, async () => {
      const before = previousSet();
      site.fail.set(path, mode);
      const error = await failure(options);
      expect(error.failures).toHaveLength(1);
      expect(error.failures[0]).toMatchObject({ code, url: `${site.url}${path.slice(1)}`, source: path === BINARY_PATH ? 'binary' : 'container' });
      expect(error.failures[0].message).toMatch(message);
      expect(error.message).toContain(`the files in ${dir} were left as they were`);
      expect(snapshot()).toEqual(before);
      expectNoStrays();
    });
  }

  it('reports every failure, not just the first', async () => {
    const before = previousSet();
    site.fail.set(BINARY_PATH, '404');
    site.fail.set(CONTAINER_PATH, 'not-xml');
    const error = await failure();
    expect(error.failures.map((entry) => entry.code).sort()).toEqual(['HTTP_STATUS', 'NOT_XML']);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(snapshot()).toEqual(before);
  });

  it('one good file is not installed when the other fails', async () => {
    previousSet();
    site.fail.set(CONTAINER_PATH, '500');
    await failure();
    expect(readdirSync(dir)).not.toContain(BINARY);
  });

  it('signatures.json missing, broken or unreachable: says so, with how to give the addresses instead', async () => {
    const before = previousSet();
    site.fail.set(INDEX_PATH, '404');
    const missing = await failure();
    expect(missing.failures[0]).toMatchObject({ code: 'HTTP_STATUS', source: 'index', status: 404, url: `${site.url}signatures.json` });
    expect(missing.failures[0].message).toMatch(/signatures\.json answered HTTP 404 Not Found; set TDR_PRONOM_BINARY_URL and TDR_PRONOM_CONTAINER_URL/);

    site.fail.set(INDEX_PATH, 'html');
    const html = await failure();
    expect(html.failures[0]).toMatchObject({ code: 'BAD_INDEX' });
    expect(html.failures[0].message).toMatch(/signatures\.json is not PRONOM's list of signature files: not JSON/);

    const port = await closedPort();
    const unreachable = await failure({ pronomUrl: `http://127.0.0.1:${port}/` });
    expect(unreachable.failures[0]).toMatchObject({ code: 'NETWORK', url: `http://127.0.0.1:${port}/signatures.json` });
    expect(unreachable.failures[0].message).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/signatures\\.json \\(.*ECONNREFUSED`));
    expect(snapshot()).toEqual(before);
    expectNoStrays();
  });

  it('an address that is not http(s)', async () => {
    const error = await failure({ binaryUrl: 'ftp://example.org/x.xml', containerUrl: 'not a url' });
    expect(error.failures.map((entry) => entry.code)).toEqual(['BAD_URL', 'BAD_URL']);
    expect(error.failures[0].message).toBe('address of the binary signature file: ftp://example.org/x.xml is not an http or https URL');
  });

  it('a folder that cannot be created', async () => {
    writeFileSync(dir, 'a file where the folder should be');
    const error = await failure();
    expect(error.failures[0]).toMatchObject({ code: 'FILESYSTEM', url: dir });
    expect(readFileSync(dir, 'utf8')).toBe('a file where the folder should be');
    expect(readdirSync(root)).toEqual(['signatures']);
  });

  it('cancelled by the caller', async () => {
    previousSet();
    site.fail.set(BINARY_PATH, 'slow');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 200);
    const error = await failure({ signal: controller.signal });
    expect(error.failures[0]).toMatchObject({ code: 'ABORTED' });
    expectNoStrays();
  });
});
