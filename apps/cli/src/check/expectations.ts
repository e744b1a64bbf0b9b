import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { ExpectationIndex, ManifestError, chooseManifestBase, parseManifest, type FileReport, type ParsedManifest } from '@tdr/checks';
import { UsageError } from '../errors.js';

/** A manifest joined to the folders being checked. */
export interface Expectations {
  readonly manifest: ParsedManifest;
  readonly index: ExpectationIndex;
  /** The folder relative manifest paths were resolved against. */
  readonly base: string;
}

/**
 * Reads `--expected FILE` and decides what its relative paths are relative
 * to: for BagIt the bag (the manifest's folder), otherwise whichever of the
 * manifest's folder, the folder being checked and the current directory
 * holds the most of its files (sha256sum output is made both inside a
 * folder and from its parent).
 */
export async function loadExpectations(manifestPath: string, roots: readonly string[]): Promise<Expectations> {
  let content: Buffer;
  try {
    content = await readFile(manifestPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new UsageError(`--expected ${manifestPath}: cannot read it (${why})`);
  }
  try {
    const manifest = parseManifest(content, { fileName: basename(manifestPath) });
    const folders = roots.filter((root) => isFolder(root));
    const candidates = [...new Set([dirname(resolve(manifestPath)), ...folders, process.cwd()])];
    const base = chooseManifestBase(manifest, candidates, existsSync);
    // The index too can find the manifest inconsistent (one file listed twice under two spellings).
    return { manifest, index: new ExpectationIndex({ manifest, base, roots }), base };
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`--expected: ${error.message}`);
    throw error;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reports for the manifest entries no file answered to, with paths as the
 * user knows them: relative to the folder they fall in, else as written.
 */
export function missingFileReports(expectations: Expectations, roots: readonly string[]): FileReport[] {
  return expectations.index.unmatched().map(({ entry, absolutePath, reason }) => {
    const root = roots.find((candidate) => absolutePath === candidate || absolutePath.startsWith(candidate + sep));
    const path = root && root !== absolutePath ? relative(root, absolutePath).split(sep).join('/') : entry.path;
    const where = `${expectations.manifest.fileName} line ${entry.line}`;
    return {
      id: `expected:${absolutePath}`,
      path,
      size: null,
      expected: { checksums: entry.checksums, source: `${expectations.manifest.fileName}:${entry.line}` },
      missing:
        reason === 'outside-folder'
          ? { reason, message: `listed in ${where} as ${JSON.stringify(entry.path)}, which is ${absolutePath}, outside the folders being checked; not read` }
          : { reason, message: `listed in ${where} but not found in the folder` },
      results: {},
    };
  });
}
