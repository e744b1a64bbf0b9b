import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled JavaScript beside a module, for `new Worker(...)` or a
 * worker's dynamic `import()`. Tests run libraries from TypeScript sources,
 * which a worker thread cannot load; there the copy built into `dist/` is
 * used instead (test targets depend on the build).
 *
 * @param url `new URL('./x.js', import.meta.url)` of the script, as the built tree has it.
 * @throws Error naming where it looked, when neither exists.
 */
export function compiledScript(url: URL): URL {
  if (existsSync(fileURLToPath(url))) return url;
  // The library's own `src/` is the last one in the path (a parent folder may be called src too).
  const at = url.href.lastIndexOf('/src/');
  const built = at < 0 ? undefined : new URL(`${url.href.slice(0, at)}/dist/${url.href.slice(at + '/src/'.length)}`);
  if (built && existsSync(fileURLToPath(built))) return built;
  throw new Error(`the script ${fileURLToPath(url)} is missing; build the library first (npx nx run-many -t build)`);
}
