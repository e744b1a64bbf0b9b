import { ManifestError, quoteText } from './manifest-error.js';
import type { ManifestEntry } from './manifest-types.js';

interface Pending {
  readonly path: string;
  readonly checksums: Record<string, string>;
  readonly line: number;
  /** Line of each checksum, only once a later line has added one (most entries never need it). */
  lines?: Record<string, number>;
}

/**
 * Gathers checksums per path across lines. Manifests legitimately repeat a
 * path (a DROID export with one row per identified format, a CSV with an md5
 * and a sha256 block), so repeats merge; a repeat that disagrees is a
 * contradiction the user has to resolve, so it is an error naming both lines.
 */
export class EntryCollector {
  private readonly byPath = new Map<string, Pending>();
  private readonly seenAlgorithms = new Set<string>();

  constructor(private readonly fileName: string) {}

  /** Records that `line` gives `checksum` as the `algorithm` checksum of `path`. */
  add(path: string, algorithm: string, checksum: string, line: number): void {
    this.seenAlgorithms.add(algorithm);
    const existing = this.byPath.get(path);
    if (existing === undefined) {
      this.byPath.set(path, { path, checksums: { [algorithm]: checksum }, line });
      return;
    }
    const previous = existing.checksums[algorithm];
    if (previous === undefined) {
      existing.checksums[algorithm] = checksum;
      if (line !== existing.line) {
        existing.lines ??= {};
        existing.lines[algorithm] = line;
      }
    } else if (previous !== checksum) {
      const previousLine = existing.lines?.[algorithm] ?? existing.line;
      throw new ManifestError(
        this.fileName,
        line,
        `${quoteText(path)} is listed twice with different ${algorithm} checksums: ` +
          `line ${previousLine} has ${previous}, line ${line} has ${checksum}`,
      );
    }
  }

  /** One entry per distinct path, in order of first appearance. */
  entries(): ManifestEntry[] {
    const out: ManifestEntry[] = [];
    for (const pending of this.byPath.values()) {
      out.push({ path: pending.path, checksums: pending.checksums, line: pending.line });
    }
    return out;
  }

  /** Every algorithm seen, in order of first appearance. */
  algorithms(): string[] {
    return [...this.seenAlgorithms];
  }
}
