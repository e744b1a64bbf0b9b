/**
 * What the format check needs from a container (ZIP, OLE2) to apply
 * container signatures, whichever reader opened it. The readers in this
 * folder implement it; the signature matcher (../signatures) consumes it.
 */

/** The bytes of a file, read at positions (FileRef.read fits). */
export interface RandomAccess {
  readonly size: number;
  read(position: number, length: number): Promise<Uint8Array>;
}

export type ContainerType = 'ZIP' | 'OLE2';

/** One opened container, as the container signatures see it. */
export interface ContainerView {
  readonly type: ContainerType;
  /**
   * Paths of its entries, `/`-separated, as DROID's container signatures
   * name them (ZIP: the entry name; OLE2: storage and stream names joined by
   * `/`, without the root entry).
   */
  paths(): readonly string[];
  /** Whether an entry with this path exists (the comparison DROID makes). */
  has(path: string): boolean;
  /**
   * Up to `maxBytes` bytes from the start of the entry, decompressed.
   * Rejects with a ContainerError when the entry cannot be read within the
   * limits (compression ratio, total bytes inflated) or is encrypted.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

/** Why a container could not be opened or read. */
export type ContainerErrorCode =
  /** Not this kind of container at all (no ZIP end record, no OLE2 header). */
  | 'NOT_A_CONTAINER'
  /** Claims to be one, but its structures are inconsistent or point outside the file. */
  | 'MALFORMED'
  /** Would take more bytes, entries or inflating than the limits allow (zip bomb). */
  | 'LIMIT_EXCEEDED'
  /** The entry is encrypted. */
  | 'ENCRYPTED'
  /** A compression method or feature this reader does not support. */
  | 'UNSUPPORTED';

export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  readonly code: ContainerErrorCode;

  constructor(code: ContainerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
