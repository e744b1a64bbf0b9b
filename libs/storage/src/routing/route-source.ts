/** An S3 object to route, as it was when checked. */
export interface RouteSourceObject {
  readonly bucket: string;
  readonly key: string;
  /** Quoted, as S3 sends it (`"9e10…"`). */
  readonly etag: string;
  readonly versionId?: string;
}

/**
 * The file to route: the parts of a `FileRef` (or of the report about it)
 * that a copy needs. A plain object, so a runner can build it from a report
 * line as easily as from a listing.
 */
export interface RouteSource {
  /** The name to show and report (see `FileRef.path`). */
  readonly path: string;
  /**
   * Where the copy goes under the destination, `/`-separated. Usually the
   * same as `path` (relative to the folder checked); a file checked on its
   * own, given as `/abs/a.pdf` or `../a.pdf`, needs one chosen for it.
   * Defaults to `path`.
   */
  readonly relativePath?: string;
  /** Absolute path of the file on this machine, for a local file. */
  readonly localPath?: string;
  /**
   * The S3 object, for a file checked in a bucket: an S3 destination copies
   * it server-side, requiring this ETag (the version that was checked).
   */
  readonly s3?: RouteSourceObject;
  /** Size in bytes when it was checked; a source of another size is not the file that was checked. */
  readonly size: number;
  /** Modification time when it was listed (ISO 8601), when known; compared like the size. */
  readonly lastModified?: string;
  /**
   * SHA-256 (lowercase hex) of the bytes that were checked, when the
   * checksum check ran: the copy must have exactly this digest, which proves
   * that what was scanned is what was routed.
   */
  readonly sha256?: string;
}

/** A `RouteSource` that is a local file. */
export type LocalRouteSource = RouteSource & { readonly localPath: string };
