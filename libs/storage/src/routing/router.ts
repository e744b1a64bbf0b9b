import type { BigIntStats } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckError, ErrorCode, checkErrorFromFsError, toCheckErrorInfo, type CheckErrorInfo } from '@tdr/checks';
import type { RouteDecision, RouteRequest } from './decision.js';
import type { Destination } from './destination.js';
import { syncDir } from './durable.js';
import { RoutingErrorCode, describeFsError } from './errors.js';
import { digestOfPath } from './file-digest.js';
import type { DisposalResult, SourceDisposal } from './source-disposal.js';
import { isSameOrInside } from '../local/listing-paths.js';

/** Options of a `Router`. */
export interface RouterOptions {
  /** Where files decided `clean` are copied; without it they stay. */
  readonly clean?: Destination;
  /** Where files decided `quarantine` are copied; without it they stay. */
  readonly quarantine?: Destination;
  /**
   * Remove the source once its copy is durable and verified (and the source
   * is still the file that was copied). Off by default: the source belongs
   * to the uploader or the archive; routing copies.
   */
  readonly move?: boolean;
  /**
   * What to do with a source in a bucket (`source.s3`) once its copy is
   * confirmed: tag it, delete it, or nothing (the default). Called only
   * after `put` resolved. `move` is for local sources.
   */
  readonly disposal?: SourceDisposal;
  /**
   * Called with every outcome, in the order files were routed, before
   * `route` resolves: the routing journal. A runner writes it out (a JSON
   * line per file) to report what went where; if it throws, `route` rejects.
   */
  readonly journal?: (outcome: RouteOutcome) => void | Promise<void>;
}

/** What happened to one file. */
export interface RouteOutcome {
  /** The source's `path`. */
  readonly path: string;
  readonly decision: RouteDecision;
  /**
   * `copied`: a new copy was made; `already-there`: the destination held
   * an identical file (a re-run); `stayed`: nothing to do (decided `stay`,
   * or no destination for the decision); `failed`: see `error`.
   */
  readonly status: 'copied' | 'already-there' | 'stayed' | 'failed';
  /** Where the copy is, when there is one (also for a `failed` move whose copy succeeded). */
  readonly location?: string;
  /** Size and SHA-256 of the copy, when there is one. */
  readonly size?: number;
  readonly sha256?: string;
  /** Whether the source was removed (`move`, or a `delete` disposal). */
  readonly sourceRemoved: boolean;
  /** What the `disposal` did to a source in a bucket, once its copy was confirmed. */
  readonly sourceDisposal?: DisposalResult;
  /** Why it failed, as in a result envelope. */
  readonly error?: CheckErrorInfo;
}

/** Counts of a router's outcomes so far. */
export interface RoutingSummary {
  readonly copied: number;
  readonly alreadyThere: number;
  readonly stayed: number;
  readonly failed: number;
  readonly sourcesRemoved: number;
  /** Bytes of the new copies (`copied` only). */
  readonly bytesCopied: number;
}

/**
 * Routes checked files, one at a time, to their clean or quarantine
 * destination. A runner calls `route` for a file only after that file's
 * result has been written out (and flushed): routing then never gets ahead
 * of the record of why, and a crash leaves at worst a recorded file that
 * was not yet routed — which the next run, finding identical copies
 * already in place, completes. See docs/decisions/0013-routing.md.
 *
 * A file's problems do not stop the run: `route` resolves with a `failed`
 * outcome carrying the error. It rejects only when `signal` is aborted or
 * the journal throws.
 *
 * @example
 * ```ts
 * const router = new Router({
 *   clean: new LocalFolderDestination('/archive/clean', { checkedFolders: ['/transfer'] }),
 *   quarantine: new LocalFolderDestination('/archive/quarantine', { checkedFolders: ['/transfer'] }),
 *   journal: (outcome) => log.write(`${JSON.stringify(outcome)}\n`),
 * });
 * await router.open(); // fails now if a destination cannot be written
 * for await (const report of engine.run(items)) {
 *   await output.write(format.entry(report));
 *   await output.flush(); // the result is recorded …
 *   const request = routeRequestFor(report);
 *   if (request) await router.route(request); // … before the file is routed
 * }
 * console.error(router.summary);
 * ```
 */
export class Router {
  readonly #destinations: Readonly<Record<Exclude<RouteDecision, 'stay'>, Destination | undefined>>;
  readonly #move: boolean;
  readonly #disposal: SourceDisposal | undefined;
  readonly #journal: RouterOptions['journal'];
  #summary = { copied: 0, alreadyThere: 0, stayed: 0, failed: 0, sourcesRemoved: 0, bytesCopied: 0 };

  constructor(options: RouterOptions) {
    this.#destinations = { clean: options.clean, quarantine: options.quarantine };
    this.#move = options.move ?? false;
    this.#disposal = options.disposal;
    this.#journal = options.journal;
  }

  /**
   * Opens every destination (see `Destination.open`), so that one that
   * cannot be written stops a run before any file is checked.
   *
   * @throws CheckError `DESTINATIONS_OVERLAP` (clean and quarantine are the
   * same place, or one is inside the other), `DESTINATION_NOT_WRITABLE`,
   * `DESTINATION_INSIDE_SOURCE`.
   */
  async open(signal?: AbortSignal): Promise<void> {
    const { clean, quarantine } = this.#destinations;
    const [a, b] = [clean?.location, quarantine?.location].map((location) => (location && location.length > 1 && location.endsWith('/') ? location.slice(0, -1) : location));
    if (clean && quarantine && a !== undefined && b !== undefined && (isSameOrInside(a, b) || isSameOrInside(b, a))) {
      // An infected file among the clean ones, or clean files swept up with quarantine: both defeat the point.
      throw new CheckError(
        RoutingErrorCode.DestinationsOverlap,
        `the clean destination ${clean.location} and the quarantine ${quarantine.location} ${clean.location === quarantine.location ? 'are the same' : 'overlap'}; give them separate places`,
      );
    }
    await Promise.all([clean?.open(signal), quarantine?.open(signal)]);
  }

  /** Counts of the outcomes so far. */
  get summary(): RoutingSummary {
    return { ...this.#summary };
  }

  /**
   * Copies (or with `move`, moves) one file where its decision says, and
   * records the outcome in the journal.
   *
   * @throws `signal.reason` when aborted; whatever the journal throws.
   */
  async route(request: RouteRequest, signal?: AbortSignal): Promise<RouteOutcome> {
    const outcome = await this.#route(request, signal);
    this.#count(outcome);
    await this.#journal?.(outcome);
    return outcome;
  }

  /**
   * `route` for each request in turn, yielding each outcome. For a runner
   * whose results are recorded by an earlier stage of the same pipeline.
   */
  async *routeAll(requests: AsyncIterable<RouteRequest> | Iterable<RouteRequest>, signal?: AbortSignal): AsyncGenerator<RouteOutcome, void, undefined> {
    for await (const request of requests) yield await this.route(request, signal);
  }

  async #route({ source, decision }: RouteRequest, signal: AbortSignal | undefined): Promise<RouteOutcome> {
    signal?.throwIfAborted();
    const destination = decision === 'stay' ? undefined : this.#destinations[decision];
    if (!destination) return { path: source.path, decision, status: 'stayed', sourceRemoved: false };
    // Taken before the copy: the source removed later must be this very file.
    const localPath = source.s3 === undefined ? source.localPath : undefined;
    const before = this.#move && localPath !== undefined ? await stat(localPath, { bigint: true }).catch(() => undefined) : undefined;
    let copy: { status: 'copied' | 'already-there'; location: string; size: number; sha256: string };
    try {
      copy = await destination.put(source, source.relativePath ?? source.path, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { path: source.path, decision, status: 'failed', sourceRemoved: false, error: toCheckErrorInfo(error) };
    }
    const done = { path: source.path, decision, location: copy.location, size: copy.size, sha256: copy.sha256 };
    if (source.s3 !== undefined && this.#disposal !== undefined) {
      try {
        // Only now: `put` resolves once the copy is in place and verified.
        const disposed = await this.#disposal.dispose(source, { decision: decision as Exclude<RouteDecision, 'stay'>, receipt: copy }, signal);
        return { ...done, status: copy.status, sourceRemoved: disposed === 'deleted', sourceDisposal: disposed };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        return { ...done, status: 'failed', sourceRemoved: false, error: toCheckErrorInfo(error) };
      }
    }
    if (!this.#move || localPath === undefined) return { ...done, status: copy.status, sourceRemoved: false };
    try {
      // A copy made now was verified against this very source; one found already there was
      // not, so the source is hashed to prove it holds the same bytes before it goes.
      await removeSource(localPath, source.path, before, copy.status === 'already-there' ? copy.sha256 : undefined, signal);
      return { ...done, status: copy.status, sourceRemoved: true };
    } catch (error) {
      return { ...done, status: 'failed', sourceRemoved: false, error: toCheckErrorInfo(error) };
    }
  }

  #count(outcome: RouteOutcome): void {
    const s = this.#summary;
    if (outcome.status === 'copied') s.copied++;
    else if (outcome.status === 'already-there') s.alreadyThere++;
    else if (outcome.status === 'stayed') s.stayed++;
    else s.failed++;
    if (outcome.status === 'copied') s.bytesCopied += outcome.size ?? 0;
    if (outcome.sourceRemoved) s.sourcesRemoved++;
  }
}

/**
 * The last step of a move, after the copy is durable and verified: removes
 * the source if it is still the file that was copied (same device, inode,
 * size and modification time as before the copy, and when `sha256` is
 * given, that digest), then fsyncs its folder so the removal, too, survives
 * a crash.
 */
async function removeSource(
  localPath: string,
  name: string,
  before: BigIntStats | undefined,
  sha256: string | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  let now: BigIntStats;
  let digest: string | undefined;
  try {
    now = await stat(localPath, { bigint: true });
    if (sha256 !== undefined) digest = (await digestOfPath(localPath, signal)).sha256;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw checkErrorFromFsError(error, name);
  }
  if (sha256 !== undefined && digest !== sha256) {
    throw new CheckError(
      ErrorCode.FileChanged,
      `${name} no longer holds the bytes of its copy (SHA-256 ${digest}, the copy ${sha256}): it changed after it was checked, so it was not removed`,
      { retryable: true },
    );
  }
  if (!before || now.dev !== before.dev || now.ino !== before.ino || now.size !== before.size || now.mtimeNs !== before.mtimeNs) {
    throw new CheckError(
      ErrorCode.FileChanged,
      `${name} changed after it was copied, so it was not removed (the copy holds the bytes that were checked)`,
      { retryable: true },
    );
  }
  try {
    await unlink(localPath);
  } catch (error) {
    throw new CheckError(RoutingErrorCode.SourceNotRemoved, `${name} was copied but could not be removed (${describeFsError(error)})`, {
      cause: error,
    });
  }
  // Best effort: if a crash undoes the removal, the next run finds the source
  // beside its identical copy, calls it already there, and removes it again.
  await syncDir(dirname(localPath)).catch(() => undefined);
}
