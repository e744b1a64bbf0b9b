import path from 'node:path';
import type { ExpectedFacts } from '../types.js';
import { ManifestError, quoteText } from './manifest-error.js';
import type { ManifestEntry, ParsedManifest } from './manifest-types.js';

/** What an `ExpectationIndex` matches, and against what. */
export interface ExpectationIndexOptions {
  readonly manifest: ParsedManifest;
  /** Absolute directory that relative manifest paths are resolved against. */
  readonly base: string;
  /** Absolute paths being checked (folders or single files). */
  readonly roots: readonly string[];
}

/**
 * A manifest entry no file answered to. The two reasons are reported
 * differently: `not-found` means a listed file is missing from what was
 * checked (a real transfer problem); `outside-folder` means the user checked
 * only part of what the manifest covers (a single file, a subfolder).
 */
export interface UnmatchedEntry {
  readonly entry: ManifestEntry;
  /** The entry's path resolved against the base, as the user would look for it. */
  readonly absolutePath: string;
  readonly reason: 'not-found' | 'outside-folder';
}

interface Slot {
  entry: ManifestEntry;
  readonly absolutePath: string;
  found: boolean;
}

/**
 * Joins a manifest to the files found on disk, both ways: each file gets its
 * expected checksums, and afterwards the entries nobody asked for are the
 * files that are missing.
 *
 * Paths are compared after Unicode NFC normalisation: macOS file systems
 * hand back decomposed (NFD) names while manifests written elsewhere hold
 * composed ones, and a byte comparison would report the same `café.txt` as
 * both missing and unlisted. Case is compared exactly, even on
 * case-insensitive file systems. Several manifest paths that name the same
 * file (`a/./b` and `a/b`, or NFC and NFD spellings) merge like repeats do,
 * and throw a ManifestError when their checksums disagree.
 *
 * Lookups are one `Map` access, so a manifest of a million entries costs a
 * million map entries and nothing quadratic.
 */
export class ExpectationIndex {
  private readonly slots = new Map<string, Slot>();
  private readonly roots: ReadonlySet<string>;
  private readonly fileName: string;
  private readonly unlisted: ExpectedFacts;

  constructor(options: ExpectationIndexOptions) {
    const { manifest, base } = options;
    this.fileName = manifest.fileName;
    this.unlisted = Object.freeze({ source: manifest.fileName });
    this.roots = new Set(options.roots.map((root) => comparable(path.resolve(root))));
    for (const entry of manifest.entries) {
      const absolutePath = path.resolve(base, entry.path);
      const key = comparable(absolutePath);
      const slot = this.slots.get(key);
      if (slot === undefined) this.slots.set(key, { entry, absolutePath, found: false });
      else slot.entry = this.merge(slot.entry, entry);
    }
  }

  /**
   * Expected facts for the file at this absolute path; marks the entry as
   * found. A file the manifest does not list still gets `source`, so the
   * checksum check can tell "not in the manifest" from "no manifest given".
   */
  lookup(absolutePath: string): ExpectedFacts {
    const slot = this.slots.get(comparable(path.resolve(absolutePath)));
    if (slot === undefined) return this.unlisted;
    slot.found = true;
    return { checksums: slot.entry.checksums, source: `${this.fileName}:${slot.entry.line}` };
  }

  /** Entries never looked up, in manifest order, with why. */
  unmatched(): UnmatchedEntry[] {
    const out: UnmatchedEntry[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.found) continue;
      const reason = this.insideRoots(key) ? 'not-found' : 'outside-folder';
      out.push({ entry: slot.entry, absolutePath: slot.absolutePath, reason });
    }
    return out;
  }

  /**
   * A root that is a file matches only itself and a folder everything below
   * it; walking up the parents does both without knowing which a root is,
   * in time proportional to the depth rather than to the number of roots.
   */
  private insideRoots(key: string): boolean {
    for (let current = key; ; ) {
      if (this.roots.has(current)) return true;
      const parent = path.dirname(current);
      if (parent === current) return false;
      current = parent;
    }
  }

  private merge(kept: ManifestEntry, added: ManifestEntry): ManifestEntry {
    for (const [algorithm, value] of Object.entries(added.checksums)) {
      const previous = kept.checksums[algorithm];
      if (previous !== undefined && previous !== value) {
        throw new ManifestError(
          this.fileName,
          added.line,
          `${quoteText(added.path)} and ${quoteText(kept.path)} (line ${kept.line}) name the same file ` +
            `but give different ${algorithm} checksums: ${value} and ${previous}`,
        );
      }
    }
    return { path: kept.path, checksums: { ...added.checksums, ...kept.checksums }, line: kept.line };
  }
}

function comparable(absolutePath: string): string {
  return absolutePath.normalize('NFC');
}

/**
 * Picks the folder that a manifest's relative paths are relative to, since
 * `sha256sum` output is as often made inside the folder (`a.pdf`) as from
 * its parent (`folder/a.pdf`) and nothing in the file says which. Samples
 * the first `sample` relative entries and returns the candidate under which
 * most of them exist (ties go to the earlier candidate, so the caller puts
 * its preferred guess first). BagIt paths are relative to the bag by
 * definition, so for BagIt the first candidate (the manifest's own folder)
 * is returned without looking.
 *
 * @param exists - injected so this stays free of file-system access; called
 *   at most `sample × candidates.length` times.
 */
export function chooseManifestBase(
  manifest: ParsedManifest,
  candidates: readonly string[],
  exists: (absolutePath: string) => boolean,
  sample = 50,
): string {
  const first = candidates[0];
  if (first === undefined) throw new RangeError('chooseManifestBase needs at least one candidate folder');
  if (manifest.format === 'bagit') return first;
  const relative: string[] = [];
  for (const entry of manifest.entries) {
    if (relative.length >= sample) break;
    if (!path.isAbsolute(entry.path)) relative.push(entry.path);
  }
  let best = first;
  let bestScore = -1;
  for (const candidate of candidates) {
    let score = 0;
    for (const entryPath of relative) if (exists(path.resolve(candidate, entryPath))) score++;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
    // Later candidates can at best tie, and ties go to the earlier one.
    if (bestScore === relative.length) break;
  }
  return best;
}
