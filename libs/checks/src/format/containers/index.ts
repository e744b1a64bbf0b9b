/**
 * Container readers for the format check: ZIP and OLE2 (Compound File
 * Binary), safe to point at hostile files. Both implement `ContainerView`,
 * which the container signature matcher consumes.
 */
export { ContainerError } from './types.js';
export type { ContainerErrorCode, ContainerType, ContainerView, RandomAccess } from './types.js';
export { DEFAULT_ZIP_LIMITS, openZip } from './zip.js';
export type { ZipContainer, ZipEntry, ZipLimits } from './zip.js';
export { DEFAULT_CFB_LIMITS, openCfb } from './cfb.js';
export type { CfbContainer, CfbEntry, CfbLimits } from './cfb.js';
