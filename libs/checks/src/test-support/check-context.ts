import type { CheckContext, Logger } from '../types.js';

const ignore = (): void => undefined;
const quiet: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * A CheckContext for calling a check directly, without the engine: no
 * budget (nothing stops the check unless `signal` aborts), progress
 * ignored, and the logger silent unless one is given.
 */
export function checkContext(signal: AbortSignal = new AbortController().signal, logger: Logger = quiet): CheckContext {
  return { logger, signal, progress: ignore, holdBudget: ignore, restartBudget: ignore };
}
