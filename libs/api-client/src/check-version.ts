/**
 * Semantic versions of checks (`FileCheck.version`), compared the way the
 * results API compares them for optimistic locking: a result for an older
 * `checkVersion` never replaces one for a newer.
 */

interface ParsedVersion {
  readonly core: readonly [number, number, number];
  readonly prerelease: readonly string[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A run sees a handful of versions over and over: parse each once. */
const parsed = new Map<string, ParsedVersion | null>();

function parse(version: string): ParsedVersion | undefined {
  let known = parsed.get(version);
  if (known === undefined) {
    const match = SEMVER.exec(version);
    known = match ? { core: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] === undefined ? [] : match[4].split('.') } : null;
    if (parsed.size >= 1024) parsed.clear();
    parsed.set(version, known);
  }
  return known ?? undefined;
}

/** Whether `version` is a semantic version (`1.2.3`, `2.0.0-rc.1`, `1.0.0+build.5`). */
export function isCheckVersion(version: string): boolean {
  return parse(version) !== undefined;
}

/**
 * Compares two check versions by semver precedence: negative when `a` is
 * older, positive when newer, 0 when equal (build metadata is ignored).
 * Throws a `TypeError` when either is not a semantic version.
 *
 * @example
 * ```ts
 * compareCheckVersions('1.10.0', '1.9.3') > 0; // true
 * compareCheckVersions('2.0.0-rc.1', '2.0.0') < 0; // true
 * ```
 */
export function compareCheckVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  if (!left) throw new TypeError(`not a semantic version: ${JSON.stringify(a)}`);
  if (!right) throw new TypeError(`not a semantic version: ${JSON.stringify(b)}`);
  for (let i = 0; i < 3; i++) {
    const difference = left.core[i] - right.core[i];
    if (difference !== 0) return Math.sign(difference);
  }
  // A pre-release comes before its release; then identifier by identifier.
  if (left.prerelease.length === 0 || right.prerelease.length === 0) return Math.sign(right.prerelease.length - left.prerelease.length);
  const length = Math.min(left.prerelease.length, right.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = left.prerelease[i];
    const y = right.prerelease[i];
    if (x === y) continue;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) return Math.sign(Number(x) - Number(y));
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1; // numeric identifiers sort first
    return x < y ? -1 : 1;
  }
  return Math.sign(left.prerelease.length - right.prerelease.length);
}
