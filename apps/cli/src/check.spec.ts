import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, jsonLines, runCli, tempDir } from './test-support/run-cli.js';

/** These tests are about the checksum and the CLI itself; format and flags have their own. */
const CHECKSUM_ONLY = ['--checks', 'checksum'];

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  // Undo chmod 000 so the folder can be removed.
  execFileSync('chmod', ['-R', 'u+rwx', dir.path]);
  dir.remove();
});

function folder(files: Record<string, string | Buffer>): string {
  const root = join(dir.path, 'transfer');
  mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('tdr-checks check: a folder', () => {
  it('reports the SHA-256 of every file, in a fixed order, with paths relative to the folder', async () => {
    const root = folder({ 'b.txt': 'bee', 'a.txt': 'ay', 'sub/c.txt': 'sea', 'sub/deeper/d.bin': randomBytes(70_000) });
    const { code, stdout, stderr } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines.map((line) => line['path'])).toEqual(['a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/d.bin']);
    for (const line of lines) {
      const bytes = readFileSync(join(root, line['path']));
      expect(line).toMatchObject({ size: bytes.length, verdict: 'pass', reasons: [] });
      expect(line['checks'].checksum).toMatchObject({ status: 'completed', check: 'checksum', checkVersion: '1.0.0', result: { sha256: sha256(bytes) } });
    }
    expect(stderr).toMatch(/4 files, .*: 4 pass, 0 warn, 0 fail/);
  });

  it('handles an empty folder: no lines, exit 0', async () => {
    const root = folder({});
    const { code, stdout, stderr } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/0 files/);
  });

  it('checks a zero-byte file', async () => {
    const root = folder({ empty: '' });
    const [line] = jsonLines((await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl'])).stdout);
    expect(line).toMatchObject({ path: 'empty', size: 0, verdict: 'pass', checks: { checksum: { result: { sha256: EMPTY_SHA256 } } } });
  });

  it('keeps odd names intact: spaces, unicode, newlines, leading dashes', async () => {
    const names = ['with space.txt', 'café-ü-文件.txt', 'line\nbreak.txt', '-leading-dash', '--also', 'tab\there'];
    const root = folder(Object.fromEntries(names.map((name) => [name, name])));
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines.map((line) => line['path']).sort()).toEqual([...names].sort());
    for (const line of lines) expect(line['checks'].checksum.result.sha256).toBe(sha256(line['path']));
    // The table keeps one line per file: control characters in names are shown escaped.
    const table = await runCli(['check', ...CHECKSUM_ONLY, root]);
    expect(table.stdout).toContain('"line\\nbreak.txt"');
    expect(table.stdout).toContain('"tab\\there"');
  });

  it('takes a path that starts with a dash after --', async () => {
    mkdirSync(join(dir.path, '-dash-dir'));
    writeFileSync(join(dir.path, '-dash-dir', 'f'), 'f');
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, '--format', 'jsonl', '--', '-dash-dir'], { cwd: dir.path });
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((line) => line['path'])).toEqual(['f']);
  });

  it('computes several algorithms in one run and agrees with coreutils', async () => {
    const root = folder({ 'data.bin': randomBytes(300_000) });
    const { stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--algorithms', 'sha256,md5,sha1,sha512,blake3,xxh64,crc32c', '--format', 'jsonl']);
    const result = jsonLines(stdout)[0]['checks'].checksum.result;
    const file = join(root, 'data.bin');
    expect(result.sha256).toBe(execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(result.md5).toBe(execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(result.sha1).toBe(execFileSync('sha1sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(result.sha512).toBe(execFileSync('sha512sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(result.blake3).toMatch(/^[0-9a-f]{64}$/);
    expect(result.xxh64).toMatch(/^[0-9a-f]{16}$/);
    expect(result.crc32c).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('tdr-checks check: files that cannot be read', () => {
  it('reports a path that does not exist, checks the rest, exits 2', async () => {
    const root = folder({ 'ok.txt': 'ok' });
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, join(dir.path, 'nope'), '--format', 'jsonl']);
    expect(code).toBe(2);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ path: 'ok.txt', verdict: 'pass' });
    expect(lines[1]).toMatchObject({ size: null, verdict: 'fail', reasons: [{ code: 'CheckError' }] });
    expect(lines[1]['checks'].checksum).toMatchObject({ status: 'error', error: { code: 'FILE_NOT_FOUND' } });
    expect(lines[1]['checks'].checksum.error.message).toContain('nope');
  });

  it('reports a file and a folder it may not read as errors, and checks the rest', async () => {
    const root = folder({ 'secret.txt': 'secret', 'closed/inside.txt': 'inside', 'open.txt': 'open' });
    chmodSync(join(root, 'secret.txt'), 0o000);
    chmodSync(join(root, 'closed'), 0o000);
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl'], { unprivileged: true });
    expect(code).toBe(2);
    const byPath = Object.fromEntries(jsonLines(stdout).map((line) => [line['path'], line]));
    expect(byPath['open.txt']).toMatchObject({ verdict: 'pass' });
    expect(byPath['secret.txt']['checks'].checksum).toMatchObject({ status: 'error', error: { code: 'PERMISSION_DENIED', retryable: false } });
    expect(byPath['closed']['checks'].checksum).toMatchObject({ status: 'error', error: { code: 'PERMISSION_DENIED' } });
  });

  it('reports a symbolic link loop once and does not follow it', async () => {
    const root = folder({ 'sub/file.txt': 'f' });
    symlinkSync('..', join(root, 'sub', 'up'));
    symlinkSync('self', join(root, 'self'));
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl']);
    expect(code).toBe(2);
    const lines = jsonLines(stdout);
    expect(lines.map((line) => line['path'])).toEqual(['self', 'sub/file.txt', 'sub/up']);
    expect(lines[0]['checks'].checksum.error.code).toBe('SYMLINK_LOOP');
    expect(lines[2]['checks'].checksum.error.code).toBe('SYMLINK_LOOP');
    expect(lines[1]).toMatchObject({ verdict: 'pass' });
  });

  it('gives up on a file when its time budget is spent, with exit 2', async () => {
    const root = folder({ 'big.bin': Buffer.alloc(256 * 1024 * 1024) });
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--timeout', '0.001', '--format', 'jsonl']);
    expect(code).toBe(2);
    expect(jsonLines(stdout)[0]['checks'].checksum.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });
});

describe('tdr-checks check: progress in a log', () => {
  // Three sparse files of 256 MiB, hashed one at a time: long enough for a few lines at 0.1 s.
  const slowFolder = () => {
    const root = folder({ 'a.bin': '', 'b.bin': '', 'c.bin': '' });
    for (const name of ['a.bin', 'b.bin', 'c.bin']) truncateSync(join(root, name), 256 * 1024 ** 2);
    return root;
  };
  const progressLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('progress: '));

  it('writes a progress line every --progress-every seconds when standard error is not a terminal', async () => {
    const { code, stderr } = await runCli(['check', ...CHECKSUM_ONLY, slowFolder(), '--concurrency', '1', '--progress-every', '0.1', '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = progressLines(stderr);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^progress: \d+ files?, [\d.]+ (B|KiB|MiB|GiB) checked in [\d.]+ (ms|s) \(\d+ files\/s, [\d.]+ (B|KiB|MiB|GiB)\/s\)$/);
  });

  it('writes none with --progress-every 0, nor with --quiet', async () => {
    const root = slowFolder();
    for (const quiet of [['--progress-every', '0'], ['--progress-every', '0.1', '--quiet']]) {
      const { code, stderr } = await runCli(['check', ...CHECKSUM_ONLY, root, '--concurrency', '1', ...quiet, '--format', 'jsonl']);
      expect(code).toBe(0);
      expect(progressLines(stderr)).toEqual([]);
    }
  });
});

describe('tdr-checks check: interrupted', () => {
  it.each([
    ['Ctrl-C (SIGINT)', 'SIGINT', 130, 'interrupted (Ctrl-C)'],
    ['SIGTERM', 'SIGTERM', 143, 'terminated (SIGTERM)'],
  ] as const)('on %s finishes the report of what is done and exits %i', async (_name, signal, exitCode, said) => {
    const files: Record<string, string> = { 'a-small.txt': 'small' };
    for (let i = 0; i < 6; i++) files[`b-big-${i}.bin`] = '';
    const root = folder(files);
    // Sparse: made at once (no 2 GB written on a busy machine), and still about a second of hashing each.
    for (let i = 0; i < 6; i++) truncateSync(join(root, `b-big-${i}.bin`), 1024 ** 3);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'check', ...CHECKSUM_ONLY, root, '--format', 'json', '--concurrency', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Interrupt once the first file is reported, while the large ones are being read.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stdout.includes('a-small.txt')) {
          clearInterval(poll);
          child.kill(signal);
          resolve();
        }
      }, 5);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // With what it said, so a failure shows whether the signal came too late or went unheard.
    expect({ code, stderr }).toMatchObject({ code: exitCode });
    expect(stderr).toContain(`${said}: finishing what is under way`);
    expect(stderr).toContain(`${said}: the report lists the files finished before`);
    const doc = JSON.parse(stdout); // still one complete document
    expect(doc.files[0]).toMatchObject({ path: 'a-small.txt', verdict: 'pass' });
    expect(doc.files.length).toBeLessThan(7);
  });
});

describe('tdr-checks check: a run left with nothing to wait for', () => {
  it('ends with exit 2 and says so, never with 0', async () => {
    // A bug simulated: the signature file is read through a promise that never settles,
    // so the event loop runs dry while the run still waits. Node would end it with 0.
    const preload = join(dir.path, 'never-settles.cjs');
    writeFileSync(
      preload,
      `const fsp = require('node:fs/promises');
const real = fsp.readFile;
fsp.readFile = function (path, ...rest) {
  return String(path).includes('DROID_SignatureFile') ? new Promise(() => {}) : real.call(this, path, ...rest);
};
`,
    );
    const root = folder({ 'a.txt': 'a' });
    const { code, stdout, stderr } = await runCli(['check', '--checks', 'format', root, '--format', 'jsonl'], {
      env: { NODE_OPTIONS: `--require ${preload}` },
    });
    expect({ code, stderr }).toMatchObject({ code: 2, stderr: expect.stringContaining('stopped before the command finished') });
    expect(stdout).toBe('');
  });
});

describe('tdr-checks check --expected', () => {
  it('verifies a BagIt manifest: match, mismatch, missing and unlisted files', async () => {
    const bag = join(dir.path, 'bag');
    mkdirSync(join(bag, 'data', 'sub'), { recursive: true });
    writeFileSync(join(bag, 'data', 'good.txt'), 'good');
    writeFileSync(join(bag, 'data', 'sub', 'bad 100%.txt'), 'changed');
    writeFileSync(join(bag, 'data', 'extra.txt'), 'extra');
    writeFileSync(
      join(bag, 'manifest-sha256.txt'),
      [`${sha256('good')}  data/good.txt`, `${sha256('original')}  data/sub/bad 100%25.txt`, `${sha256('gone')}  data/gone.txt`, ''].join('\n'),
    );
    const { code, stdout, stderr } = await runCli(['check', ...CHECKSUM_ONLY, join(bag, 'data'), '--expected', join(bag, 'manifest-sha256.txt'), '--format', 'jsonl']);
    expect(code).toBe(1);
    const byPath = Object.fromEntries(jsonLines(stdout).map((line) => [line['path'], line]));
    expect(byPath['good.txt']).toMatchObject({ verdict: 'pass', checks: { checksum: { result: { matches: true } } } });
    expect(byPath['sub/bad 100%.txt']).toMatchObject({ verdict: 'fail', reasons: [{ code: 'ChecksumMismatch' }] });
    expect(byPath['sub/bad 100%.txt'].reasons[0].message).toContain('manifest-sha256.txt:2');
    expect(byPath['extra.txt']).toMatchObject({ verdict: 'warn', reasons: [{ code: 'NotInManifest' }] });
    expect(byPath['gone.txt']).toMatchObject({ size: null, verdict: 'fail', reasons: [{ code: 'MissingFile' }], checks: {} });
    expect(stderr).toContain('bagit manifest');
  });

  it('accepts sha256sum output made from the parent folder, and fails on warnings with --fail-on warn', async () => {
    const root = folder({ 'a.txt': 'a', 'b.txt': 'b' });
    const sums = execFileSync('sha256sum', ['transfer/a.txt'], { cwd: dir.path, encoding: 'utf8' });
    writeFileSync(join(dir.path, 'SHA256SUMS'), sums);
    const lenient = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(dir.path, 'SHA256SUMS'), '--format', 'jsonl']);
    expect(lenient.code).toBe(0);
    expect(jsonLines(lenient.stdout).map((line) => line['verdict'])).toEqual(['pass', 'warn']);
    const strict = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(dir.path, 'SHA256SUMS'), '--fail-on', 'warn', '--quiet']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).not.toContain('a.txt');
    expect(strict.stdout).toContain('b.txt');
    expect(strict.stderr).toBe('');
  });

  it('reads a CSV with path and checksum columns', async () => {
    const root = folder({ 'x y.txt': 'xy', 'z.txt': 'z' });
    writeFileSync(join(root, '..', 'list.csv'), `"File Path",MD5\n"x y.txt",${createHash('md5').update('xy').digest('hex')}\nz.txt,${'f'.repeat(32)}\n`);
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(root, '..', 'list.csv'), '--format', 'jsonl']);
    expect(code).toBe(1);
    const lines = jsonLines(stdout);
    expect(lines[0]).toMatchObject({ path: 'x y.txt', verdict: 'pass' });
    expect(lines[0]['checks'].checksum.result).toHaveProperty('md5');
    expect(lines[1]).toMatchObject({ path: 'z.txt', verdict: 'fail', reasons: [{ code: 'ChecksumMismatch' }] });
  });

  it('fails entries that point outside the folder without reading them', async () => {
    const root = folder({ 'in.txt': 'in' });
    writeFileSync(join(dir.path, 'secret'), 'outside');
    writeFileSync(join(root, 'manifest-sha256.txt'), `${sha256('in')}  in.txt\n${sha256('outside')}  ../secret\n`);
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(root, 'manifest-sha256.txt'), '--format', 'jsonl']);
    expect(code).toBe(1);
    const outside = jsonLines(stdout).find((line) => line['path'] === '../secret');
    expect(outside).toMatchObject({ verdict: 'fail', size: null, reasons: [{ code: 'OutsideFolder' }], checks: {} });
  });

  it('refuses a malformed manifest before checking anything, naming the line', async () => {
    const root = folder({ 'a.txt': 'a' });
    writeFileSync(join(dir.path, 'sums.txt'), `${sha256('a')}  a.txt\nnot a checksum line\n`);
    const { code, stdout, stderr } = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(dir.path, 'sums.txt')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/sums\.txt line 2/);
    const missing = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(dir.path, 'nope.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});

describe('tdr-checks check: report formats and options', () => {
  it('writes one JSON document with --format json', async () => {
    const root = folder({ 'a.txt': 'a', 'b.txt': 'b' });
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.tool.name).toBe('tdr-checks');
    expect(doc.checks[0]).toMatchObject({ name: 'checksum', version: '1.0.0' });
    expect(doc.files.map((file: { path: string }) => file.path)).toEqual(['a.txt', 'b.txt']);
    expect(doc.summary).toMatchObject({ files: 2, pass: 2, fail: 0, errors: 0 });
  });

  it('writes DROID export columns with --format csv, to --output', async () => {
    const root = folder({ 'doc "q", 1.pdf': 'pdf', 'b.txt': 'b' });
    const out = join(dir.path, 'report.csv');
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'csv', '--algorithms', 'sha256,md5', '--output', out]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const rows = parse(readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]).slice(0, 18)).toEqual([
      'ID', 'PARENT_ID', 'URI', 'FILE_PATH', 'NAME', 'METHOD', 'STATUS', 'SIZE', 'TYPE', 'EXT', 'LAST_MODIFIED',
      'EXTENSION_MISMATCH', 'SHA256_HASH', 'FORMAT_COUNT', 'PUID', 'MIME_TYPE', 'FORMAT_NAME', 'FORMAT_VERSION',
    ]);
    const pdf = rows.find((row) => row['NAME'] === 'doc "q", 1.pdf') as Record<string, string>;
    expect(pdf).toMatchObject({ STATUS: 'Done', SIZE: '3', TYPE: 'File', EXT: 'pdf', SHA256_HASH: sha256('pdf'), VERDICT: 'pass', RELATIVE_PATH: 'doc "q", 1.pdf' });
    expect(pdf['MD5_HASH']).toBe(createHash('md5').update('pdf').digest('hex'));
    expect(pdf['FILE_PATH']).toBe(join(root, 'doc "q", 1.pdf'));
  });

  it('leaves out a report written into the folder being checked', async () => {
    const root = folder({ 'a.txt': 'a' });
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--format', 'jsonl', '--output', join(root, 'report.jsonl')]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const lines = jsonLines(readFileSync(join(root, 'report.jsonl'), 'utf8'));
    expect(lines.map((line) => line['path'])).toEqual(['a.txt']);
  });

  it('applies a policy file', async () => {
    const root = folder({ 'a.txt': 'a', 'b.txt': 'b' });
    writeFileSync(join(dir.path, 'sums'), `${sha256('a')}  a.txt\n`);
    writeFileSync(join(dir.path, 'strict.json'), JSON.stringify({ verdicts: { NotInManifest: 'fail' } }));
    const { code, stdout } = await runCli(['check', ...CHECKSUM_ONLY, root, '--expected', join(dir.path, 'sums'), '--policy', join(dir.path, 'strict.json'), '--format', 'jsonl']);
    expect(code).toBe(1);
    expect(jsonLines(stdout)[1]).toMatchObject({ path: 'b.txt', verdict: 'fail', reasons: [{ code: 'NotInManifest', verdict: 'fail' }] });
  });

  it.each([
    [['check'], /missing required argument/],
    [['check', '.', '--format', 'xml'], /Allowed choices are table, json, jsonl, csv/],
    [['check', '.', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1024/],
    [['check', '.', '--checks', 'checksum,magic'], /unknown check "magic"/],
    [['check', '.', '--algorithms', 'sha257'], /unknown checksum algorithm "sha257"/],
    [['check', '.', '--timeout', 'soon'], /--timeout must be a number of seconds/],
    [['check', '.', '--progress-every', '-1'], /--progress-every must be a number of seconds above 0/],
    [['check', '.', '--no-such-option'], /unknown option/],
    [['check', '.', '--policy', '/nonexistent.json'], /--policy \/nonexistent\.json: cannot read it/],
    [['frobnicate'], /unknown command/],
  ])('exits 2 with a clear message for bad usage: %j', async (args, message) => {
    const { code, stderr, stdout } = await runCli(args as string[], { cwd: dir.path });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('teaches with --help and answers --version', async () => {
    const help = await runCli(['check', ...CHECKSUM_ONLY, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('Exit codes:');
    for (const option of ['--checks', '--algorithms', '--expected', '--policy', '--concurrency', '--format', '--output', '--fail-on', '--quiet']) {
      expect(help.stdout).toContain(option);
    }
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('draws a progress bar only when standard error is a terminal', async () => {
    const root = folder({ 'a.bin': randomBytes(1000) });
    const piped = await runCli(['check', ...CHECKSUM_ONLY, root]);
    expect(piped.stderr).not.toMatch(/checking .*files/);
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const command = `${process.execPath} ${join(import.meta.dirname, '..', 'bin', 'tdr-checks.js')} check --checks checksum ${root} --format jsonl --output ${join(dir.path, 'r.jsonl')}`;
    const tty = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(tty).toMatch(/checking .*\/1 files \| .*\/1000 B/);
  });
});
