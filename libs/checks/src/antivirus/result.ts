/**
 * What the antivirus check found. `software`, `softwareVersion`,
 * `databaseVersion`, `result` and `datetime` are TDR's antivirus metadata
 * (AddAntivirusMetadataInput), field for field; the rest is ours.
 */
export interface AntivirusResult {
  /** A signature matched. */
  readonly infected: boolean;
  /** The names of the signatures that matched (`Win.Test.EICAR_HDB-1`), empty when clean. */
  readonly signatures: readonly string[];
  /** The scanner: `ClamAV`. */
  readonly software: string;
  /** The scanner's version: `1.4.6`. */
  readonly softwareVersion: string;
  /** The signature database's version (ClamAV's daily database number); absent when the scanner did not say. */
  readonly databaseVersion?: string;
  /** When that database was built (ISO 8601), when the scanner said. */
  readonly databaseDate?: string;
  /** As TDR records it: the signature names, one per line; empty when clean. */
  readonly result: string;
  /** When the scan ended, in milliseconds since 1970 (TDR's `datetime`). */
  readonly datetime: number;
  /** How the bytes reached the scanner: `path` (clamd read the file) or `stream` (INSTREAM). */
  readonly method: 'path' | 'stream';
}
