import baseConfig from '../../eslint.config.mjs';

// The listing worker (src/local/list-worker.ts) imports @tdr/checks lazily, on
// the first problem, to keep ~20 ms off its start-up. The rule's ban on also
// importing a lazy-loaded library statically is about bundles (a static
// import defeats a lazy chunk); there is no bundle here, and the worker is a
// thread of its own. Same options otherwise.
const RULE = '@nx/enforce-module-boundaries';
export default baseConfig.map((config) => {
  const rule = config.rules?.[RULE];
  if (!Array.isArray(rule)) return config;
  const [level, options] = rule;
  return {
    ...config,
    rules: { ...config.rules, [RULE]: [level, { ...options, checkDynamicDependenciesExceptions: ['@tdr/checks'] }] },
  };
});
