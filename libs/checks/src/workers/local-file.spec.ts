import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFile } from './local-file.js';

const dir = mkdtempSync(join(tmpdir(), 'local-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opened(name: string, bytes: Uint8Array): LocalFile {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const stat = statSync(path);
  return LocalFile.open({ localPath: path, displayPath: name, size: stat.size, lastModified: stat.mtime.toISOString() });
}

describe('LocalFile block reads (large files)', () => {
  it('fills a reused block from any position and stops at the listed size', () => {
    const bytes = randomBytes(10_000);
    const file = opened('blocks', bytes);
    const block = Buffer.alloc(4096);
    const seen: Buffer[] = [];
    for (let position = 0; position < file.size; ) {
      const read = file.readInto(block, position);
      seen.push(Buffer.from(block.subarray(0, read)));
      position += read;
    }
    expect(seen.map((part) => part.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(seen).equals(bytes)).toBe(true);
    expect(file.readInto(block, file.size)).toBe(0);
    file.confirmUnchanged();
    file.close();
  });

  it('reports a file truncated after it was opened as FILE_CHANGED', () => {
    const file = opened('truncated', randomBytes(10_000));
    truncateSync(join(dir, 'truncated'), 5_000);
    expect(() => file.readInto(Buffer.alloc(8192), 0)).toThrow(expect.objectContaining({ code: 'FILE_CHANGED', retryable: true }));
    file.close();
  });

  it('notices a file written to while it was read', () => {
    const file = opened('appended', randomBytes(1_000));
    file.readInto(Buffer.alloc(1_000), 0);
    appendFileSync(join(dir, 'appended'), 'more');
    expect(() => file.confirmUnchanged()).toThrow(expect.objectContaining({ code: 'FILE_CHANGED', retryable: true }));
    file.close();
  });
});
