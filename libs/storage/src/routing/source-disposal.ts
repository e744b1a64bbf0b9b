import type { RouteDecision } from './decision.js';
import type { PutReceipt } from './destination.js';
import type { RouteSource } from './route-source.js';

/** What a `SourceDisposal` did to the source: `tagged`, `deleted`, or `kept` (nothing). */
export type DisposalResult = 'tagged' | 'deleted' | 'kept';

/**
 * What happens to a source in a bucket once its copy is confirmed: tag it
 * (say where it went), delete it (a move), or nothing. The `Router` calls
 * `dispose` only after `Destination.put` resolved, which is only once the
 * copy is in place and verified; never for a failed copy. An implementation
 * must leave a source that is no longer the version that was copied (its
 * ETag changed) alone, with a `FILE_CHANGED` error.
 *
 * @example
 * ```ts
 * const router = new Router({ clean, quarantine, disposal: new S3TagDisposal({ client }) });
 * ```
 */
export interface SourceDisposal {
  readonly kind: 'tag' | 'delete' | 'none';
  dispose(source: RouteSource, copy: DisposalContext, signal?: AbortSignal): Promise<DisposalResult>;
}

/** What a disposal knows of the copy it follows. */
export interface DisposalContext {
  readonly decision: Exclude<RouteDecision, 'stay'>;
  readonly receipt: PutReceipt;
}

/** Leaves every source as it is (the default). */
export const KEEP_SOURCES: SourceDisposal = {
  kind: 'none',
  dispose: async () => 'kept',
};
