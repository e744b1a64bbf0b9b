import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { CheckError, ErrorCode, LOCAL_OPEN_FLAGS, checkErrorFromFsError, checkOpened } from '@tdr/checks';
import { createHash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Destination, ExpectedContent, PutReceipt } from '../routing/destination.js';
import { RoutingErrorCode } from '../routing/errors.js';
import { digestOfPath } from '../routing/file-digest.js';
import { routingSegments } from '../routing/relative-path.js';
import type { RouteSource, RouteSourceObject } from '../routing/route-source.js';
import type { S3Sender } from './client.js';
import { describeS3Error, isNotFound, isPreconditionFailed, s3ErrorCode } from './errors.js';
import { copySource, s3Url } from '../s3-url.js';

/** 5 GiB: the largest object `CopyObject` (and `PutObject`) can write; above it, a multipart upload. */
export const MAX_SINGLE_COPY = 5 * 1024 ** 3;
/** Default part size of a multipart upload: 512 MiB (a 5 TiB object is still under S3's 10,000 parts). */
export const DEFAULT_PART_SIZE = 512 * 1024 ** 2;
const MAX_PARTS = 10_000;

/** One part of a multipart upload, as `UploadPart`/`UploadPartCopy` name it, with its byte range (inclusive). */
interface PartToWrite {
  readonly Bucket: string;
  readonly Key: string;
  readonly UploadId: string;
  readonly PartNumber: number;
  readonly start: number;
  readonly end: number;
}

/** Options of an `S3Destination`. */
export interface S3DestinationOptions {
  readonly client: S3Sender;
  readonly bucket: string;
  /** Key prefix the copies go under (`clean/`); a `/` is added when missing. Default: the bucket's top. */
  readonly prefix?: string;
  /** Sources larger than this are written part by part (`UploadPartCopy`, or `UploadPart` for a local file). Default and most: 5 GiB. */
  readonly multipartThreshold?: number;
  /** Part size of a multipart upload (S3 wants 5 MiB–5 GiB). Default 512 MiB, raised when 10,000 parts would not do. */
  readonly partSize?: number;
  /** Parts written at once. Default 4. */
  readonly partConcurrency?: number;
  /**
   * The `s3://bucket/prefix` locations being checked: a destination that is
   * one of them or inside one is refused at `open` (`DESTINATION_INSIDE_SOURCE`),
   * as its copies would be listed and checked by the next run.
   */
  readonly checkedLocations?: readonly string[];
}

/**
 * A bucket (and prefix) as a routing `Destination`. An object in S3
 * (`source.s3`) is copied server-side: `CopyObject` requiring the ETag
 * that was checked (`x-amz-copy-source-if-match`) and no object under the
 * name (`If-None-Match: *`), or above `multipartThreshold` a multipart
 * upload of `UploadPartCopy` parts, each requiring that ETag, completed
 * with `If-None-Match: *`. A local file (`source.localPath`) is uploaded
 * with one `PutObject`, its SHA-256 sent for S3 to check, or above
 * `multipartThreshold` in `UploadPart`s of one opened file, completed with
 * `If-None-Match: *`.
 *
 * Confirmed before `put` resolves: `HeadObject` must show the size, and
 * the object's SHA-256 — S3's full-object checksum when it has one
 * (a single-part write with `ChecksumAlgorithm: SHA256`), otherwise the
 * copy read back and hashed — must equal `source.sha256` when given. A
 * copy that does not match is deleted and the put fails
 * (`ROUTING_CHECKSUM_MISMATCH`). Never overwrites: the name is checked with
 * `HeadObject` first (an identical object makes the put `already-there`, a
 * different one is `DESTINATION_EXISTS`), and the write itself is
 * conditional, so a writer racing in between loses on S3 (a store that
 * ignores the condition, as some emulators do, leaves that race open).
 * See docs/decisions/0015-s3-reads-and-routing.md.
 *
 * @example
 * ```ts
 * const clean = new S3Destination({ client, bucket: 'archive-clean', prefix: 'consignment-42/' });
 * const router = new Router({ clean, quarantine, disposal: new S3TagDisposal({ client }) });
 * await router.open();
 * ```
 */
export class S3Destination implements Destination {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Sender;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #partConcurrency: number;
  readonly #checked: readonly string[];
  #opened: Promise<void> | undefined;

  constructor(options: S3DestinationOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    const prefix = options.prefix ?? '';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.location = s3Url(this.bucket, this.prefix);
    this.#threshold = Math.min(options.multipartThreshold ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY);
    this.#partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.#partConcurrency = Math.max(1, options.partConcurrency ?? 4);
    this.#checked = options.checkedLocations ?? [];
    if (!(this.#threshold >= 0) || !(this.#partSize >= 1)) throw new RangeError('multipartThreshold and partSize must be positive');
  }

  /**
   * Checks the bucket exists and may be reached (`HeadBucket`), so a run
   * fails before any check rather than at the first copy.
   *
   * @throws CheckError `DESTINATION_NOT_WRITABLE`, `DESTINATION_INSIDE_SOURCE`.
   */
  open(signal?: AbortSignal): Promise<void> {
    this.#opened ??= (async () => {
      const inside = this.#checked.find((checked) => isInsideLocation(this.location, checked));
      if (inside !== undefined) {
        this.#opened = undefined;
        throw new CheckError(
          RoutingErrorCode.DestinationInsideSource,
          `the destination ${this.location} is inside ${inside}, which is being checked: its copies would be checked again by the next run`,
        );
      }
      try {
        await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), options(signal));
      } catch (error) {
        this.#opened = undefined;
        if (signal?.aborted) throw signal.reason;
        throw new CheckError(RoutingErrorCode.DestinationNotWritable, `the destination ${this.location} cannot be used (${describeS3Error(error)})`, {
          retryable: retryable(error),
          cause: error,
        });
      }
    })();
    return this.#opened;
  }

  async put(source: RouteSource, relativePath: string, signal?: AbortSignal): Promise<PutReceipt> {
    routingSegments(relativePath);
    await this.open(signal);
    const key = this.prefix + relativePath;
    const shown = s3Url(this.bucket, key);
    if (source.s3 !== undefined && source.s3.bucket === this.bucket && source.s3.key === key) {
      // It would be found "already there", and a delete disposal would then remove the only copy.
      throw new CheckError(RoutingErrorCode.DestinationInsideSource, `${shown} is ${source.path} itself: the destination overlaps the place being checked`);
    }
    const existing = await this.#head(key, signal);
    if (existing) return this.#alreadyThere(existing, source, key, shown, signal);
    let written: string | undefined;
    try {
      if (source.s3) {
        written = source.size > this.#threshold ? await this.#multipartCopy(source.s3, source, key, signal) : await this.#copy(source.s3, key, signal);
      } else if (source.localPath !== undefined) {
        written = await this.#upload(source, source.localPath, key, signal);
      } else {
        throw new CheckError(RoutingErrorCode.CopyFailed, `cannot copy ${source.path} to ${shown}: it has neither an S3 location nor a local path`);
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isPreconditionFailed(error)) {
        // Either the name was taken meanwhile (If-None-Match) or the source changed (copy-source-if-match).
        const now = await this.#head(key, signal);
        if (now) return this.#alreadyThere(now, source, key, shown, signal);
        throw new CheckError(ErrorCode.FileChanged, `${source.path} changed after it was checked (no longer ETag ${source.s3?.etag}); it was not copied to ${shown}`, {
          retryable: true,
          cause: error,
        });
      }
      throw writeError(error, source, shown);
    }
    return this.#confirmCopy(source, key, shown, written, signal);
  }

  async confirm(relativePath: string, expected: ExpectedContent, signal?: AbortSignal): Promise<boolean> {
    routingSegments(relativePath);
    const key = this.prefix + relativePath;
    const head = await this.#head(key, signal);
    if (!head || head.ContentLength !== expected.size) return false;
    return (await this.#sha256Of(key, head, signal)) === expected.sha256.toLowerCase();
  }

  /** After the write: the object under `key` is the one written, of the right size and SHA-256; else it is removed. */
  async #confirmCopy(source: RouteSource, key: string, shown: string, written: string | undefined, signal: AbortSignal | undefined): Promise<PutReceipt> {
    const head = await this.#head(key, signal);
    if (!head) throw new CheckError(RoutingErrorCode.CopyFailed, `the copy of ${source.path} to ${shown} is not there after it was written`, { retryable: true });
    if (written !== undefined && head.ETag !== undefined && head.ETag !== written) {
      throw new CheckError(RoutingErrorCode.DestinationExists, `${shown} was replaced by another writer right after ${source.path} was copied there; it was left alone`);
    }
    const sha256 = await this.#sha256Of(key, head, signal);
    const size = head.ContentLength ?? -1;
    const wrong =
      size !== source.size
        ? `holds ${size} bytes where ${source.path} had ${source.size}`
        : source.sha256 !== undefined && sha256 !== source.sha256.toLowerCase()
          ? `has SHA-256 ${sha256} where the checked file had ${source.sha256}`
          : undefined;
    if (wrong) {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(head.ETag ? { IfMatch: head.ETag } : {}) })).catch(() => undefined);
      throw new CheckError(RoutingErrorCode.ChecksumMismatch, `the copy of ${source.path} at ${shown} ${wrong}: the source changed after it was checked; the copy was removed`, {
        retryable: true,
      });
    }
    return { status: 'copied', location: shown, size, sha256 };
  }

  /** An object already under the name: the same bytes make the put a no-op, anything else is `DESTINATION_EXISTS`. */
  async #alreadyThere(existing: HeadObjectCommandOutput, source: RouteSource, key: string, shown: string, signal: AbortSignal | undefined): Promise<PutReceipt> {
    const different = (): CheckError =>
      new CheckError(RoutingErrorCode.DestinationExists, `${shown} already holds a different object; it is never overwritten (routing ${source.path})`);
    if (existing.ContentLength !== source.size) throw different();
    let wanted = source.sha256?.toLowerCase();
    if (wanted === undefined && source.s3 === undefined && source.localPath !== undefined) wanted = (await localDigest(source.localPath, source.path, signal)).sha256;
    if (wanted === undefined) {
      // An S3 source without a recorded checksum: the same ETag is the same bytes (S3's ETag of a copy is the source's, unless encryption with KMS changes it).
      if (existing.ETag !== undefined && existing.ETag === source.s3?.etag) {
        return { status: 'already-there', location: shown, size: source.size, sha256: await this.#sha256Of(key, existing, signal) };
      }
      throw different();
    }
    const sha256 = await this.#sha256Of(key, existing, signal);
    if (sha256 !== wanted) throw different();
    return { status: 'already-there', location: shown, size: source.size, sha256 };
  }

  async #copy(object: RouteSourceObject, key: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const result = await this.#client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: key,
        CopySource: copySource(object.bucket, object.key, object.versionId),
        CopySourceIfMatch: object.etag,
        IfNoneMatch: '*',
        ChecksumAlgorithm: 'SHA256',
        MetadataDirective: 'COPY',
      }),
      options(signal),
    );
    return result.CopyObjectResult?.ETag;
  }

  /** Above the threshold: `UploadPartCopy` part by part (each requiring the checked ETag), completed only if the name is still free. */
  #multipartCopy(object: RouteSourceObject, source: RouteSource, key: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    return this.#multipart(key, source.size, signal, async ({ start, end, ...part }) => {
      const result = await this.#client.send(
        new UploadPartCopyCommand({
          ...part,
          CopySource: copySource(object.bucket, object.key, object.versionId),
          CopySourceIfMatch: object.etag,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
        options(signal),
      );
      return result.CopyPartResult?.ETag;
    });
  }

  /**
   * A multipart upload of `size` bytes under `key`: `writePart` writes each
   * part (a few at once) and gives its ETag; completed only if the name is
   * still free, aborted (its parts removed) on any failure.
   */
  async #multipart(key: string, size: number, signal: AbortSignal | undefined, writePart: (part: PartToWrite) => Promise<string | undefined>): Promise<string | undefined> {
    const partSize = Math.max(this.#partSize, Math.ceil(size / MAX_PARTS));
    const count = Math.max(1, Math.ceil(size / partSize));
    const created = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }), options(signal));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new CheckError(RoutingErrorCode.CopyFailed, 'CreateMultipartUpload gave no upload id', { retryable: true });
    try {
      const parts: CompletedPart[] = new Array(count);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          const index = next++;
          const start = index * partSize;
          const end = Math.min(size, start + partSize) - 1;
          const etag = await writePart({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, start, end });
          parts[index] = { PartNumber: index + 1, ETag: etag };
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#partConcurrency, count) }, worker));
      const done = await this.#client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: '*' }),
        options(signal),
      );
      return done.ETag;
    } catch (error) {
      // Nothing is left under the name; the parts are removed (a lifecycle rule catches what a crash leaves).
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A local file, read through one handle judged against the listing: one
   * `PutObject`, its SHA-256 sent for S3 to verify when known; above the
   * threshold, a multipart upload of ranges of it (S3 then has no
   * whole-object SHA-256 to check, and the copy is read back instead).
   */
  async #upload(source: RouteSource, localPath: string, key: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(localPath, LOCAL_OPEN_FLAGS);
    } catch (error) {
      throw checkErrorFromFsError(error, source.path);
    }
    const bodies: ReadStream[] = [];
    /** The bytes `start`–`end` (inclusive) of the file; the handle stays open for the other parts. */
    const range = (start: number, end: number): ReadStream => {
      const body = handle.createReadStream({ start, end, autoClose: false });
      bodies.push(body);
      return body;
    };
    try {
      try {
        checkOpened(await handle.stat({ bigint: true }), source, source.path);
      } catch (error) {
        throw checkErrorFromFsError(error, source.path);
      }
      if (source.size > this.#threshold) {
        return await this.#multipart(key, source.size, signal, async ({ start, end, ...part }) => {
          const result = await this.#client.send(new UploadPartCommand({ ...part, Body: range(start, end), ContentLength: end - start + 1 }), options(signal));
          return result.ETag;
        });
      }
      const result = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: source.size === 0 ? new Uint8Array(0) : range(0, source.size - 1),
          ContentLength: source.size,
          IfNoneMatch: '*',
          ...(source.sha256 === undefined ? { ChecksumAlgorithm: 'SHA256' } : { ChecksumSHA256: Buffer.from(source.sha256, 'hex').toString('base64') }),
        }),
        options(signal),
      );
      return result.ETag;
    } finally {
      for (const body of bodies) body.destroy();
      await handle.close().catch(() => undefined);
    }
  }

  async #head(key: string, signal: AbortSignal | undefined): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }), options(signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isNotFound(error)) return undefined;
      throw writeError(error, undefined, s3Url(this.bucket, key));
    }
  }

  /** S3's full-object SHA-256 when it has one; otherwise the object read back (requiring its ETag) and hashed. */
  async #sha256Of(key: string, head: HeadObjectCommandOutput, signal: AbortSignal | undefined): Promise<string> {
    const checksum = head.ChecksumSHA256;
    if (checksum !== undefined && !checksum.includes('-') && head.ChecksumType !== 'COMPOSITE') return Buffer.from(checksum, 'base64').toString('hex');
    const shown = s3Url(this.bucket, key);
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(head.ETag ? { IfMatch: head.ETag } : {}) }), options(signal));
      const hash = createHash('sha256');
      for await (const chunk of (response.Body as AsyncIterable<Uint8Array> | undefined) ?? []) hash.update(chunk);
      return hash.digest('hex');
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new CheckError(RoutingErrorCode.CopyFailed, `cannot read ${shown} back to verify it (${describeS3Error(error)})`, { retryable: true, cause: error });
    }
  }
}

/** Whether `s3://b/p/q/` is `s3://b/p` or inside it (key prefixes taken as folders). */
function isInsideLocation(location: string, checked: string): boolean {
  const folder = checked.endsWith('/') ? checked : `${checked}/`;
  return location === checked || location.startsWith(folder);
}

/** SHA-256 of a local file (only when none was recorded and an object already stands under the name). */
async function localDigest(localPath: string, name: string, signal: AbortSignal | undefined): Promise<{ size: number; sha256: string }> {
  try {
    return await digestOfPath(localPath, signal);
  } catch (error) {
    throw checkErrorFromFsError(error, name);
  }
}

function options(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

function retryable(error: unknown): boolean {
  const { code, status } = s3ErrorCode(error);
  return status === undefined || status >= 500 || status === 429 || status === 409 || code === 'SlowDown';
}

/** An error from writing (or heading) the copy, as a routing `CheckError`. */
function writeError(error: unknown, source: RouteSource | undefined, shown: string): CheckError {
  if (error instanceof CheckError) return error;
  const { code, status } = s3ErrorCode(error);
  const detail = describeS3Error(error);
  if (source && isNotFound(error)) {
    return new CheckError(ErrorCode.FileNotFound, `${source.path} no longer exists (it was checked, then deleted); nothing was copied to ${shown} (${detail})`, { cause: error });
  }
  if (code === 'AccessDenied' || code === 'NoSuchBucket' || status === 403) {
    return new CheckError(RoutingErrorCode.DestinationNotWritable, `${shown} cannot be written (${detail})`, { cause: error });
  }
  return new CheckError(RoutingErrorCode.CopyFailed, `copying ${source?.path ?? 'to'} ${shown} failed (${detail}); nothing was left under the name`, {
    retryable: retryable(error),
    cause: error,
  });
}
