import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/bundle', '**/out-tsc', '**/node_modules', '**/vitest.config.*.timestamp*'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      // DESIGN.md: dependencies point one way. Apps use libs; storage and
      // api-client may use checks; checks sees files only through FileRef.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          // The CLI imports @tdr/storage statically and its S3 subpath (the AWS SDK) lazily: the
          // rule sees one project, and the laziness that matters is the subpath's. It also follows
          // dynamic edges onwards (storage's lazy imports of @tdr/checks), so checks is named too.
          checkDynamicDependenciesExceptions: ['@tdr/storage', '@tdr/checks'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:checks', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:storage', onlyDependOnLibsWithTags: ['scope:checks'] },
            { sourceTag: 'scope:api-client', onlyDependOnLibsWithTags: ['scope:checks'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
