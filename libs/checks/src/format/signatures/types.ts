/**
 * Public shapes of the PRONOM engine: signature files in, identifications out.
 */
import type { ContainerType } from '../containers/types.js';

/** The two signature files to load (absolute paths). */
export interface SignatureFiles {
  /** A DROID binary signature file, `DROID_SignatureFile_V<n>.xml`. */
  readonly binary: string;
  /** A DROID container signature file, `container-signature-<yyyymmdd>.xml`. Without it no container signatures apply. */
  readonly container?: string;
}

/** Which signature data an identification used; stored with every result. */
export interface SignatureVersions {
  readonly binary: {
    /** The file's `Version` attribute exactly as written (`122`, or `V122` in some files). */
    readonly version: string;
    /** `V122`, whichever way the file wrote it. */
    readonly display: string;
    /** The file's `DateCreated` attribute, when present. */
    readonly dateCreated?: string;
    readonly fileName: string;
    readonly sha256: string;
  };
  readonly container?: {
    /** The `signatureVersion` attribute (`40`). */
    readonly signatureVersion?: string;
    readonly schemaVersion?: string;
    /** The date in the file name, ISO (`2026-01-19`), when the name carries one. */
    readonly date?: string;
    /** `20260119` (the file name's date, as DROID and TNA name container versions), else `v40`. */
    readonly display: string;
    readonly fileName: string;
    readonly sha256: string;
  };
}

/** A PRONOM format as the binary signature file describes it. */
export interface FormatInfo {
  /** The file's internal format ID (what `HasPriorityOverFileFormatID` refers to). */
  readonly id: number;
  readonly puid: string;
  readonly name: string;
  readonly version: string;
  /** The `MIMEType` attribute as written (may list several, comma-separated). */
  readonly mimeType: string;
  readonly mimeTypes: readonly string[];
  readonly extensions: readonly string[];
  /** IDs of the binary signatures (`InternalSignatureID`). */
  readonly signatureIds: readonly number[];
  /** Format IDs this format has priority over. */
  readonly hasPriorityOver: readonly number[];
}

/** How a format was recognised, with DROID's names. */
export type IdentificationMethod = 'Signature' | 'Container' | 'Extension';

/** One format a file was identified as. */
export interface FormatMatch {
  readonly puid: string;
  readonly name: string;
  readonly version: string;
  readonly mimeType: string;
  readonly method: IdentificationMethod;
  /**
   * Why, in a few words: `byte match at [[0 8] [1204 5]] (signature 276)`,
   * `container ZIP: [Content_Types].xml with byte match at [[0 91]], mimetype (signature 1030)`,
   * `extension match pdf`.
   */
  readonly basis: string;
  /**
   * DROID's extension mismatch for this format: the format lists extensions
   * and the file's extension is none of them (or the file has none).
   * Always false for `Extension` matches.
   */
  readonly extensionMismatch: boolean;
  /** The binary (`InternalSignature`) or container (`ContainerSignature`) IDs that matched. */
  readonly signatureIds: readonly number[];
}

/** The outcome of identifying one file. */
export interface Identification {
  /** The file's extension as DROID takes it: after the last dot of the name, if the dot is not first. */
  readonly extension: string;
  /** Every format reported, in DROID's order; empty when unidentified. */
  readonly matches: readonly FormatMatch[];
  /** DROID's per-file flag: some reported signature or container match has an extension mismatch. */
  readonly extensionMismatch: boolean;
  /**
   * Set when a format that triggers container identification matched
   * (`TriggerPuids`: OLE2 → fmt/111, ZIP → fmt/189, x-fmt/263): open the file
   * as this container and call `identifyContainer`; its matches, when there
   * are any, replace these (see `resolveIdentification`).
   */
  readonly containerType?: ContainerType;
  /** Formats that matched but were dropped because a matching format has priority over them. */
  readonly lowerPriority: readonly { readonly puid: string; readonly below: readonly string[] }[];
}

/** The bytes of a file that identification may look at. */
export interface ByteWindow {
  /** Size of the whole file in bytes. */
  readonly size: number;
  /** Bytes `[0, head.length)`; the whole file when it fits. */
  readonly head: Uint8Array;
  /** Bytes `[size - tail.length, size)`; may be empty when `head` holds the whole file. */
  readonly tail: Uint8Array;
  /**
   * DROID's "max bytes to scan": how far from the start (and from the end)
   * a sequence's anchor may lie. Fragments are looked for in all of `head`
   * and `tail` (DROID reads them at any offset), so a window holding the
   * whole file with a smaller scan limit identifies as DROID does. Default:
   * the longer of `head` and `tail`.
   */
  readonly scanLimit?: number;
}

/** Choices that change results; the defaults are DROID's. */
export interface IdentifyOptions {
  /**
   * What to do with the binary signatures of formats that also have
   * container signatures (fmt/40, ODF, EPUB, …):
   * - `'ignore'` (default, DROID): they are never used. DROID removes them
   *   when it loads container signatures (droid-container
   *   `ContainerIdentifierInit.init` → droid-core
   *   `BinarySignatureIdentifier.removeSignatureForPuid` →
   *   `FFSignatureFile.puidHasOverridingSignatures`), so such a format is
   *   only ever reported through its container signature.
   * - `'use'` (siegfried): they match like any other, so a file that is not
   *   a readable container can still be reported as the format.
   */
  readonly containerFormatBinarySignatures?: 'ignore' | 'use';
  /**
   * DROID's "match all extensions" profile option: when no signature
   * matches, report every format listing the extension, not only formats
   * without signatures (DROID's default, `FFSignatureFile.getTentativeFormatsForExtension`).
   */
  readonly matchAllExtensions?: boolean;
}

/** How signatures were loaded (for logs and benchmarks). */
export interface LoadInfo {
  readonly from: 'cache' | 'xml';
  /** The cache file used or written, when there is a cache folder. */
  readonly cacheFile: string | undefined;
  /** Milliseconds from reading the files to a ready engine. */
  readonly ms: number;
}

/** A container signature, as the container file describes it. */
export interface ContainerSignatureInfo {
  readonly id: number;
  /** `ZIP` or `OLE2` in current files. */
  readonly containerType: string;
  readonly description: string;
  /** The `File` paths that must all be present (with their binary signatures, if any). */
  readonly files: readonly { readonly path: string; readonly binarySignatureIds: readonly number[] }[];
  /** PUIDs its `FileFormatMapping`s give. */
  readonly puids: readonly string[];
}
