#!/usr/bin/env node
// Launcher kept in git (and executable) so npm can link the `tdr-checks`
// command before anything is built; the program itself is the bundle
// (apps/cli/scripts/bundle.mjs).
import { setFlagsFromString } from 'node:v8';

// V8's optimizing compiler tuned for a run of seconds rather than a server
// of hours (decision 0018): no inlining and a later start spend less CPU
// compiling code that runs only a few thousand times, which on 2 cores
// competes with the checks themselves (skeleton corpus, format: ~800 →
// ~600 ms). Process-wide, so the worker threads get it too. Only on the V8
// versions measured, where both flags exist (an unknown one would print an
// error on every start).
if (/^1[1-3]\./.test(process.versions.v8)) {
  setFlagsFromString('--no-turbo-inlining');
  setFlagsFromString('--interrupt-budget=400000');
}

import('../bundle/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/bundle/main.js')) {
    process.stderr.write('tdr-checks: not built yet; run `npx nx run cli:bundle` (or `npm run build`) in the repository first\n');
  } else {
    process.stderr.write(`tdr-checks: ${error?.stack ?? error}\n`);
  }
  process.exit(2);
});
