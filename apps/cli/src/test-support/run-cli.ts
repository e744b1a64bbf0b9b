import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';

/** The PRONOM signature files shared beside the repository (../shared/pronom), as CI provides them. */
export const SHARED_PRONOM = fileURLToPath(new URL('../../../../../shared/pronom', import.meta.url));

/** One compiled-signature cache for this test process, so tests neither share nor litter the user's. */
const TEST_CACHE = mkdtempSync(join(tmpdir(), 'tdr-cli-cache-'));
afterAll(() => rmSync(TEST_CACHE, { recursive: true, force: true }));

/** The built command, as users run it (the test target builds it first). */
export const BIN = fileURLToPath(new URL('../../bin/tdr-checks.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /**
   * Run without the capabilities that let root read any file, so permission
   * errors happen as they do for ordinary users (tests often run as root).
   */
  readonly unprivileged?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

const isRoot = process.getuid?.() === 0;

/** The test clamd every CLI spec shares (see clamd-setup.ts), or null when clamd is not installed. */
export const CLAMD_SOCKET = inject('clamdSocket');
/** Why the antivirus tests are skipped, when they are. */
export const CLAMD_MISSING = inject('clamdMissing');

/**
 * Without clamd on this machine antivirus would not run and every file would
 * warn (AntivirusNotRun): `check` then runs the other default checks, so the
 * tests of those still see the verdicts they are about.
 */
function withoutAntivirusWhenNoClamd(args: readonly string[]): readonly string[] {
  if (CLAMD_SOCKET !== null || args[0] !== 'check' || args.includes('--checks')) return args;
  return ['check', '--checks', 'checksum,format,flags', ...args.slice(1)];
}

/** Runs `tdr-checks …` in a child process and collects what it printed. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const command = [process.execPath, BIN, ...withoutAntivirusWhenNoClamd(args)];
  const argv =
    options.unprivileged && isRoot
      ? ['setpriv', '--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search,-fowner', ...command]
      : command;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: {
        ...process.env,
        NO_COLOR: '1',
        TDR_SIGNATURES_DIR: SHARED_PRONOM,
        TDR_CHECKS_CACHE_DIR: TEST_CACHE,
        // The test clamd, never one this machine happens to run.
        CLAMD_SOCKET: CLAMD_SOCKET ?? '/nonexistent/clamd.sock',
        CLAMD_HOST: '',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses `--format jsonl` output (loosely typed: tests reach into the envelopes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
export function jsonLines(stdout: string): Loose[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Loose);
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'tdr-cli-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A fresh temporary folder for each test of the file, removed after it.
 * @example
 * const dir = useTempDir();
 * it('…', () => writeFileSync(join(dir(), 'a.txt'), 'a'));
 */
export function useTempDir(prefix?: string): () => string {
  let current: { path: string; remove: () => void } | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => {
    current?.remove();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTempDir(): the folder exists only while a test runs');
    return current.path;
  };
}
