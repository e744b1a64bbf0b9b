import { Stopped, type StopSignal } from './errors.js';

const controller = new AbortController();
let installed = false;

/**
 * Aborted by the first SIGINT (Ctrl-C) or SIGTERM (what service managers,
 * `timeout` and container runtimes send), its reason a `Stopped` naming the
 * signal: commands then finish what they must (the report of the files
 * done) and exit 130 or 143. A second one of the same signal quits at once.
 * Installed once, by the program; without it the signal is never aborted.
 */
export function stopSignal(): AbortSignal {
  return controller.signal;
}

/** Turns SIGINT and SIGTERM into `stopSignal()`'s abort, saying so on `write`. */
export function installStopHandlers(write: (line: string) => void): void {
  if (installed) return;
  installed = true;
  const stopOn = (signal: StopSignal, again: string): void => {
    process.once(signal, () => {
      const reason = new Stopped(signal);
      write(`\n${reason.message}: finishing what is under way (${again} to quit at once)`);
      controller.abort(reason);
      // The default action, not process.exit(): exit waits for every thread,
      // and one stuck in a read of a hung disk would never let it finish.
      process.once(signal, () => process.kill(process.pid, signal));
    });
  };
  stopOn('SIGINT', 'Ctrl-C again');
  stopOn('SIGTERM', 'SIGTERM again');
}
