/**
 * Naming S3 locations: `s3://bucket/key` split, told apart from local paths, and
 * built. No SDK here: the main entry exports it, so a runner can tell whether to
 * load `@tdr/storage/s3` at all.
 */
/** A bucket and a key (or key prefix). */
export interface S3Location {
  readonly bucket: string;
  /** The key, or a prefix; may be empty (the whole bucket). Not URL-encoded. */
  readonly key: string;
}

/**
 * Splits `s3://bucket/some/prefix/` into its bucket and key. The key is
 * taken literally, as the AWS CLI does (`s3://b/a b.pdf` is the key `a b.pdf`;
 * nothing is URL-decoded).
 *
 * @example
 * ```ts
 * parseS3Url('s3://archive/transfer/2026/'); // { bucket: 'archive', key: 'transfer/2026/' }
 * parseS3Url('s3://archive');                 // { bucket: 'archive', key: '' }
 * ```
 * @throws TypeError when `url` is not `s3://bucket[/key]`.
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(url);
  if (!match) throw new TypeError(`not an S3 URL (s3://bucket/key): ${JSON.stringify(url)}`);
  return { bucket: match[1] as string, key: match[2] ?? '' };
}

/** Whether `text` is an `s3://` URL (as a runner tells a bucket from a local path). */
export function isS3Url(text: string): boolean {
  return text.startsWith('s3://');
}

/** `s3://bucket/key`, the key as it is (the form `FileRef.id` and receipts use). */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The `x-amz-copy-source` value for an object: `bucket/key`, the key
 * URL-encoded (every byte but `/` and the unreserved ones), as S3 requires
 * for keys with spaces, `+`, `%` or non-ASCII characters.
 */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const encoded = key.split('/').map(encodeURIComponent).join('/');
  return `${bucket}/${encoded}${versionId === undefined ? '' : `?versionId=${encodeURIComponent(versionId)}`}`;
}
