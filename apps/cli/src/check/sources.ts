import type { ExpectedFacts, SourceItem } from '@tdr/checks';
import { isS3Url, LocalFileSource, parseS3Url } from '@tdr/storage';
import { UsageError } from '../errors.js';

/** `@tdr/storage/s3`, loaded only when a run names something in S3 (the AWS SDK is large). */
export type S3Module = typeof import('@tdr/storage/s3');
export type S3Client = ReturnType<S3Module['createS3Client']>;
export type S3Ref = InstanceType<S3Module['S3FileRef']>;

/** The S3 library and one client for the run, made on first need. */
export class S3Access {
  #loaded: Promise<{ module: S3Module; client: S3Client }> | undefined;

  get(): Promise<{ module: S3Module; client: S3Client }> {
    this.#loaded ??= import('@tdr/storage/s3').then((module) => ({ module, client: module.createS3Client() }));
    return this.#loaded;
  }
}

/**
 * The files of a run: local paths through one `LocalFileSource` (in the
 * order given), then each `s3://` URL in the order given. `s3://bucket/`
 * and `s3://bucket/prefix/` are every object under the prefix, and so is
 * `s3://bucket/prefix` when there are any; otherwise `s3://bucket/key` is
 * that one object.
 */
export class RunSources {
  readonly localPaths: readonly string[];
  readonly s3Urls: readonly string[];
  /** The S3 objects listed and not yet routed, by id, when routing needs their ETags. */
  readonly s3Refs = new Map<string, S3Ref>();
  readonly #s3: S3Access;
  readonly #local: LocalFileSource | undefined;
  readonly #keepRefs: boolean;

  constructor(
    paths: readonly string[],
    s3: S3Access,
    options: { expected?: (absolutePath: string) => ExpectedFacts | undefined; exclude: readonly string[]; keepS3Refs: boolean },
  ) {
    this.localPaths = paths.filter((path) => !isS3Url(path));
    this.s3Urls = paths.filter(isS3Url);
    for (const url of this.s3Urls) {
      try {
        parseS3Url(url);
      } catch {
        throw new UsageError(`${url}: not an S3 location (s3://bucket/prefix or s3://bucket/key)`);
      }
    }
    if (options.expected && this.s3Urls.length > 0) throw new UsageError('--expected checks local folders; give s3:// locations in a run of their own');
    this.#s3 = s3;
    this.#keepRefs = options.keepS3Refs;
    this.#local =
      this.localPaths.length === 0
        ? undefined
        : new LocalFileSource(this.localPaths, { ...(options.expected ? { expected: options.expected } : {}), exclude: options.exclude });
  }

  async *listBatches(signal: AbortSignal): AsyncGenerator<readonly SourceItem[], void, undefined> {
    if (this.#local) yield* this.#local.listBatches(signal);
    if (this.s3Urls.length === 0) return;
    const { module, client } = await this.#s3.get();
    for (const url of this.s3Urls) {
      const { bucket, key } = parseS3Url(url);
      // `s3://bucket/name` is the objects under `name/` when there are any (a folder, as people
      // write it), else the object `name` itself; with a trailing `/` it is only ever a folder.
      let listed = 0;
      for await (const batch of this.#tracked(module, new module.S3FileSource({ client, bucket, prefix: key }).listBatches(signal))) {
        listed += batch.length;
        yield batch;
      }
      if (listed > 0 || key === '' || key.endsWith('/')) continue;
      yield* this.#tracked(module, module.S3FileSource.forObject({ client, bucket, key }).listBatches(signal));
    }
  }

  /** The batches, remembering their S3 objects when routing will need them. */
  async *#tracked(module: S3Module, batches: AsyncIterable<readonly SourceItem[]>): AsyncGenerator<readonly SourceItem[], void, undefined> {
    for await (const batch of batches) {
      if (this.#keepRefs) {
        for (const item of batch) if ('file' in item && item.file instanceof module.S3FileRef) this.s3Refs.set(item.file.id, item.file);
      }
      yield batch;
    }
  }
}
