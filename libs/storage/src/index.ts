/**
 * @tdr/storage — where the bytes come from: `FileSource`s that list files as
 * `FileRef`s for the checks of @tdr/checks. For now the local file system.
 */
export type { FileSource } from './file-source.js';
export { LocalFileSource } from './local/local-file-source.js';
export type { LocalFileSourceOptions } from './local/local-file-source.js';
export { LocalFileRef, STREAM_CHUNK_SIZE } from './local/local-file-ref.js';
export type { LocalFileRefInit } from './local/local-file-ref.js';
