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
} as const;
