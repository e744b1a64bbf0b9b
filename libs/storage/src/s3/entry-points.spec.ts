import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..');

/** The packages a module reaches through its static and dynamic imports, following relative ones. */
function packagesReached(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('entry points', () => {
  it('the main entry never reaches the AWS SDK or the S3 modules (local runs stay light)', () => {
    const { packages, files } = packagesReached(join(src, 'index.ts'));
    expect([...packages].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    expect([...files].filter((file) => file.includes('/s3/'))).toEqual([]);
  });

  it('the s3 subpath does', () => {
    expect(packagesReached(join(src, 's3', 'index.ts')).packages).toContain('@aws-sdk/client-s3');
  });
});
