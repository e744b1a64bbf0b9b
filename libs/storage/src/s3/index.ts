/**
 * @tdr/storage/s3 — S3 sources and destinations. A subpath of its own so
 * that local runs never load the AWS SDK (`import('@tdr/storage/s3')` only
 * when an `s3://` URL is given).
 */
export { ENDPOINT_ENV, FORCE_PATH_STYLE_ENV, REGION_ENV, S3_ENDPOINT_ENV, createS3Client, s3ClientConfig } from './client.js';
export type { S3Sender, S3Settings } from './client.js';
export { DEFAULT_BLOCK_SIZE, DEFAULT_MAX_BLOCKS, DEFAULT_WHOLE_OBJECT_MAX, S3FileRef } from './s3-file-ref.js';
export type { S3FileRefInit, S3ReadOptions } from './s3-file-ref.js';
export { S3FileSource, decodeEventKey } from './s3-file-source.js';
export type { S3EventRecordLike, S3EventSourceOptions, S3FileSourceOptions } from './s3-file-source.js';
export { copySource, isS3Url, parseS3Url, s3Url } from '../s3-url.js';
export type { S3Location } from '../s3-url.js';
export { DEFAULT_PART_SIZE, MAX_SINGLE_COPY, S3Destination } from './s3-destination.js';
export type { S3DestinationOptions } from './s3-destination.js';
export { S3DeleteDisposal, S3TagDisposal, defaultRoutingTags } from './s3-disposal.js';
export type { S3TagDisposalOptions } from './s3-disposal.js';
export { s3RouteRequestFor } from './route-request.js';
