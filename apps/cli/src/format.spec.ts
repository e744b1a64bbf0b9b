import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from './test-support/run-cli.js';

const SKELETON = fileURLToPath(new URL('../../../../shared/corpus/skeleton', import.meta.url));

describe('tdr-checks check: format identification, acceptance on the PRONOM skeleton corpus', () => {
  it('agrees with the expected PUID for at least 99% of the samples, containers included', async () => {
    const manifest = readFileSync(join(SKELETON, 'manifest.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const { stdout } = await runCli(['check', SKELETON, '--checks', 'format', '--format', 'jsonl']);
    const byPath = new Map(jsonLines(stdout).map((line) => [line['path'] as string, line]));
    const disagreements: string[] = [];
    for (const [path, expected] of manifest) {
      const format = byPath.get(path)?.['checks']?.format;
      const puids = (format?.result?.matches ?? []).map((match: { puid: string }) => match.puid);
      if (puids.length !== 1 || puids[0] !== expected) disagreements.push(`${path}: expected ${expected}, got ${puids.join('|') || format?.error?.code || 'nothing'}`);
    }
    const agreement = (manifest.length - disagreements.length) / manifest.length;
    // Printed so every run shows what disagrees and a regression names its files.
    console.log(`skeleton corpus: ${manifest.length - disagreements.length}/${manifest.length} agree (${(agreement * 100).toFixed(2)}%)\n${disagreements.join('\n')}`);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
  });
});

describe('tdr-checks check: format and flags on real files', () => {
  let dir: { path: string; remove: () => void };
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('identifies formats, flags what the transfer rules refuse, and says why', async () => {
    const files: Record<string, Uint8Array | string> = {
      'report.pdf': '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
      'locked.pdf': '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R /Encrypt 2 0 R >>\n%%EOF\n',
      'empty.txt': '',
      'desktop.ini': '[.ShellClassInfo]\r\n',
      'tool': Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, ...new Array(57).fill(0)]),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir.path, name), content);
    const { code, stdout } = await runCli(['check', dir.path, '--format', 'jsonl']);
    expect(code).toBe(1);
    const byPath = Object.fromEntries(jsonLines(stdout).map((line) => [line['path'], line]));
    const codes = (path: string) => byPath[path].reasons.map((reason: { code: string }) => reason.code).sort();
    expect(byPath['report.pdf']).toMatchObject({ verdict: 'pass', checks: { format: { status: 'completed', result: { method: 'Signature' } }, flags: { result: { passwordProtected: false } } } });
    expect(byPath['report.pdf'].checks.format.result.puid).toMatch(/^fmt\/\d+$/);
    expect(codes('locked.pdf')).toEqual(['PasswordProtected']);
    expect(codes('empty.txt')).toContain('ZeroByteFile');
    expect(codes('desktop.ini')).toContain('DesktopIni');
    expect(codes('tool')).toContain('Executable');
    expect(byPath['tool'].checks.flags.result).toMatchObject({ executable: true, executableKind: 'ELF' });
  });

  it('says plainly how to get signatures when there are none, checks the rest, exits 2', async () => {
    writeFileSync(join(dir.path, 'a.txt'), 'a');
    const { code, stdout, stderr } = await runCli(['check', dir.path, '--format', 'jsonl', '--signatures', join(dir.path, 'no-signatures-here')]);
    expect(code).toBe(2);
    const [line] = jsonLines(stdout);
    expect(line['checks'].format).toMatchObject({ status: 'error', error: { code: 'NOT_CONFIGURED' } });
    expect(line['checks'].format.error.message).toContain('tdr-checks signatures update');
    expect(line['checks'].checksum.status).toBe('completed');
    expect(stderr).toContain('tdr-checks signatures update');
  });
});
