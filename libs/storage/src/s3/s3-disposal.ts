import { DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectTaggingCommand, type Tag } from '@aws-sdk/client-s3';
import { CheckError, ErrorCode } from '@tdr/checks';
import { RoutingErrorCode } from '../routing/errors.js';
import type { RouteSource, RouteSourceObject } from '../routing/route-source.js';
import type { DisposalContext, DisposalResult, SourceDisposal } from '../routing/source-disposal.js';
import type { S3Sender } from './client.js';
import { describeS3Error, isNotFound, isPreconditionFailed } from './errors.js';
import { s3Url } from '../s3-url.js';

/** The tags `S3TagDisposal` puts by default: where the file was routed, and the SHA-256 of its copy. */
export function defaultRoutingTags({ decision, receipt }: DisposalContext): Record<string, string> {
  return { 'tdr-checks-routed': decision, 'tdr-checks-sha256': receipt.sha256 };
}

/** Options of an `S3TagDisposal`. */
export interface S3TagDisposalOptions {
  readonly client: S3Sender;
  /** Tags to add (others the object has are kept; S3 allows 10 in all). Default `defaultRoutingTags`. */
  readonly tags?: (context: DisposalContext) => Record<string, string>;
}

/**
 * Tags a routed source in its bucket (`tdr-checks-routed: clean`, …) once
 * its copy is confirmed, keeping the tags it had. The source must still
 * have the ETag that was checked (`HeadObject` with `If-Match`), else
 * `FILE_CHANGED` and no tag; `PutObjectTagging` itself has no condition, so
 * a write in the moment between the two is tagged too (documented race).
 *
 * @example
 * ```ts
 * const router = new Router({ clean, disposal: new S3TagDisposal({ client }) });
 * ```
 */
export class S3TagDisposal implements SourceDisposal {
  readonly kind = 'tag';
  readonly #client: S3Sender;
  readonly #tags: (context: DisposalContext) => Record<string, string>;

  constructor(options: S3TagDisposalOptions) {
    this.#client = options.client;
    this.#tags = options.tags ?? defaultRoutingTags;
  }

  async dispose(source: RouteSource, context: DisposalContext, signal?: AbortSignal): Promise<DisposalResult> {
    const object = s3SourceOf(source);
    await assertUnchanged(this.#client, object, source.path, signal);
    const where = { Bucket: object.bucket, Key: object.key, ...(object.versionId === undefined ? {} : { VersionId: object.versionId }) };
    try {
      const ours = this.#tags(context);
      const current = await this.#client.send(new GetObjectTaggingCommand(where), options(signal));
      const kept = (current.TagSet ?? []).filter((tag) => tag.Key === undefined || !(tag.Key in ours));
      const TagSet: Tag[] = [...kept, ...Object.entries(ours).map(([Key, Value]) => ({ Key, Value }))];
      await this.#client.send(new PutObjectTaggingCommand({ ...where, Tagging: { TagSet } }), options(signal));
      return 'tagged';
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new CheckError(RoutingErrorCode.SourceNotRemoved, `${source.path} was copied but could not be tagged (${describeS3Error(error)})`, { retryable: true, cause: error });
    }
  }
}

/**
 * Deletes a routed source from its bucket once its copy is confirmed (a
 * move). Only the version that was checked: `HeadObject` with `If-Match`
 * first (`FILE_CHANGED` and no delete otherwise), then `DeleteObject` with
 * `If-Match` (where the store honours a conditional delete; one that
 * ignores it leaves the moment between the two open). On a versioned
 * bucket this adds a delete marker; the checked version stays recoverable.
 */
export class S3DeleteDisposal implements SourceDisposal {
  readonly kind = 'delete';
  readonly #client: S3Sender;

  constructor(options: { readonly client: S3Sender }) {
    this.#client = options.client;
  }

  async dispose(source: RouteSource, _context: DisposalContext, signal?: AbortSignal): Promise<DisposalResult> {
    const object = s3SourceOf(source);
    await assertUnchanged(this.#client, object, source.path, signal);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: object.etag }), options(signal));
      return 'deleted';
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isPreconditionFailed(error)) throw changed(source.path, object, error);
      throw new CheckError(RoutingErrorCode.SourceNotRemoved, `${source.path} was copied but could not be deleted (${describeS3Error(error)})`, { retryable: true, cause: error });
    }
  }
}

function s3SourceOf(source: RouteSource): RouteSourceObject {
  if (source.s3 === undefined) throw new TypeError(`${source.path} is not an S3 object; only S3 sources are tagged or deleted by a disposal`);
  return source.s3;
}

/** The source still has the ETag that was checked and copied, else `FILE_CHANGED` (or `FILE_NOT_FOUND`). */
async function assertUnchanged(client: S3Sender, object: RouteSourceObject, name: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await client.send(
      new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: object.etag, ...(object.versionId === undefined ? {} : { VersionId: object.versionId }) }),
      options(signal),
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (isNotFound(error)) throw new CheckError(ErrorCode.FileNotFound, `${name} (${s3Url(object.bucket, object.key)}) is gone; it was copied, and is left as it is`, { cause: error });
    if (isPreconditionFailed(error)) throw changed(name, object, error);
    throw new CheckError(RoutingErrorCode.SourceNotRemoved, `${name} was copied but could not be looked at again (${describeS3Error(error)})`, { retryable: true, cause: error });
  }
}

function changed(name: string, object: RouteSourceObject, cause: unknown): CheckError {
  return new CheckError(ErrorCode.FileChanged, `${name} changed after it was copied (no longer ETag ${object.etag}), so it was left as it is (the copy holds the bytes that were checked)`, {
    retryable: true,
    cause,
  });
}

function options(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
