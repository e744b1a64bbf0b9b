import { basename, isAbsolute } from 'node:path';
import type { FileReport } from '@tdr/checks';
import {
  isS3Url,
  LocalFolderDestination,
  parseS3Url,
  Router,
  routeRequestFor,
  type Destination,
  type RouteOutcome,
  type RouteRequest,
  type RoutingSummary,
} from '@tdr/storage';
import { UsageError } from '../errors.js';
import type { CheckCommandOptions } from './options.js';
import type { RunSources, S3Access } from './sources.js';

/**
 * `--clean-dest`, `--quarantine-dest` (a folder or `s3://bucket/prefix/`),
 * `--move`: copies each checked file to the clean or quarantine destination
 * its antivirus result calls for, after its report line is written out (see
 * docs/decisions/0013-routing.md and 0015-s3-reads-and-routing.md).
 */
export class CliRouting {
  readonly #router: Router;
  readonly #sources: RunSources;
  readonly #s3: S3Access;
  readonly #note: (line: string) => void;

  private constructor(router: Router, sources: RunSources, s3: S3Access, note: (line: string) => void) {
    this.#router = router;
    this.#sources = sources;
    this.#s3 = s3;
    this.#note = note;
  }

  /**
   * The routing the options ask for, its destinations opened (created,
   * checked writable, debris of a crashed run cleared), or undefined when
   * none is asked.
   * @throws UsageError when a destination cannot be used.
   */
  static async open(
    options: Pick<CheckCommandOptions, 'cleanDest' | 'quarantineDest' | 'move'>,
    sources: RunSources,
    localRoots: readonly string[],
    s3: S3Access,
    note: (line: string) => void,
  ): Promise<CliRouting | undefined> {
    const { cleanDest, quarantineDest } = options;
    if (cleanDest === undefined && quarantineDest === undefined) {
      if (options.move) throw new UsageError('--move: give --clean-dest or --quarantine-dest to move files to');
      return undefined;
    }
    const destination = async (where: string): Promise<Destination> => {
      if (!isS3Url(where)) return new LocalFolderDestination(where, { checkedFolders: localRoots });
      const { module, client } = await s3.get();
      const { bucket, key } = parseS3Url(where);
      return new module.S3Destination({ client, bucket, prefix: key, checkedLocations: sources.s3Urls });
    };
    // A move of an S3 object deletes the source once its copy is confirmed; local sources are removed by the router itself.
    const disposal = options.move && sources.s3Urls.length > 0 ? await s3.get().then(({ module, client }) => new module.S3DeleteDisposal({ client })) : undefined;
    const router = new Router({
      ...(cleanDest === undefined ? {} : { clean: await destination(cleanDest) }),
      ...(quarantineDest === undefined ? {} : { quarantine: await destination(quarantineDest) }),
      move: options.move === true,
      ...(disposal ? { disposal } : {}),
    });
    try {
      await router.open();
    } catch (error) {
      throw new UsageError(`routing: ${(error as Error).message}`);
    }
    return new CliRouting(router, sources, s3, note);
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
      const request = await this.#requestFor(report);
      if (request === undefined) continue;
      const outcome: RouteOutcome = await this.#router.route(request, signal);
      if (outcome.status === 'failed') {
        failed++;
        this.#note(`tdr-checks: ${outcome.path} was not routed to ${outcome.decision}: ${outcome.error?.message ?? 'unknown error'} (${outcome.error?.code ?? 'ERROR'})`);
      }
    }
    return failed;
  }

  async #requestFor(report: FileReport): Promise<RouteRequest | undefined> {
    const ref = this.#sources.s3Refs.get(report.id);
    if (ref) {
      this.#sources.s3Refs.delete(report.id);
      // The ref came from an S3 listing, so the library is loaded: this is the same module.
      return (await this.#s3.get()).module.s3RouteRequestFor(report, ref);
    }
    const request = routeRequestFor(report);
    if (request === undefined) return undefined;
    // A file checked on its own (`/abs/a.pdf`, `../a.pdf`) keeps only its name under the destination.
    const path = request.source.path;
    const outside = isAbsolute(path) || path === '..' || path.startsWith('../');
    return outside ? { ...request, source: { ...request.source, relativePath: basename(path) } } : request;
  }

  get summary(): RoutingSummary {
    return this.#router.summary;
  }
}

/** "routed: 12 copied (3.4 MB), 1 already there, 2 stayed, 0 failed" for standard error. */
export function routingSummaryLine(summary: RoutingSummary, move: boolean): string {
  const megabytes = (summary.bytesCopied / 1e6).toFixed(1);
  const parts = [`${summary.copied} copied (${megabytes} MB)`, `${summary.alreadyThere} already there`, `${summary.stayed} stayed`, `${summary.failed} failed`];
  if (move) parts.push(`${summary.sourcesRemoved} sources removed`);
  return `routed: ${parts.join(', ')}`;
}
