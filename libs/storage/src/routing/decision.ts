import type { FileReport, ResultEnvelope } from '@tdr/checks';
import type { RouteSource } from './route-source.js';

/**
 * Where a checked file goes: a copy in the clean destination, a copy in
 * quarantine, or nowhere (it stays where it is, and only there).
 */
export type RouteDecision = 'clean' | 'quarantine' | 'stay';

/** One file and where it goes, as a runner hands it to `Router.route`. */
export interface RouteRequest {
  readonly source: RouteSource;
  readonly decision: RouteDecision;
}

/**
 * The decision the design fixes, from the antivirus result alone: a
 * `completed` result saying `infected: false` routes to clean, one saying
 * `infected: true` to quarantine, and everything else stays — a scan that
 * errored, no scan at all, or a result without a boolean `infected` (an
 * error is never a pass, and neither is a missing scan). Other findings (a
 * checksum mismatch, a password-protected file) are the policy's business,
 * not routing's; a runner that wants them to keep a file out of clean can
 * decide `stay` itself.
 *
 * @example
 * ```ts
 * decideRoute(report.results.antivirus); // 'clean' | 'quarantine' | 'stay'
 * ```
 */
export function decideRoute(antivirus: ResultEnvelope | undefined): RouteDecision {
  if (antivirus?.status !== 'completed') return 'stay';
  const infected = (antivirus.result as { infected?: unknown } | null | undefined)?.infected;
  if (infected === true) return 'quarantine';
  if (infected === false) return 'clean';
  return 'stay';
}

/**
 * The request for a file report: its local file, the SHA-256 the checksum
 * check recorded (so the copy is proved to be the bytes that were scanned),
 * and `decideRoute` of its antivirus result. `undefined` for a report with
 * no local file to copy (a listing problem, a file named in a manifest and
 * missing).
 *
 * @example
 * ```ts
 * const request = routeRequestFor(report);
 * if (request) await router.route(request);
 * ```
 */
export function routeRequestFor(report: FileReport): RouteRequest | undefined {
  if (report.localPath === undefined || report.size === null || report.missing) return undefined;
  const checksum = report.results['checksum'];
  const sha256 = checksum?.status === 'completed' ? (checksum.result as { sha256?: unknown } | null)?.sha256 : undefined;
  const source: RouteSource = {
    path: report.path,
    localPath: report.localPath,
    size: report.size,
    ...(report.lastModified === undefined ? {} : { lastModified: report.lastModified }),
    ...(typeof sha256 === 'string' ? { sha256 } : {}),
  };
  return { source, decision: decideRoute(report.results['antivirus']) };
}
