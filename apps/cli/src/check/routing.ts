import { basename, isAbsolute } from 'node:path';
import type { FileReport } from '@tdr/checks';
import { LocalFolderDestination, Router, routeRequestFor, type RouteOutcome, type RoutingSummary } from '@tdr/storage';
import { UsageError } from '../errors.js';
import type { CheckCommandOptions } from './options.js';

/**
 * `--clean-dir`, `--quarantine-dir`, `--move`: copies each checked file to
 * the clean or quarantine folder its antivirus result calls for, after its
 * report line is written out (see docs/decisions/0013-routing.md).
 */
export class CliRouting {
  readonly #router: Router;
  readonly #note: (line: string) => void;
  readonly #failures: RouteOutcome[] = [];

  private constructor(router: Router, note: (line: string) => void) {
    this.#router = router;
    this.#note = note;
  }

  /**
   * The routing the options ask for, its folders opened (created, checked
   * writable, debris of a crashed run cleared), or undefined when none is asked.
   * @throws UsageError when a folder cannot be used.
   */
  static async open(
    options: Pick<CheckCommandOptions, 'cleanDir' | 'quarantineDir' | 'move'>,
    checkedFolders: readonly string[],
    note: (line: string) => void,
  ): Promise<CliRouting | undefined> {
    const { cleanDir, quarantineDir } = options;
    if (cleanDir === undefined && quarantineDir === undefined) {
      if (options.move) throw new UsageError('--move: give --clean-dir or --quarantine-dir to move files to');
      return undefined;
    }
    const destination = (folder: string): LocalFolderDestination => new LocalFolderDestination(folder, { checkedFolders });
    const router = new Router({
      ...(cleanDir === undefined ? {} : { clean: destination(cleanDir) }),
      ...(quarantineDir === undefined ? {} : { quarantine: destination(quarantineDir) }),
      move: options.move === true,
    });
    try {
      await router.open();
    } catch (error) {
      throw new UsageError(`routing: ${(error as Error).message}`);
    }
    return new CliRouting(router, note);
  }

  /**
   * Routes the files of reports whose lines are already written out, one
   * after another. Returns how many could not be routed (each named on
   * standard error); those stay where they are.
   */
  async route(reports: readonly FileReport[], signal: AbortSignal): Promise<number> {
    let failed = 0;
    for (const report of reports) {
      if (signal.aborted) break;
      const request = routeRequestFor(report);
      if (request === undefined) continue;
      // A file checked on its own (`/abs/a.pdf`, `../a.pdf`) keeps only its name under the folder.
      const path = request.source.path;
      const outside = isAbsolute(path) || path === '..' || path.startsWith('../');
      const outcome = await this.#router.route(outside ? { ...request, source: { ...request.source, relativePath: basename(path) } } : request, signal);
      if (outcome.status === 'failed') {
        failed++;
        this.#failures.push(outcome);
        this.#note(`tdr-checks: ${outcome.path} was not routed to ${outcome.decision}: ${outcome.error?.message ?? 'unknown error'} (${outcome.error?.code ?? 'ERROR'})`);
      }
    }
    return failed;
  }

  get summary(): RoutingSummary {
    return this.#router.summary;
  }
}

/** "routed: 12 copied (3.4 MB), 1 already there, 2 stayed, 0 failed" for standard error. */
export function routingSummaryLine(summary: RoutingSummary, move: boolean): string {
  const megabytes = (summary.bytesCopied / 1e6).toFixed(1);
  const parts = [
    `${summary.copied} copied (${megabytes} MB)`,
    `${summary.alreadyThere} already there`,
    `${summary.stayed} stayed`,
    `${summary.failed} failed`,
  ];
  if (move) parts.push(`${summary.sourcesRemoved} sources removed`);
  return `routed: ${parts.join(', ')}`;
}
