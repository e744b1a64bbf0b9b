import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkOptions } from './check/options.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

  it('documents every option of tdr-checks check', () => {
    for (const option of checkOptions()) expect(readme).toContain(`| \`${option.flags}\` |`);
  });

  it('gives the two set-up commands that CI and people run', () => {
    expect(readme).toContain('npm ci && TDR_SIGNATURES_DIR=../shared/pronom npx nx run cli:check ./folder');
    expect(readme).toContain('npm ci && npm test');
  });
});
