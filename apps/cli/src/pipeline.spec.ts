import { rmSync, utimesSync, writeFileSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckEngine, Policy, checksumCheck, type FileReport, type SourceItem } from '@tdr/checks';
import { LocalFileSource } from '@tdr/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from './test-support/run-cli.js';

/** The real pipeline the CLI runs (storage → engine → policy), with the folder changing between listing and reading. */
describe('files that change between listing and reading', () => {
  let dir: { path: string; remove: () => void };
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  async function listThenCheck(prepare: (root: string) => void, change: (root: string) => void): Promise<Record<string, FileReport>> {
    const root = join(dir.path, 'folder');
    mkdirSync(root);
    prepare(root);
    const items: SourceItem[] = [];
    for await (const item of new LocalFileSource([root]).list()) items.push(item);
    change(root);
    const engine = new CheckEngine({ checks: [checksumCheck()] });
    await engine.init();
    try {
      const reports: Record<string, FileReport> = {};
      for await (const report of engine.run(items)) reports[report.path] = report;
      return reports;
    } finally {
      await engine.close();
    }
  }

  it('reports a file deleted after listing as FILE_NOT_FOUND, fails it, and checks the others', async () => {
    const reports = await listThenCheck(
      (root) => ['a', 'b', 'c'].forEach((name) => writeFileSync(join(root, name), name)),
      (root) => rmSync(join(root, 'b')),
    );
    expect(reports['a'].results['checksum'].status).toBe('completed');
    expect(reports['c'].results['checksum'].status).toBe('completed');
    expect(reports['b'].results['checksum']).toMatchObject({ status: 'error', error: { code: 'FILE_NOT_FOUND', retryable: false } });
    expect(Policy.default().judge(reports['b'])).toMatchObject({ verdict: 'fail', reasons: [{ code: 'CheckError' }] });
  });

  it('reports a file rewritten after listing (same size, new time) as FILE_CHANGED, retryable', async () => {
    const reports = await listThenCheck(
      (root) => writeFileSync(join(root, 'doc.txt'), 'version 1'),
      (root) => {
        const path = join(root, 'doc.txt');
        const before = statSync(path);
        writeFileSync(path, 'version 2');
        utimesSync(path, before.atime, new Date(before.mtimeMs + 2_000));
      },
    );
    expect(reports['doc.txt'].results['checksum']).toMatchObject({ status: 'error', error: { code: 'FILE_CHANGED', retryable: true } });
  });

  it('reports a file replaced by a FIFO after listing without hanging', async () => {
    const { execFileSync } = await import('node:child_process');
    const reports = await listThenCheck(
      (root) => writeFileSync(join(root, 'pipe'), ''),
      (root) => {
        rmSync(join(root, 'pipe'));
        execFileSync('mkfifo', [join(root, 'pipe')]);
      },
    );
    expect(reports['pipe'].results['checksum']).toMatchObject({ status: 'error', error: { code: 'NOT_A_REGULAR_FILE' } });
  });
});
