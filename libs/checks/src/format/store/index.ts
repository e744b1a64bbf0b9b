/**
 * Where the PRONOM signature files live and how they get there: the folder
 * (`resolveSignatureDir`), what is in it (`inspectSignatureDir`), and
 * downloading the current files from The National Archives
 * (`updateSignatures`). See docs/decisions/0007-signature-updates.md.
 */
export { SIGNATURES_DIR_ENV, resolveSignatureDir } from './resolve-dir.js';
export type { ResolveSignatureDirOptions, ResolvedSignatureDir, SignatureDirSource } from './resolve-dir.js';
export { HOW_TO_GET_SIGNATURES, inspectSignatureDir } from './inspect.js';
export type {
  BinarySignatureFile,
  ContainerSignatureFile,
  SignatureDirInspection,
  SignatureDirStatus,
  SignatureFileFacts,
} from './inspect.js';
export {
  DEFAULT_KEEP_PREVIOUS,
  DEFAULT_MAX_SIGNATURE_BYTES,
  DEFAULT_UPDATE_TIMEOUT_MS,
  updateSignatures,
} from './update.js';
export type { SignatureFileUpdate, SignatureUpdateEvent, UpdateSignaturesOptions, UpdateSignaturesResult } from './update.js';
export {
  DEFAULT_PRONOM_URL,
  PRONOM_BINARY_URL_ENV,
  PRONOM_CONTAINER_URL_ENV,
  PRONOM_URL_ENV,
  parseSignatureIndex,
  signatureSources,
} from './sources.js';
export type { SignatureIndex, SignatureSourceOptions, SignatureSources } from './sources.js';
export { SignatureDownloadError, SignatureUpdateError } from './errors.js';
export type { SignatureSource, SignatureUpdateFailureCode } from './errors.js';
export { BINARY_FILE_PATTERN, CONTAINER_FILE_PATTERN, binaryFileName, containerFileName } from './names.js';
export type { SignatureKind } from './names.js';
