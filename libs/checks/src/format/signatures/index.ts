/**
 * tdr-checks' own PRONOM engine: DROID signature files in, identifications
 * out, with DROID's semantics (signatures, priorities, extensions,
 * containers).
 *
 * Lifecycle: load once per process (`findSignatureFiles` →
 * `loadSignatures`, which keeps a compiled cache), then per file
 * `readWindow` → `identify`, and when the result names a `containerType`,
 * open the container and `identifyContainer` → `resolveIdentification`.
 *
 * @example
 * const signatures = await loadSignatures(findSignatureFiles('/opt/pronom'));
 * const window = await readWindow(file); // first and last 64 KiB
 * let result = identify(signatures, window, file.path);
 * if (result.containerType !== undefined) {
 *   const view = await openContainer(result.containerType, file); // ../containers readers
 *   result = resolveIdentification(result, await identifyContainer(signatures, view, { fileName: file.path }));
 * }
 * result.matches[0]?.puid; // 'fmt/276'
 */
export { DEFAULT_MAX_ENTRY_BYTES, identifyContainer, resolveIdentification } from './container.js';
export type { ContainerIdentifyOptions } from './container.js';
export { droidExtension, identify } from './identify.js';
export { compiledCacheFile, compileSignatures, defaultCacheDir, findSignatureFiles, loadSignatures } from './load.js';
export type { LoadOptions } from './load.js';
export { PronomSignatures } from './model.js';
export type {
  ByteWindow,
  FormatInfo,
  FormatMatch,
  Identification,
  IdentificationMethod,
  IdentifyOptions,
  ContainerSignatureInfo,
  LoadInfo,
  SignatureFiles,
  SignatureVersions,
} from './types.js';
export { DEFAULT_WINDOW_BYTES, readWindow, WHOLE_FILE_MATCH_BYTES, windowOf } from './window.js';
export { parseBinarySignatureXml, parseContainerSignatureXml, SignatureXmlError } from './xml.js';
export type {
  RawBinaryFile,
  RawByteSequence,
  RawContainerFile,
  RawContainerFileEntry,
  RawContainerSignature,
  RawFileFormat,
  RawFragment,
  RawInternalSignature,
  RawSubSequence,
} from './xml.js';
export type { WindowSource } from './window.js';
