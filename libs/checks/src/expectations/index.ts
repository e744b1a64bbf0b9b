/**
 * Expected checksums for `tdr-checks check --expected FILE`: reading the
 * manifest (`parseManifest`), finding its base folder (`chooseManifestBase`)
 * and joining its entries to the files found (`ExpectationIndex`). Pure
 * logic over strings and paths; the caller reads the file and the disk.
 */
export { ManifestError } from './manifest-error.js';
export type { ManifestEntry, ManifestFormat, ParsedManifest } from './manifest-types.js';
export { parseManifest } from './parse-manifest.js';
export type { ParseManifestOptions } from './parse-manifest.js';
export { ExpectationIndex, chooseManifestBase } from './expectation-index.js';
export type { ExpectationIndexOptions, UnmatchedEntry } from './expectation-index.js';
