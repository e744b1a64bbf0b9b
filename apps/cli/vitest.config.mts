import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/cli',
  test: {
    name: '@tdr/cli',
    watch: false,
    environment: 'node',
    include: ['src/**/*.{test,spec}.ts'],
    globalSetup: ['src/test-support/clamd-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'test-output/vitest/results.json' }]],
    testTimeout: 30_000,
  },
});
