import { CheckError } from '@tdr/checks';
import { RoutingErrorCode } from './errors.js';
import { isTempName } from './temp-names.js';

/**
 * The segments of a path relative to a destination (`sub/a.pdf` →
 * `['sub', 'a.pdf']`), checked so that joining them under the destination
 * can only name something inside it. Names are otherwise taken as they are:
 * spaces, newlines, leading dashes and any Unicode are fine (nothing here
 * goes through a shell), and no normalisation is applied, so a name reaches
 * the destination byte for byte as the source had it.
 *
 * @example
 * ```ts
 * routingSegments('sub/a b.pdf'); // ['sub', 'a b.pdf']
 * routingSegments('../etc/passwd'); // throws CheckError INVALID_ROUTING_PATH
 * ```
 * @throws CheckError `INVALID_ROUTING_PATH` for an empty or absolute path, an
 * empty, `.` or `..` segment, a NUL byte, or a last segment that looks like
 * one of routing's own temp files (it would be taken for debris and deleted).
 */
export function routingSegments(relativePath: string): string[] {
  const invalid = (why: string): CheckError =>
    new CheckError(RoutingErrorCode.InvalidPath, `cannot route ${JSON.stringify(relativePath)}: ${why}`);
  if (relativePath.length === 0) throw invalid('the path is empty');
  if (relativePath.includes('\0')) throw invalid('a file name cannot hold a NUL byte');
  if (relativePath.startsWith('/')) throw invalid('the path must be relative to the destination, not absolute');
  const segments = relativePath.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid(`"${segment}" segments are not allowed (the copy must land where the path says, inside the destination)`);
    }
  }
  if (isTempName(segments[segments.length - 1])) {
    throw invalid("the name looks like one of routing's temp files, which are deleted as debris of interrupted copies");
  }
  return segments;
}
