import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/api-client',
  test: {
    name: '@tdr/api-client',
    watch: false,
    environment: 'node',
    include: ['src/**/*.{test,spec}.ts'],
    reporters: ['default', ['json', { outputFile: 'test-output/vitest/results.json' }]],
    testTimeout: 30_000,
  },
});
