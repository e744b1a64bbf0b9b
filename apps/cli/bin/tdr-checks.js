#!/usr/bin/env node
// Launcher kept in git (and executable) so npm can link the `tdr-checks`
// command before anything is built; the program itself is the bundle
// (apps/cli/scripts/bundle.mjs).
import('../bundle/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/bundle/main.js')) {
    process.stderr.write('tdr-checks: not built yet; run `npx nx run cli:bundle` (or `npm run build`) in the repository first\n');
  } else {
    process.stderr.write(`tdr-checks: ${error?.stack ?? error}\n`);
  }
  process.exit(2);
});
