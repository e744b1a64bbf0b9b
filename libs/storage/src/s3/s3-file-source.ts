import { HeadObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, type _Object } from '@aws-sdk/client-s3';
import { CheckError, ErrorCode, toCheckErrorInfo, type ExpectedFacts, type SourceItem } from '@tdr/checks';
import type { FileSource } from '../file-source.js';
import type { S3Sender } from './client.js';
import { describeS3Error, readError, s3ErrorCode } from './errors.js';
import { S3FileRef, type S3ReadOptions } from './s3-file-ref.js';
import { s3Url } from '../s3-url.js';

/** Options of an `S3FileSource` over a prefix. */
export interface S3FileSourceOptions {
  readonly client: S3Sender;
  readonly bucket: string;
  /**
   * The "folder" to list: every key under it, at any depth. A prefix not
   * ending in `/` gets one (`transfer` lists `transfer/…`, not
   * `transfer-old/…`). Empty: the whole bucket.
   */
  readonly prefix?: string;
  /** Keys per ListObjectsV2 page (and per batch), at most 1,000 (S3's most). */
  readonly pageSize?: number;
  /** The facts the uploader declared for an object (expected checksums), by key. */
  readonly expected?: (key: string) => ExpectedFacts | undefined;
  readonly readOptions?: S3ReadOptions;
}

/** One object, as an S3 event notification record names it (the fields used here). */
export interface S3EventRecordLike {
  readonly eventName?: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: {
      /** URL-encoded, spaces as `+` (`a+b%2Bc.pdf` is `a b+c.pdf`). */
      readonly key: string;
      readonly size?: number;
      /** Unquoted (`9e10…`), unlike the ETag header. */
      readonly eTag?: string;
      readonly versionId?: string;
    };
  };
}

/** Options of `S3FileSource.fromEventRecord`. */
export interface S3EventSourceOptions {
  readonly client: S3Sender;
  readonly expected?: (key: string) => ExpectedFacts | undefined;
  readonly readOptions?: S3ReadOptions;
}

/**
 * The objects under a bucket prefix (or the one object an S3 event names) as
 * a `FileSource`. Listing is lazy, one ListObjectsV2 page at a time
 * (continuation tokens), one batch per page.
 *
 * **Order**: S3's own for general purpose buckets, ascending UTF-8 bytes of
 * the keys (which is Unicode code point order, as the local listing's); the
 * source does not reorder. (Directory buckets list in no particular order;
 * so do some emulators: fauxqs sorts with `localeCompare`.)
 *
 * Each file's `id` is `s3://bucket/key`, its `path` the key relative to the
 * prefix; size, last-modified time and ETag are kept, so a later read of an
 * object that changed is `FILE_CHANGED` and of one that vanished
 * `FILE_NOT_FOUND`. Keys ending in `/` with no bytes (the console's "folder"
 * markers) are skipped. A listing that fails (no such bucket, access
 * denied) yields one `{ problem }` for the prefix and ends.
 *
 * @example
 * ```ts
 * const source = new S3FileSource({ client: createS3Client(), bucket: 'transfers', prefix: 'consignment-42/' });
 * for await (const report of engine.runBatches(source.listBatches(signal))) console.log(report);
 * ```
 */
export class S3FileSource implements FileSource {
  readonly bucket: string;
  /** As listed: empty, or ending in `/`. */
  readonly prefix: string;
  readonly #client: S3Sender;
  readonly #pageSize: number;
  readonly #expected: S3FileSourceOptions['expected'];
  readonly #readOptions: S3ReadOptions | undefined;
  #single: SingleObject | undefined;

  constructor(options: S3FileSourceOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    const prefix = options.prefix ?? '';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`pageSize must be 1–1000, got ${pageSize}`);
    this.#pageSize = pageSize;
    this.#expected = options.expected;
    this.#readOptions = options.readOptions;
  }

  /**
   * A source of the one object an S3 event record names (an
   * `ObjectCreated:*` notification, as Lambda or SQS delivers it). The key
   * is URL-decoded (`+` is a space); the file's `path` is the whole key. The
   * record's size and ETag are used when present (so an object overwritten
   * since the event is `FILE_CHANGED`), else one HeadObject finds them.
   *
   * @example
   * ```ts
   * for (const record of event.Records) {
   *   const source = S3FileSource.fromEventRecord(record, { client });
   *   for await (const report of engine.run(source.list())) await sink.write(report);
   * }
   * ```
   */
  static fromEventRecord(record: S3EventRecordLike, options: S3EventSourceOptions): S3FileSource {
    if (typeof record?.s3?.bucket?.name !== 'string' || typeof record.s3.object?.key !== 'string') {
      throw new TypeError('not an S3 event record: it needs s3.bucket.name and s3.object.key');
    }
    const source = new S3FileSource({ ...options, bucket: record.s3.bucket.name });
    const { key, size, eTag, versionId } = record.s3.object;
    source.#single = {
      key,
      encoded: true,
      ...(typeof size === 'number' && typeof eTag === 'string' && eTag !== '' ? { size, etag: quoteEtag(eTag) } : {}),
      ...(versionId === undefined ? {} : { versionId }),
    };
    return source;
  }

  /**
   * A source of one object named by its key (as typed: not URL-decoded),
   * e.g. for `s3://bucket/a.pdf` given on a command line; one HeadObject
   * finds its size and ETag. Its `path` is the whole key.
   *
   * @example
   * ```ts
   * const source = S3FileSource.forObject({ client, bucket: 'transfers', key: 'c42/a b.pdf' });
   * ```
   */
  static forObject(options: S3EventSourceOptions & { readonly bucket: string; readonly key: string; readonly versionId?: string }): S3FileSource {
    const source = new S3FileSource(options);
    source.#single = { key: options.key, encoded: false, ...(options.versionId === undefined ? {} : { versionId: options.versionId }) };
    return source;
  }

  /** Every object, one at a time (see the class for the order). */
  async *list(signal?: AbortSignal): AsyncGenerator<SourceItem, void, undefined> {
    for await (const batch of this.listBatches(signal)) yield* batch;
  }

  /** The same items, one batch per ListObjectsV2 page. */
  async *listBatches(signal?: AbortSignal): AsyncGenerator<readonly SourceItem[], void, undefined> {
    signal?.throwIfAborted();
    if (this.#single) {
      yield [await this.#singleItem(this.#single, signal)];
      return;
    }
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix,
            MaxKeys: this.#pageSize,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const listing = s3Url(this.bucket, this.prefix);
        yield [{ problem: { id: listing, path: this.prefix, error: toCheckErrorInfo(listingError(error, listing)) } }];
        return;
      }
      const items: SourceItem[] = [];
      for (const object of page.Contents ?? []) {
        const item = this.#listedItem(object);
        if (item) items.push(item);
      }
      if (items.length > 0) yield items;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  #listedItem(object: _Object): SourceItem | undefined {
    const key = object.Key;
    if (key === undefined) return undefined;
    const size = object.Size ?? 0;
    if (key.endsWith('/') && size === 0) return undefined; // a "folder"
    const path = key.slice(this.prefix.length);
    if (object.ETag === undefined) {
      return { problem: { id: s3Url(this.bucket, key), path, error: { code: ErrorCode.ReadError, message: `the listing gave no ETag for ${s3Url(this.bucket, key)}`, retryable: true } } };
    }
    return { file: this.#ref(key, path, size, object.ETag, object.LastModified?.toISOString(), undefined) };
  }

  async #singleItem(single: SingleObject, signal: AbortSignal | undefined): Promise<SourceItem> {
    let key: string;
    try {
      key = single.encoded ? decodeEventKey(single.key) : single.key;
    } catch (error) {
      return { problem: { id: s3Url(this.bucket, single.key), path: single.key, error: toCheckErrorInfo(error) } };
    }
    const { size, etag, versionId } = single;
    if (size !== undefined && etag !== undefined) return { file: this.#ref(key, key, size, etag, undefined, versionId) };
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId === undefined ? {} : { VersionId: versionId }) }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return { file: this.#ref(key, key, head.ContentLength ?? 0, head.ETag ?? '', head.LastModified?.toISOString(), versionId) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { problem: { id: s3Url(this.bucket, key), path: key, error: toCheckErrorInfo(readError(error, s3Url(this.bucket, key), undefined)) } };
    }
  }

  #ref(key: string, path: string, size: number, etag: string, lastModified: string | undefined, versionId: string | undefined): S3FileRef {
    const expected = this.#expected?.(key);
    return new S3FileRef({
      client: this.#client,
      bucket: this.bucket,
      key,
      path,
      size,
      etag,
      ...(versionId === undefined ? {} : { versionId }),
      ...(lastModified === undefined ? {} : { lastModified }),
      ...(expected === undefined ? {} : { expected }),
      ...(this.#readOptions === undefined ? {} : { readOptions: this.#readOptions }),
    });
  }
}

/**
 * The key of an S3 event record as stored: event keys are URL-encoded the
 * way HTML forms are, so `+` is a space and `%2B` a plus.
 *
 * @example
 * ```ts
 * decodeEventKey('my+file%2B1+%C3%A9.pdf'); // 'my file+1 é.pdf'
 * ```
 * @throws CheckError `INVALID_FILE_NAME` for a malformed escape (`%E9` alone is not UTF-8).
 */
export function decodeEventKey(key: string): string {
  try {
    return decodeURIComponent(key.replaceAll('+', ' '));
  } catch (error) {
    throw new CheckError(ErrorCode.InvalidFileName, `the S3 event's key ${JSON.stringify(key)} is not a valid URL-encoded UTF-8 name`, { cause: error });
  }
}

/** The one object of `fromEventRecord` or `forObject`. */
interface SingleObject {
  readonly key: string;
  /** Whether `key` is URL-encoded as in an event record. */
  readonly encoded: boolean;
  readonly size?: number;
  readonly etag?: string;
  readonly versionId?: string;
}

/** Event records give the ETag bare; headers and listings quote it. */
function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}

/** Why a listing failed, as a problem for the prefix. */
function listingError(error: unknown, listing: string): CheckError {
  const { code, status } = s3ErrorCode(error);
  const detail = describeS3Error(error);
  if (code === 'NoSuchBucket' || status === 404) return new CheckError(ErrorCode.FileNotFound, `cannot list ${listing}: the bucket does not exist (${detail})`, { cause: error });
  if (code === 'AccessDenied' || status === 403) return new CheckError(ErrorCode.PermissionDenied, `no permission to list ${listing} (${detail})`, { cause: error });
  const retryable = status === undefined || status >= 500 || status === 429 || code === 'SlowDown';
  return new CheckError(ErrorCode.ReadError, `cannot list ${listing} (${detail})`, { retryable, cause: error });
}
