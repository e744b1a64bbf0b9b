import type { FileReport } from '@tdr/checks';
import { decideRoute, type RouteRequest } from '../routing/decision.js';
import type { S3FileRef } from './s3-file-ref.js';

/**
 * The routing request for the report of an S3 object: `ref.routeSource()`
 * with the SHA-256 the checksum check recorded, and `decideRoute` of the
 * antivirus result. (A report does not carry the ETag, so the ref it was
 * made from is needed; `routeRequestFor` does the same for local files.)
 *
 * @example
 * ```ts
 * const refs = new Map<string, S3FileRef>(); // by id, filled as the listing goes
 * for await (const reports of engine.runBatches(batches)) {
 *   for (const report of reports) {
 *     const ref = refs.get(report.id);
 *     if (ref) await router.route(s3RouteRequestFor(report, ref));
 *     refs.delete(report.id);
 *   }
 * }
 * ```
 */
export function s3RouteRequestFor(report: FileReport, ref: S3FileRef): RouteRequest {
  const checksum = report.results['checksum'];
  const sha256 = checksum?.status === 'completed' ? (checksum.result as { sha256?: unknown } | null)?.sha256 : undefined;
  return { source: ref.routeSource(typeof sha256 === 'string' ? sha256 : undefined), decision: decideRoute(report.results['antivirus']) };
}
