/**
 * @tdr/storage — where the bytes come from and where they go: `FileSource`s
 * that list files as `FileRef`s for the checks of @tdr/checks (the local
 * file system for now), and routing of checked files to clean or quarantine
 * destinations (local folders; S3 sources and destinations are in the
 * `@tdr/storage/s3` subpath, so local runs never load the AWS SDK).
 */
export type { FileSource } from './file-source.js';
export { LocalFileSource } from './local/local-file-source.js';
export type { LocalFileSourceOptions } from './local/local-file-source.js';
export { LocalFileRef, STREAM_CHUNK_SIZE } from './local/local-file-ref.js';
export type { LocalFileRefInit } from './local/local-file-ref.js';
export { Router } from './routing/router.js';
export type { RouteOutcome, RouterOptions, RoutingSummary } from './routing/router.js';
export { decideRoute, routeRequestFor } from './routing/decision.js';
export type { RouteDecision, RouteRequest } from './routing/decision.js';
export type { Destination, ExpectedContent, PutReceipt } from './routing/destination.js';
export { LocalFolderDestination } from './routing/local-folder-destination.js';
export type { LocalFolderDestinationOptions } from './routing/local-folder-destination.js';
export type { LocalRouteSource, RouteSource, RouteSourceObject } from './routing/route-source.js';
export { KEEP_SOURCES } from './routing/source-disposal.js';
export type { DisposalContext, DisposalResult, SourceDisposal } from './routing/source-disposal.js';
export { RoutingErrorCode } from './routing/errors.js';
export type { RoutingErrorCodeValue } from './routing/errors.js';
export { STALE_AFTER_MS, TEMP_PREFIX } from './routing/temp-names.js';
// Telling and splitting s3:// locations needs no SDK (./s3-url.ts): a runner decides with them whether to load @tdr/storage/s3.
export { isS3Url, parseS3Url } from './s3-url.js';
export type { S3Location } from './s3-url.js';
