import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, SHARED_PRONOM, tempDir } from '../test-support/run-cli.js';

const BINARY = 'DROID_SignatureFile_V122.xml';
const CONTAINER = 'container-signature-20260119.xml';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

// A PRONOM site on 127.0.0.1: signatures.json and the two files; a path can be told to answer 404 or garbage.
let server: Server;
let site: string;
const broken = new Map<string, 404 | 'garbage'>();
const hits: string[] = [];

beforeAll(async () => {
  for (const name of [BINARY, CONTAINER]) {
    if (!existsSync(join(SHARED_PRONOM, name))) {
      throw new Error(`PRONOM sample ${name} not found in ${SHARED_PRONOM}: these tests need the shared signature files (../shared/pronom from the repository root)`);
    }
  }
  const files: Record<string, Buffer> = {
    '/signatures.json': Buffer.from(
      JSON.stringify({
        latest_signature: { name: 'DROID Signature File V122', location: `/signatures/${BINARY}`, version: '122' },
        latest_container_signature: { name: '19 January 2026', location: `/container-signatures/${CONTAINER}`, version: '20260119' },
      }),
    ),
    [`/signatures/${BINARY}`]: readFileSync(join(SHARED_PRONOM, BINARY)),
    [`/container-signatures/${CONTAINER}`]: readFileSync(join(SHARED_PRONOM, CONTAINER)),
  };
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.push(path);
    const body = files[path];
    const failure = broken.get(path);
    if (body === undefined || failure === 404) response.writeHead(404).end('Not Found');
    else if (failure === 'garbage') response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>');
    else response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let temp: { path: string; remove: () => void };
let dir: string;
beforeEach(() => {
  temp = tempDir('tdr-cli-signatures-');
  dir = join(temp.path, 'signatures');
  broken.clear();
  hits.length = 0;
});
afterEach(() => temp.remove());

/** No TDR_* settings from the outside; the per-user default inside the temporary folder. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    TDR_SIGNATURES_DIR: '',
    TDR_PRONOM_URL: site,
    TDR_PRONOM_BINARY_URL: '',
    TDR_PRONOM_CONTAINER_URL: '',
    XDG_DATA_HOME: join(temp.path, 'data'),
    ...extra,
  };
}

function samples(): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(SHARED_PRONOM, BINARY), join(dir, BINARY));
  copyFileSync(join(SHARED_PRONOM, CONTAINER), join(dir, CONTAINER));
}

function snapshot(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, sha256(readFileSync(join(dir, name)))]),
  );
}

describe('tdr-checks signatures info', () => {
  it('prints the folder, where the choice came from, and each file with version, date, size and counts', async () => {
    samples();
    const { code, stdout, stderr } = await runCli(['signatures', 'info', '--signatures', dir], { env: env() });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Signature folder: ${dir}\n  chosen by    --signatures\n`);
    expect(stdout).toContain(`Binary signature file: ${BINARY}\n  version      122, created 2026-01-19T10:53:18\n  size         3,658,761 bytes\n`);
    expect(stdout).toContain('  SHA-256      9f94d948a8ea4a9f63d6a8a40b273a5b0cd23ff65b5bb614867e78120967343a\n');
    expect(stdout).toContain('  contents     2,544 formats, 2,242 internal signatures\n');
    expect(stdout).toContain(`Container signature file: ${CONTAINER}\n  date         2026-01-19 (signatureVersion 40, schema 1.0)\n  size         314,813 bytes\n`);
    expect(stdout).toContain('  contents     310 container signatures, 310 format mappings, 3 trigger PUIDs\n');
  });

  it('says whether the compiled cache is built, and where', async () => {
    samples();
    const cache = join(temp.path, 'cache');
    const info = async (): Promise<string> => (await runCli(['signatures', 'info', '--signatures', dir], { env: env({ TDR_CHECKS_CACHE_DIR: cache }) })).stdout;
    expect(await info()).toMatch(new RegExp(`Compiled cache: ${cache}/pronom-9f94d948a8ea4a9f-c41c3efe4df230d8-c\\d+\\.v8\n  state        not built yet`));
    writeFileSync(join(temp.path, 'a.txt'), 'a');
    await runCli(['check', '--checks', 'format', '--signatures', dir, join(temp.path, 'a.txt')], { env: env({ TDR_CHECKS_CACHE_DIR: cache }) });
    expect(await info()).toMatch(/ {2}state {8}present, [\d,]+ bytes, written \d{4}-/);
  });

  it('--json, with the folder from TDR_SIGNATURES_DIR', async () => {
    samples();
    const { code, stdout } = await runCli(['signatures', 'info', '--json'], { env: env({ TDR_SIGNATURES_DIR: dir }) });
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ dir, status: 'ok', source: 'env', chosenBy: 'TDR_SIGNATURES_DIR', binary: { version: 122 }, container: { date: '2026-01-19' } });
  });

  it('without files: exit 2 and how to get them', async () => {
    const { code, stdout, stderr } = await runCli(['signatures', 'info'], { env: env() });
    expect(code).toBe(2);
    const expected = join(temp.path, 'data', 'tdr-checks', 'signatures');
    expect(stdout).toBe(`Signature folder: ${expected}\n  chosen by    per-user default ($XDG_DATA_HOME/tdr-checks/signatures)\n`);
    expect(stderr).toContain(`tdr-checks: No PRONOM signature files: the folder ${expected} does not exist.`);
    expect(stderr).toContain('Get them with `tdr-checks signatures update`, or point --signatures or TDR_SIGNATURES_DIR at a folder');
  });

  it('with one file only: exit 2, shows what is there and names what is lacking', async () => {
    samples();
    const { code, stdout, stderr } = await runCli(['signatures', 'info', '--signatures', dir], { env: env() });
    expect(code).toBe(0);
    // Now take the container file away.
    writeFileSync(join(dir, CONTAINER), '');
    const partial = await runCli(['signatures', 'info', '--signatures', dir], { env: env() });
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain(`Binary signature file: ${BINARY}`);
    expect(partial.stdout).toContain(`Note: ${CONTAINER} is empty`);
    expect(partial.stderr).toMatch(/^tdr-checks: No container signature file \(container-signature-<yyyymmdd>\.xml\) in .*tdr-checks signatures update/);
    expect(stdout).not.toContain('Note:');
    expect(stderr).toBe('');
  });

  it('--help has examples', async () => {
    const { code, stdout } = await runCli(['signatures', 'info', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('$ tdr-checks signatures info --signatures /srv/pronom');
    expect(stdout).toContain('TDR_SIGNATURES_DIR');
  });
});

describe('tdr-checks signatures update', () => {
  it('downloads both files into the per-user folder, then says they are up to date', async () => {
    const first = await runCli(['signatures', 'update'], { env: env() });
    expect(first.stderr).toContain(`reading the list of the latest signature files: ${site}signatures.json`);
    expect(first.stderr).toContain(`downloading the binary signature file: ${site}signatures/${BINARY}`);
    expect(first.code).toBe(0);
    const folder = join(temp.path, 'data', 'tdr-checks', 'signatures');
    expect(first.stdout).toContain(`Signature folder: ${folder}`);
    expect(first.stdout).toContain(`Binary signature file: (none) → V122 (${BINARY}, 3,658,761 bytes, from ${site}signatures/${BINARY})`);
    expect(first.stdout).toContain(`Container signature file: (none) → 2026-01-19 (${CONTAINER}, 314,813 bytes, from ${site}container-signatures/${CONTAINER})`);
    expect(readdirSync(folder).sort()).toEqual([BINARY, CONTAINER]);
    expect(readdirSync(join(folder, '..'))).toEqual(['signatures']);

    hits.length = 0;
    const second = await runCli(['signatures', 'update'], { env: env() });
    expect(second.code).toBe(0);
    expect(hits).toEqual(['/signatures.json']);
    expect(second.stdout).toContain(`Binary signature file: V122, up to date (${BINARY})`);
    expect(second.stdout).toContain(`Container signature file: 2026-01-19, up to date (${CONTAINER})`);

    const info = await runCli(['signatures', 'info'], { env: env() });
    expect(info.code).toBe(0);
  });

  it('replaces an older set and shows the old and new versions', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'DROID_SignatureFile_V120.xml'), readFileSync(join(SHARED_PRONOM, BINARY), 'utf8').replace('Version="122"', 'Version="120"'));
    writeFileSync(join(dir, 'DROID_SignatureFile_V121.xml'), readFileSync(join(SHARED_PRONOM, BINARY), 'utf8').replace('Version="122"', 'Version="121"'));
    copyFileSync(join(SHARED_PRONOM, CONTAINER), join(dir, 'container-signature-20250101.xml'));
    const { code, stdout } = await runCli(['signatures', 'update', '--signatures', dir], { env: env() });
    expect(code).toBe(0);
    expect(stdout).toContain('Binary signature file: V121 → V122 (');
    expect(stdout).toContain('Container signature file: 2025-01-01 → 2026-01-19 (');
    expect(stdout).toContain('Removed older: DROID_SignatureFile_V120.xml');
    expect(readdirSync(dir).sort()).toEqual(['DROID_SignatureFile_V121.xml', BINARY, 'container-signature-20250101.xml', CONTAINER]);
  });

  it('fails with exit 2, names the URL, and keeps the previous set', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'DROID_SignatureFile_V121.xml'), readFileSync(join(SHARED_PRONOM, BINARY), 'utf8').replace('Version="122"', 'Version="121"'));
    copyFileSync(join(SHARED_PRONOM, CONTAINER), join(dir, 'container-signature-20250101.xml'));
    const before = snapshot();
    broken.set(`/container-signatures/${CONTAINER}`, 404);
    broken.set(`/signatures/${BINARY}`, 'garbage');
    const { code, stdout, stderr } = await runCli(['signatures', 'update', '--signatures', dir], { env: env() });
    expect(code).toBe(2);
    expect(stdout).toBe(`Signature folder: ${dir}\n  chosen by    --signatures\n`);
    expect(stderr).toContain(`tdr-checks: Signature update failed; the files in ${dir} were left as they were.`);
    expect(stderr).toContain(`  - ${site}signatures/${BINARY} returned an XML document with root element <html>, not <FFSignatureFile>: not a binary signature file`);
    expect(stderr).toContain(`  - ${site}container-signatures/${CONTAINER} answered HTTP 404 Not Found`);
    expect(stderr).toContain('Still in use: DROID_SignatureFile_V121.xml, container-signature-20250101.xml');
    expect(snapshot()).toEqual(before);
    expect(readdirSync(temp.path)).toEqual(['signatures']);
  });

  it('takes the file addresses from options, without signatures.json', async () => {
    const { code, stdout } = await runCli(
      ['signatures', 'update', '--signatures', dir, '--binary-url', `${site}signatures/${BINARY}`, '--container-url', `${site}container-signatures/${CONTAINER}`],
      { env: env() },
    );
    expect(code).toBe(0);
    expect(hits).not.toContain('/signatures.json');
    expect(stdout).toContain('→ V122');
    expect(snapshot()).toEqual({ [BINARY]: sha256(readFileSync(join(SHARED_PRONOM, BINARY))), [CONTAINER]: sha256(readFileSync(join(SHARED_PRONOM, CONTAINER))) });
  });

  it('an unreachable PRONOM site: exit 2 with the URL and how to give the addresses instead', async () => {
    broken.set('/signatures.json', 404);
    const { code, stderr } = await runCli(['signatures', 'update', '--signatures', dir], { env: env() });
    expect(code).toBe(2);
    expect(stderr).toContain(`${site}signatures.json answered HTTP 404 Not Found; set TDR_PRONOM_BINARY_URL and TDR_PRONOM_CONTAINER_URL`);
    expect(stderr).toContain('The folder has no signature files yet.');
    expect(existsSync(dir)).toBe(false);
  });

  it('bad usage is exit 2', async () => {
    const timeout = await runCli(['signatures', 'update', '--signatures', dir, '--timeout', 'soon'], { env: env() });
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('tdr-checks: --timeout must be a number > 0, not "soon"');
    const keep = await runCli(['signatures', 'update', '--signatures', dir, '--keep-previous', '-1'], { env: env() });
    expect(keep.code).toBe(2);
    expect(hits).toEqual([]);
    const unknown = await runCli(['signatures', 'upgrade'], { env: env() });
    expect(unknown.code).toBe(2);
  });

  it('--help has examples and the environment variables', async () => {
    const { code, stdout } = await runCli(['signatures', 'update', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('$ tdr-checks signatures update --signatures /srv/pronom');
    for (const name of ['TDR_PRONOM_URL', 'TDR_PRONOM_BINARY_URL', 'TDR_PRONOM_CONTAINER_URL', 'TDR_SIGNATURES_DIR']) expect(stdout).toContain(name);
  });
});
