import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eicarBytes } from '@tdr/checks/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLAMD_MISSING, CLAMD_SOCKET, jsonLines, runCli, useTempDir } from './test-support/run-cli.js';

const dir = useTempDir();

/** A transfer with a clean file (in a sub-folder, odd name), an infected one, and an empty one. */
function transfer(): string {
  const root = join(dir(), 'transfer');
  mkdirSync(join(root, 'sub dir'), { recursive: true });
  writeFileSync(join(root, 'sub dir', 'clean é.txt'), 'nothing to see\n');
  writeFileSync(join(root, 'eicar.com'), eicarBytes());
  writeFileSync(join(root, 'empty'), '');
  return root;
}

function listTree(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

describe('tdr-checks check --clean-dest --quarantine-dest', () => {
  beforeEach((test) => test.skip(CLAMD_SOCKET === null, CLAMD_MISSING ?? undefined));

  it('copies clean files to the clean folder and infected ones to quarantine, after reporting them', async () => {
    const root = transfer();
    const clean = join(dir(), 'clean');
    const quarantine = join(dir(), 'quarantine');
    const { code, stdout, stderr } = await runCli(['check', root, '--format', 'jsonl', '--clean-dest', clean, '--quarantine-dest', quarantine]);
    expect(code).toBe(1); // the infected file fails its policy
    expect(jsonLines(stdout).map((line) => [line['path'], line['verdict']])).toEqual([
      ['eicar.com', 'fail'],
      ['empty', 'fail'], // ZeroByteFile, yet scanned clean: routing goes by the antivirus result only
      ['sub dir/clean é.txt', 'pass'],
    ]);
    expect(listTree(clean)).toEqual(['empty', 'sub dir/clean é.txt']);
    expect(listTree(quarantine)).toEqual(['eicar.com']);
    expect(readFileSync(join(clean, 'sub dir', 'clean é.txt'), 'utf8')).toBe('nothing to see\n');
    expect(listTree(root)).toHaveLength(3); // copied, not moved
    expect(stderr).toContain('routed: 3 copied');

    // A second run finds identical copies in place and copies nothing again.
    const again = await runCli(['check', root, '--format', 'jsonl', '--clean-dest', clean, '--quarantine-dest', quarantine]);
    expect(again.stderr).toContain('routed: 0 copied (0.0 MB), 3 already there');
  });

  it('with --move removes the sources once copied', async () => {
    const root = transfer();
    const clean = join(dir(), 'clean');
    const { stderr } = await runCli(['check', root, '--format', 'jsonl', '--clean-dest', clean, '--move']);
    expect(listTree(clean)).toEqual(['empty', 'sub dir/clean é.txt']);
    // The infected file had no quarantine to go to: it stays, and only it.
    expect(listTree(root)).toEqual(['eicar.com']);
    expect(stderr).toContain('2 sources removed');
  });

  it('never overwrites a different file: that file is an error (exit 2) and its source stays', async () => {
    const root = transfer();
    const clean = join(dir(), 'clean');
    mkdirSync(join(clean, 'sub dir'), { recursive: true });
    writeFileSync(join(clean, 'sub dir', 'clean é.txt'), 'someone else’s file\n');
    const { code, stderr } = await runCli(['check', root, '--format', 'jsonl', '--clean-dest', clean, '--move']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/sub dir\/clean é\.txt was not routed to clean: .*DESTINATION_EXISTS/);
    expect(readFileSync(join(clean, 'sub dir', 'clean é.txt'), 'utf8')).toBe('someone else’s file\n');
    expect(existsSync(join(root, 'sub dir', 'clean é.txt'))).toBe(true);
  });
});

describe('tdr-checks check: routing options that cannot work', () => {
  it('refuses routing without the antivirus check, a folder inside the transfer, and --move alone (exit 2, nothing checked)', async () => {
    const root = transfer();
    const withoutAntivirus = await runCli(['check', root, '--checks', 'checksum', '--clean-dest', join(dir(), 'clean')]);
    expect(withoutAntivirus.code).toBe(2);
    expect(withoutAntivirus.stderr).toContain('add antivirus to --checks');
    const moveAlone = await runCli(['check', root, '--checks', 'checksum', '--move']);
    expect(moveAlone.code).toBe(2);
    expect(moveAlone.stderr).toContain('--move: give --clean-dest or --quarantine-dest');
    if (CLAMD_SOCKET !== null) {
      const inside = await runCli(['check', root, '--clean-dest', join(root, 'clean')]);
      expect(inside.code).toBe(2);
      expect(inside.stdout).toBe('');
      expect(inside.stderr).toContain('is inside the folder being checked');
    }
  });
});
