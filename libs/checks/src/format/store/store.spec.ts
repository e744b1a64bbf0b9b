import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sharedTestDataDir } from '../signatures/test-support.js';
import { inspectSignatureDir, resolveSignatureDir } from './index.js';
import { countElements, readRootElement } from './scan.js';
import { parseSignatureIndex, signatureSources } from './sources.js';

/** The PRONOM samples: `../shared/pronom` next to the repository (see shared/pronom/README.md). */
const PRONOM = join(sharedTestDataDir(), 'pronom');
const BINARY = 'DROID_SignatureFile_V122.xml';
const CONTAINER = 'container-signature-20260119.xml';

beforeAll(() => {
  for (const name of [BINARY, CONTAINER]) {
    if (!existsSync(join(PRONOM, name))) {
      throw new Error(`PRONOM sample ${name} not found in ${PRONOM}: these tests need the shared signature files (../shared/pronom from the repository root)`);
    }
  }
});

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tdr-signatures-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function folder(files: Record<string, string | Buffer> = {}, samples: readonly string[] = [BINARY, CONTAINER]): string {
  const dir = join(root, 'signatures');
  mkdirSync(dir, { recursive: true });
  for (const name of samples) copyFileSync(join(PRONOM, name), join(dir, name));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** The V122 sample with another version number, inside and in the name. */
function binaryVersion(version: number, inside = version): { name: string; content: string } {
  const content = readFileSync(join(PRONOM, BINARY), 'utf8').replace('Version="122"', `Version="${inside}"`);
  return { name: `DROID_SignatureFile_V${version}.xml`, content };
}

describe('resolveSignatureDir', () => {
  const home = '/home/ann';

  it('--signatures wins over everything, relative to the working folder', () => {
    expect(resolveSignatureDir({ dir: 'sigs', env: { TDR_SIGNATURES_DIR: '/env' }, cwd: '/work', platform: 'linux', homedir: home })).toEqual({
      path: '/work/sigs',
      source: 'option',
      description: '--signatures',
    });
  });

  it('then TDR_SIGNATURES_DIR', () => {
    expect(resolveSignatureDir({ env: { TDR_SIGNATURES_DIR: '/srv/pronom', XDG_DATA_HOME: '/x' }, platform: 'linux', homedir: home })).toMatchObject({
      path: '/srv/pronom',
      source: 'env',
      description: 'TDR_SIGNATURES_DIR',
    });
  });

  it('empty values count as unset', () => {
    expect(resolveSignatureDir({ dir: '', env: { TDR_SIGNATURES_DIR: '', XDG_DATA_HOME: '' }, platform: 'linux', homedir: home })).toMatchObject({
      path: '/home/ann/.local/share/tdr-checks/signatures',
      source: 'default',
    });
  });

  it('Linux: $XDG_DATA_HOME, else ~/.local/share; a relative XDG_DATA_HOME is ignored (XDG spec)', () => {
    expect(resolveSignatureDir({ env: { XDG_DATA_HOME: '/data' }, platform: 'linux', homedir: home })).toEqual({
      path: '/data/tdr-checks/signatures',
      source: 'default',
      description: 'per-user default ($XDG_DATA_HOME/tdr-checks/signatures)',
    });
    expect(resolveSignatureDir({ env: {}, platform: 'linux', homedir: home }).path).toBe('/home/ann/.local/share/tdr-checks/signatures');
    expect(resolveSignatureDir({ env: { XDG_DATA_HOME: 'data' }, platform: 'linux', homedir: home }).path).toBe('/home/ann/.local/share/tdr-checks/signatures');
    expect(resolveSignatureDir({ env: { HOME: '/home/bob' }, platform: 'freebsd' }).path).toBe('/home/bob/.local/share/tdr-checks/signatures');
  });

  it('macOS: ~/Library/Application Support', () => {
    expect(resolveSignatureDir({ env: { XDG_DATA_HOME: '/data' }, platform: 'darwin', homedir: '/Users/ann' }).path).toBe(
      '/Users/ann/Library/Application Support/tdr-checks/signatures',
    );
  });

  it('Windows: %LOCALAPPDATA%, else %USERPROFILE%\\AppData\\Local', () => {
    expect(resolveSignatureDir({ env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\ann' }).path).toBe(
      'C:\\Users\\ann\\AppData\\Local\\tdr-checks\\signatures',
    );
    expect(resolveSignatureDir({ env: { USERPROFILE: 'C:\\Users\\bob' }, platform: 'win32' }).path).toBe('C:\\Users\\bob\\AppData\\Local\\tdr-checks\\signatures');
    expect(resolveSignatureDir({ dir: 'sigs', env: {}, platform: 'win32', cwd: 'D:\\work' }).path).toBe('D:\\work\\sigs');
  });

  it('reads process.env when no env is given', () => {
    const saved = process.env['TDR_SIGNATURES_DIR'];
    process.env['TDR_SIGNATURES_DIR'] = '/from/process/env';
    try {
      expect(resolveSignatureDir().path).toBe('/from/process/env');
    } finally {
      if (saved === undefined) delete process.env['TDR_SIGNATURES_DIR'];
      else process.env['TDR_SIGNATURES_DIR'] = saved;
    }
  });
});

describe('inspectSignatureDir', () => {
  it('describes the two PRONOM files: versions, dates, sizes, SHA-256 and counts', async () => {
    const dir = folder();
    const inspection = await inspectSignatureDir(dir);
    expect(inspection).toMatchObject({
      dir,
      status: 'ok',
      others: [],
      problems: [],
      binary: {
        kind: 'binary',
        name: BINARY,
        path: join(dir, BINARY),
        size: 3_658_761,
        sha256: '9f94d948a8ea4a9f63d6a8a40b273a5b0cd23ff65b5bb614867e78120967343a',
        version: 122,
        nameVersion: 122,
        dateCreated: '2026-01-19T10:53:18',
        counts: { formats: 2544, internalSignatures: 2242 },
      },
      container: {
        kind: 'container',
        name: CONTAINER,
        size: 314_813,
        sha256: 'c41c3efe4df230d843c50fcf3814e9d06b6974b50b4465a7954744af9f956ccd',
        date: '2026-01-19',
        signatureVersion: 40,
        schemaVersion: '1.0',
        counts: { containerSignatures: 310, formatMappings: 310, triggerPuids: 3 },
      },
    });
    expect(inspection.message).toBeUndefined();
    expect(Date.parse(inspection.binary?.modified ?? '')).not.toBeNaN();
  });

  it('a folder that does not exist is a result, with how to get the files', async () => {
    const inspection = await inspectSignatureDir(join(root, 'nowhere'));
    expect(inspection).toMatchObject({ status: 'missing', others: [], problems: [] });
    expect(inspection.binary).toBeUndefined();
    expect(inspection.message).toContain('does not exist');
    expect(inspection.message).toContain('tdr-checks signatures update');
    expect(inspection.message).toMatch(/--signatures or TDR_SIGNATURES_DIR/);
  });

  it('an empty folder, and one with unrelated files only', async () => {
    const empty = await inspectSignatureDir(folder({}, []));
    expect(empty.status).toBe('empty');
    expect(empty.message).toMatch(/^No PRONOM signature files in .*signatures\. Get them with `tdr-checks signatures update`/);
    const unrelated = await inspectSignatureDir(folder({ 'notes.txt': 'hello', 'signatures.xml': '<x/>' }, []));
    expect(unrelated.status).toBe('empty');
  });

  it('a path that is a file', async () => {
    writeFileSync(join(root, 'file'), 'x');
    const inspection = await inspectSignatureDir(join(root, 'file'));
    expect(inspection.status).toBe('not-a-directory');
    expect(inspection.message).toContain('tdr-checks signatures update');
  });

  it('one kind only is incomplete, and says which kind is lacking', async () => {
    const binaryOnly = await inspectSignatureDir(folder({}, [BINARY]));
    expect(binaryOnly.status).toBe('incomplete');
    expect(binaryOnly.binary?.version).toBe(122);
    expect(binaryOnly.message).toMatch(/^No container signature file \(container-signature-<yyyymmdd>\.xml\) in /);
    rmSync(join(root, 'signatures'), { recursive: true });
    const containerOnly = await inspectSignatureDir(folder({}, [CONTAINER]));
    expect(containerOnly.status).toBe('incomplete');
    expect(containerOnly.message).toMatch(/^No binary signature file \(DROID_SignatureFile_V<n>\.xml\) in /);
  });

  it('picks the newest binary by number (not by text order) and the newest container by date; lists the rest', async () => {
    const v99 = binaryVersion(99);
    const v1000 = binaryVersion(1000);
    const older = readFileSync(join(PRONOM, CONTAINER));
    const dir = folder({
      [v99.name]: v99.content,
      [v1000.name]: v1000.content,
      'container-signature-20240501.xml': older,
      'container-signature-20261231.xml': older,
    });
    const inspection = await inspectSignatureDir(dir);
    expect(inspection.status).toBe('ok');
    expect(inspection.binary).toMatchObject({ name: 'DROID_SignatureFile_V1000.xml', version: 1000 });
    expect(inspection.container).toMatchObject({ name: 'container-signature-20261231.xml', date: '2026-12-31' });
    expect(inspection.others).toEqual([BINARY, v99.name, CONTAINER, 'container-signature-20240501.xml']);
    expect(inspection.problems).toEqual([]);
  });

  it("goes by the file's own Version when the name disagrees, and says so", async () => {
    const misnamed = binaryVersion(200, 121);
    const inspection = await inspectSignatureDir(folder({ [misnamed.name]: misnamed.content }));
    expect(inspection.binary).toMatchObject({ name: BINARY, version: 122 });
    expect(inspection.problems).toEqual(['DROID_SignatureFile_V200.xml says Version="121" inside; going by that']);
    expect(inspection.others).toEqual(['DROID_SignatureFile_V200.xml']);
  });

  it('passes over files that are cut short, empty or not signature files, and says why', async () => {
    const whole = readFileSync(join(PRONOM, BINARY));
    const dir = folder({
      'DROID_SignatureFile_V123.xml': binaryVersion(123).content.slice(0, 100_000),
      'DROID_SignatureFile_V124.xml': '',
      'DROID_SignatureFile_V125.xml': '<html><body>Not found</body></html>',
      'container-signature-20300101.xml': whole,
    });
    const inspection = await inspectSignatureDir(dir);
    expect(inspection.status).toBe('ok');
    expect(inspection.binary?.name).toBe(BINARY);
    expect(inspection.container?.name).toBe(CONTAINER);
    expect(inspection.problems).toEqual([
      'DROID_SignatureFile_V124.xml is empty',
      'DROID_SignatureFile_V125.xml is not a DROID binary signature file (root element <html>, expected <FFSignatureFile>)',
      'container-signature-20300101.xml is not a DROID container signature file (root element <FFSignatureFile>, expected <ContainerSignatureMapping>)',
      'DROID_SignatureFile_V123.xml is incomplete (it does not end with </FFSignatureFile>)',
    ]);
  });

  it('a folder with only broken files is empty, and the message says what is wrong with them', async () => {
    const inspection = await inspectSignatureDir(folder({ 'DROID_SignatureFile_V1.xml': 'oops' }, []));
    expect(inspection.status).toBe('empty');
    expect(inspection.message).toContain('Not usable: DROID_SignatureFile_V1.xml is not a DROID binary signature file (root element not found');
  });

  it('ignores a folder named like a signature file', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'DROID_SignatureFile_V999.xml'));
    const inspection = await inspectSignatureDir(dir);
    expect(inspection.binary?.name).toBe(BINARY);
    expect(inspection.problems).toEqual(['DROID_SignatureFile_V999.xml is not a regular file']);
  });
});

describe('scan', () => {
  it('reads the root element past a declaration, comments and a DOCTYPE', () => {
    const text = '\uFEFF<?xml version="1.0"?>\n<!-- a <comment> -->\n<!DOCTYPE x [ <!ENTITY a "b"> ]>\n<p:Root a="1" b=\'two &amp; three\' xmlns:p="urn:x">';
    expect(readRootElement(text)).toEqual({ name: 'Root', attributes: { a: '1', b: 'two & three', 'xmlns:p': 'urn:x' } });
    expect(readRootElement('{"json": true}')).toBeUndefined();
    expect(readRootElement('<?xml version="1.0"?>')).toBeUndefined();
    expect(readRootElement('<Empty/>')).toEqual({ name: 'Empty', attributes: {} });
  });

  it('counts start tags, not longer names that begin the same', () => {
    const text = '<A><InternalSignatureCollection><InternalSignature ID="1"/><InternalSignature\nID="2"></InternalSignature></InternalSignatureCollection><x:FileFormat/></A>';
    expect(countElements(text, ['InternalSignature', 'FileFormat', 'Missing'])).toEqual({ InternalSignature: 2, FileFormat: 1, Missing: 0 });
  });
});

describe('signature sources', () => {
  it('default to the PRONOM site; options win over TDR_PRONOM_* variables', () => {
    expect(signatureSources({ env: {} })).toEqual({ indexUrl: 'https://pronom.nationalarchives.gov.uk/signatures.json' });
    expect(signatureSources({ env: { TDR_PRONOM_URL: 'http://mirror.example/pronom' } }).indexUrl).toBe('http://mirror.example/pronom/signatures.json');
    expect(
      signatureSources({
        env: { TDR_PRONOM_URL: 'http://a/', TDR_PRONOM_BINARY_URL: 'http://a/b.xml', TDR_PRONOM_CONTAINER_URL: 'http://a/c.xml' },
        pronomUrl: 'http://b/',
        binaryUrl: 'http://b/b.xml',
      }),
    ).toEqual({ indexUrl: 'http://b/signatures.json', binaryUrl: 'http://b/b.xml', containerUrl: 'http://a/c.xml' });
  });

  it("parse PRONOM's signatures.json (version as text or number), locations relative to it", () => {
    const json = JSON.stringify({
      latest_signature: { name: 'DROID Signature File 122', location: '/signatures/DROID_SignatureFile_V122.xml', version: '122' },
      latest_container_signature: { name: '19 January 2026', location: '/container-signatures/container-signature-20260119.xml', version: 20260119 },
      signatures: [],
    });
    expect(parseSignatureIndex(json, 'https://pronom.nationalarchives.gov.uk/signatures.json')).toEqual({
      binary: { url: 'https://pronom.nationalarchives.gov.uk/signatures/DROID_SignatureFile_V122.xml', version: 122 },
      container: { url: 'https://pronom.nationalarchives.gov.uk/container-signatures/container-signature-20260119.xml', date: '20260119' },
    });
    expect(() => parseSignatureIndex('<html>', 'http://x/')).toThrow(/^not JSON/);
    expect(() => parseSignatureIndex('{}', 'http://x/')).toThrow('no "latest_signature" object');
    expect(() =>
      parseSignatureIndex(JSON.stringify({ latest_signature: { location: '/a', version: 'V1' }, latest_container_signature: { location: '/b', version: '20260101' } }), 'http://x/'),
    ).toThrow(/not a number/);
  });
});
