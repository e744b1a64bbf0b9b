/**
 * What the format check reports, shaped after DROID's and siegfried's output
 * and mapping one-to-one onto TDR's FFID metadata (software,
 * softwareVersion, binarySignatureFileVersion, containerSignatureFileVersion,
 * method, matches[{extension, identificationBasis, puid,
 * fileExtensionMismatch, formatName}]).
 */

import type { IdentificationMethod } from './signatures/types.js';

export interface FormatResultMatch {
  readonly puid: string;
  readonly formatName: string;
  /** PRONOM's version text, `''` when it has none. */
  readonly formatVersion: string;
  /** First MIME type PRONOM lists, `''` when none. */
  readonly mimeType: string;
  readonly method: IdentificationMethod;
  /** Why, for a person: `byte match at 0, 8`, `container signature 1030`, `extension match pdf`. */
  readonly basis: string;
  /** The file's extension (lowercase, without the dot), `''` when it has none. */
  readonly extension: string;
  /** The file's extension is not one PRONOM lists for this format (DROID's definition). */
  readonly extensionMismatch: boolean;
}

export interface FormatResult {
  /** The format, when exactly one was identified; otherwise `null` (see `matches`). */
  readonly puid: string | null;
  readonly formatName: string | null;
  readonly formatVersion: string | null;
  readonly mimeType: string | null;
  readonly method: IdentificationMethod | null;
  readonly basis: string | null;
  /** Whether any match has an extension mismatch. */
  readonly extensionMismatch: boolean;
  /** Every format identified, as DROID would report them (none: unidentified; several: ambiguous). */
  readonly matches: readonly FormatResultMatch[];
  /** Versions of the signature files used, e.g. `{ binary: 'V122', container: '20260119' }`. */
  readonly signatureVersions: { readonly binary: string; readonly container: string | null };
  /** Set when the file claimed to be a ZIP or OLE2 container but could not be read as one: the byte-level answer stands. */
  readonly containerProblem?: string;
}
