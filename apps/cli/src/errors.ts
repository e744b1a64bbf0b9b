/** The user asked for something that cannot be done as asked; exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes, as DESIGN.md fixes them. */
export const ExitCode = {
  /** Every file passed (per `--fail-on`). */
  Ok: 0,
  /** Some file failed (or warned, with `--fail-on warn`). */
  Failed: 1,
  /** A check could not decide for some file, or the command was used wrongly. */
  Error: 2,
  /** Interrupted (Ctrl-C): 128 + SIGINT. */
  Interrupted: 130,
  /** Stopped by SIGTERM (a service manager, `timeout`, a container stopping): 128 + SIGTERM. */
  Terminated: 143,
} as const;

/** The signals that stop a run early, finishing its report; a second one quits at once. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Why a run stopped early: the signal that stopped it (the reason of the run's abort signal). */
export class Stopped extends Error {
  override readonly name = 'Stopped';
  constructor(readonly signal: StopSignal) {
    super(signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'terminated (SIGTERM)');
  }
}

/** The exit code of a run stopped by `reason`, as shells report a command a signal stopped: 130 for Ctrl-C, 143 for SIGTERM. */
export function stoppedExitCode(reason: unknown): number {
  return reason instanceof Stopped && reason.signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}
