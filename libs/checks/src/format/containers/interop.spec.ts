/**
 * Interoperability: archives written by real tools, read back here and
 * compared with what the tools put in (and, for ZIP, with what Python's
 * zipfile reads). Each test says why it skipped when its tool is missing:
 * Info-ZIP's `zip` and libgsf's `gsf` are Debian packages (zip,
 * libgsf-bin); Python's zipfile comes with python3; olefile is a wheel that
 * some machines keep on disk.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCfb } from './cfb.js';
import { buildCfb, memorySource, same } from './test-support.js';
import { ContainerError } from './types.js';
import { openZip } from './zip.js';

function available(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const hasPython = available('python3', ['-c', 'import zipfile']);
const hasZip = available('zip', ['-v']);
const hasGsf = available('gsf', ['--version']);
const OLEFILE_WHEEL = '/opt/pypi/files/olefile-0.47-py2.py3-none-any.whl';
const hasOlefile = hasPython && existsSync(OLEFILE_WHEEL);

const work = mkdtempSync(join(tmpdir(), 'tdr-containers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 131 + seed + (i >>> 9)) & 0xff;
  return out;
}

/** Files to archive: deflatable text, incompressible-ish bytes, an empty file, non-ASCII names. */
function writeTree(root: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {
    'mimetype': new TextEncoder().encode('application/epub+zip'),
    'META-INF/container.xml': new TextEncoder().encode('<container version="1.0"/>\n'.repeat(50)),
    'OEBPS/images/cover.bin': pattern(70_000, 3),
    'OEBPS/empty.txt': new Uint8Array(0),
    'Ünïcödé/名前.txt': new TextEncoder().encode('a name in UTF-8'),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), data);
  }
  return files;
}

interface PythonEntry {
  name: string;
  size: number;
  flags: number;
  method: number;
  data: string | null;
}

/** Python's zipfile as the second opinion: names, sizes, flags and contents. */
function pythonListing(zip: Uint8Array): { comment: string; entries: PythonEntry[] } {
  const script = [
    'import base64, io, json, sys, zipfile',
    // Python reads unflagged names as CP437; we read them as UTF-8 when they are valid UTF-8 (as DROID does).
    'def name(i):',
    '  if i.flag_bits & 0x800: return i.filename',
    '  raw = i.filename.encode("cp437")',
    '  try: return raw.decode("utf-8")',
    '  except UnicodeDecodeError: return i.filename',
    'z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))',
    'print(json.dumps({"comment": z.comment.decode("utf-8", "replace"), "entries": [',
    '  {"name": name(i), "size": i.file_size, "flags": i.flag_bits, "method": i.compress_type,',
    '   "data": None if i.flag_bits & 1 else base64.b64encode(z.read(i)).decode()} for i in z.infolist()]}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: zip, maxBuffer: 64 * 1024 * 1024 }).toString()) as {
    comment: string;
    entries: PythonEntry[];
  };
}

/** Our reading must agree with Python's on every entry. */
async function agreesWithPython(bytes: Uint8Array): Promise<void> {
  const python = pythonListing(bytes);
  const zip = await openZip(memorySource(bytes));
  expect(zip.comment).toBe(python.comment);
  expect(zip.entries().map((e) => [e.name, e.uncompressedSize, e.flags, e.method])).toEqual(
    python.entries.map((e) => [e.name, e.size, e.flags, e.method]),
  );
  for (const entry of python.entries) {
    if (entry.data === null) continue;
    expect(same(await zip.read(entry.name, Number.POSITIVE_INFINITY), Buffer.from(entry.data, 'base64'))).toBe(true);
  }
}

describe('ZIP archives written by real tools', () => {
  it('Python zipfile, to a pipe: data descriptors, a forced ZIP64 entry, UTF-8 names, a directory, a comment', async (ctx) => {
    ctx.skip(!hasPython, 'python3 is not installed');
    const script = [
      'import sys, zipfile',
      'with zipfile.ZipFile(sys.stdout.buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:',
      '    z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)',
      '    z.writestr("META-INF/", "")',
      '    z.writestr("META-INF/container.xml", "<container/>" * 100)',
      '    z.writestr("Ünïcödé/名前.txt", "utf8 name")',
      '    with z.open("big.bin", "w", force_zip64=True) as f:',
      '        f.write(bytes(range(256)) * 1000)',
      '    z.comment = b"written by python zipfile"',
    ].join('\n');
    // A pipe cannot seek, so zipfile writes data descriptors (bit 3) after each entry.
    const bytes = new Uint8Array(execFileSync('python3', ['-c', script], { maxBuffer: 64 * 1024 * 1024 }));
    const zip = await openZip(memorySource(bytes));
    expect(zip.paths()).toEqual(['mimetype', 'META-INF/', 'META-INF/container.xml', 'Ünïcödé/名前.txt', 'big.bin']);
    expect(zip.entries().filter((e) => (e.flags & 0x8) !== 0).length).toBeGreaterThan(0);
    expect(zip.entry('META-INF/')?.directory).toBe(true);
    expect(new TextDecoder().decode(await zip.read('mimetype', 100))).toBe('application/epub+zip');
    await agreesWithPython(bytes);
  });

  it('Info-ZIP zip: a tree with directories, stored and deflated entries, UTF-8 names', async (ctx) => {
    ctx.skip(!hasZip, 'the zip command is not installed (Debian package zip)');
    const root = join(work, 'tree');
    const files = writeTree(root);
    const out = join(work, 'tree.zip');
    // -X: no extra attributes; -n .bin: store those; -z: archive comment from stdin.
    execFileSync('zip', ['-q', '-r', '-X', '-n', '.bin', '-z', out, '.'], { cwd: root, input: 'made by Info-ZIP\n' });
    const bytes = new Uint8Array(readFileSync(out));
    const zip = await openZip(memorySource(bytes));
    for (const [name, data] of Object.entries(files)) {
      // Debian's zip writes UTF-8 names without setting bit 11 (nor a Unicode path extra field);
      // valid UTF-8 is read as UTF-8, as DROID's TrueVFS reads every name.
      expect(zip.has(name)).toBe(true);
      const path = name;
      expect(same(await zip.read(path, Number.POSITIVE_INFINITY), data)).toBe(true);
    }
    expect(zip.has('OEBPS/images/')).toBe(true);
    expect(zip.entry('OEBPS/images/cover.bin')?.method).toBe(0);
    expect(zip.entry('META-INF/container.xml')?.method).toBe(8);
    expect(zip.comment).toBe('made by Info-ZIP');
    if (hasPython) await agreesWithPython(bytes);
  });

  it('Info-ZIP zip: ZIP64 forced (-fz) and streamed to a pipe (ZIP64 end records, data descriptors)', async (ctx) => {
    ctx.skip(!hasZip, 'the zip command is not installed (Debian package zip)');
    const root = join(work, 'z64');
    const files = writeTree(root);
    const forced = join(work, 'forced.zip');
    execFileSync('zip', ['-q', '-fz', '-X', forced, 'META-INF/container.xml', 'mimetype'], { cwd: root });
    const forcedBytes = new Uint8Array(readFileSync(forced));
    const zip = await openZip(memorySource(forcedBytes));
    expect(same(await zip.read('META-INF/container.xml', Number.POSITIVE_INFINITY), files['META-INF/container.xml'])).toBe(true);
    // The end record's offset field is saturated: only the ZIP64 records could have found the directory.
    expect(forcedBytes.subarray(-6, -2)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    // Streaming: input from stdin, archive to stdout.
    const streamed = new Uint8Array(execFileSync('zip', ['-q', '-', '-'], { input: files['OEBPS/images/cover.bin'] }));
    const fromPipe = await openZip(memorySource(streamed));
    expect(fromPipe.paths()).toEqual(['-']);
    expect(same(await fromPipe.read('-', Number.POSITIVE_INFINITY), files['OEBPS/images/cover.bin'])).toBe(true);
    if (hasPython) {
      await agreesWithPython(forcedBytes);
      await agreesWithPython(streamed);
    }
  });

  it('Info-ZIP zip: a password-protected entry is flagged and not read', async (ctx) => {
    ctx.skip(!hasZip, 'the zip command is not installed (Debian package zip)');
    const root = join(work, 'enc');
    writeTree(root);
    const out = join(work, 'encrypted.zip');
    execFileSync('zip', ['-q', '-X', '-P', 'secret', out, 'mimetype', 'META-INF/container.xml'], { cwd: root });
    const zip = await openZip(memorySource(new Uint8Array(readFileSync(out))));
    expect(zip.entries().every((e) => e.encrypted)).toBe(true);
    const error = await zip.read('mimetype', 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerError);
    expect((error as ContainerError).code).toBe('ENCRYPTED');
  });
});

describe('OLE2 files written by real tools', () => {
  it('libgsf (gsf createole): property-set names, nested storages, mini and regular streams', async (ctx) => {
    ctx.skip(!hasGsf, 'the gsf command is not installed (Debian package libgsf-bin)');
    const root = join(work, 'ole');
    const files: Record<string, Uint8Array> = {
      WordDocument: pattern(20_000, 1),
      '\u0005SummaryInformation': pattern(300, 2),
      '\u0001CompObj': pattern(100, 3),
      'ObjectPool/_1234/\u0001Ole': pattern(20, 4),
      'ObjectPool/_1234/CONTENTS': pattern(5000, 5),
      '1Table': pattern(4096, 6),
    };
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), data);
    }
    const out = join(work, 'gsf.ole');
    execFileSync('gsf', ['createole', out, 'WordDocument', '\u0005SummaryInformation', '\u0001CompObj', 'ObjectPool', '1Table'], {
      cwd: root,
      stdio: 'ignore',
    });
    const ole = await openCfb(memorySource(new Uint8Array(readFileSync(out))));
    expect([...ole.paths()].sort()).toEqual(
      ['1Table', 'CompObj', 'ObjectPool', 'ObjectPool/_1234', 'ObjectPool/_1234/CONTENTS', 'ObjectPool/_1234/Ole', 'SummaryInformation', 'WordDocument'].sort(),
    );
    for (const [name, data] of Object.entries(files)) {
      const path = name.replaceAll('\u0001', '').replaceAll('\u0005', '');
      expect(same(await ole.read(path, Number.POSITIVE_INFINITY), data)).toBe(true);
    }
    expect(ole.entry('SummaryInformation')?.name).toBe('\u0005SummaryInformation');
  });

  it('our CFB test builder writes files olefile reads the same way (so the builder is not only self-consistent)', async (ctx) => {
    ctx.skip(!hasOlefile, `olefile is not available (no wheel at ${OLEFILE_WHEEL})`);
    const layouts = [
      buildCfb({ version: 3, streams: [{ path: '\u0005SummaryInformation', data: pattern(300, 1) }, { path: 'A/B/C', data: pattern(9000, 2) }] }),
      buildCfb({ version: 4, streams: [{ path: 'Workbook', data: pattern(5000, 3) }, { path: 'small', data: pattern(10, 4) }] }),
      buildCfb({ version: 3, streams: [{ path: 'x', data: pattern(6000, 5) }], minFatSectors: 150, reverseFat: true, leadingFreeSectors: 14_000 }),
    ];
    const script = [
      'import base64, json, sys, olefile',
      'o = olefile.OleFileIO(sys.argv[1], raise_defects=olefile.DEFECT_INCORRECT)',
      'print(json.dumps({"/".join(e): base64.b64encode(o.openstream(e).read()).decode() for e in o.listdir()}))',
    ].join('\n');
    for (const [i, layout] of layouts.entries()) {
      const file = join(work, `built${i}.ole`);
      writeFileSync(file, layout.bytes);
      const theirs = JSON.parse(
        execFileSync('python3', ['-c', script, file], { env: { ...process.env, PYTHONPATH: OLEFILE_WHEEL }, maxBuffer: 64 * 1024 * 1024 }).toString(),
      ) as Record<string, string>;
      const ole = await openCfb(memorySource(layout.bytes));
      const ours: Record<string, string> = {};
      for (const entry of ole.entries()) {
        if (entry.type !== 'stream') continue;
        const rawPath = entry.path.split('/').slice(0, -1).concat(entry.name).join('/');
        ours[rawPath] = Buffer.from(await ole.read(entry.path, Number.POSITIVE_INFINITY)).toString('base64');
      }
      expect(ours).toEqual(theirs);
    }
  });
});
