/** Which kind of file a manifest was read as; reported so a user can see the guess was right. */
export type ManifestFormat = 'bagit' | 'gnu' | 'bsd' | 'csv';

/** One file a manifest lists, with every checksum given for it. */
export interface ManifestEntry {
  /** As written in the manifest after unescaping: relative to some base, or absolute. */
  readonly path: string;
  /** Lowercase hex keyed by canonical algorithm name (`sha256`, `md5`, …). */
  readonly checksums: Readonly<Record<string, string>>;
  /** 1-based line where the path first appears, for messages (`manifest-sha256.txt:12`). */
  readonly line: number;
}

/** A whole manifest, in the order its files first appear. */
export interface ParsedManifest {
  readonly format: ManifestFormat;
  /** As given to `parseManifest`; used in messages and in `ExpectedFacts.source`. */
  readonly fileName: string;
  /** Every algorithm that has at least one checksum (BagIt: the one in the file name), in order of first appearance. */
  readonly algorithms: readonly string[];
  /** One per distinct path: repeats of a path are merged into its first line. */
  readonly entries: readonly ManifestEntry[];
}
