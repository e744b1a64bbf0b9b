import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Environment variable naming the S3 endpoint (the SDK's own name): `http://127.0.0.1:4566` for an emulator. */
export const ENDPOINT_ENV = 'AWS_ENDPOINT_URL';
/** Environment variable for the S3-only endpoint, preferred over `AWS_ENDPOINT_URL` (the SDK's own name). */
export const S3_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_S3';
/** Environment variable for the region (the SDK's own name). */
export const REGION_ENV = 'AWS_REGION';
/**
 * Environment variable asking for path-style addressing
 * (`http://host/bucket/key` instead of `http://bucket.host/key`): `true` or
 * `1`. Emulators and most S3-compatible stores need it.
 */
export const FORCE_PATH_STYLE_ENV = 'TDR_S3_FORCE_PATH_STYLE';

/** Settings of `createS3Client`; each falls back to its environment variable, then to the SDK's default. */
export interface S3Settings {
  /** e.g. `http://127.0.0.1:4566`. Default: `$AWS_ENDPOINT_URL_S3`, `$AWS_ENDPOINT_URL`, else AWS. */
  readonly endpoint?: string;
  /** Default: `$AWS_REGION`, else the SDK's chain (`~/.aws/config`); with an endpoint set and no region anywhere, `us-east-1`. */
  readonly region?: string;
  /**
   * Path-style addressing. Default: `$TDR_S3_FORCE_PATH_STYLE`, else `true`
   * when an endpoint is set (emulators rarely resolve `bucket.host`), else
   * `false` (virtual-hosted style, as AWS wants).
   */
  readonly forcePathStyle?: boolean;
  /** Anything else for the SDK (credentials, retries, a request handler). */
  readonly clientConfig?: S3ClientConfig;
}

/**
 * An `S3Client` set up from `settings` and the environment, so the same code
 * runs against AWS and against an emulator.
 *
 * @example
 * ```ts
 * // AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=eu-west-2 in the environment:
 * const client = createS3Client();
 * // or explicitly:
 * const local = createS3Client({ endpoint: 'http://127.0.0.1:4566', region: 'eu-west-2', forcePathStyle: true });
 * ```
 */
export function createS3Client(settings: S3Settings = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client(s3ClientConfig(settings, env));
}

/** The `S3ClientConfig` `createS3Client` uses (exported for tests and for callers that build their own client). */
export function s3ClientConfig(settings: S3Settings = {}, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = settings.endpoint ?? nonEmpty(env[S3_ENDPOINT_ENV]) ?? nonEmpty(env[ENDPOINT_ENV]);
  const region = settings.region ?? nonEmpty(env[REGION_ENV]) ?? nonEmpty(env['AWS_DEFAULT_REGION']);
  // An emulator ignores the region but the SDK refuses to sign without one.
  const fallbackRegion = region === undefined && endpoint !== undefined && settings.clientConfig?.region === undefined ? 'us-east-1' : undefined;
  const pathStyleEnv = nonEmpty(env[FORCE_PATH_STYLE_ENV]);
  const forcePathStyle =
    settings.forcePathStyle ?? (pathStyleEnv === undefined ? endpoint !== undefined : pathStyleEnv === '1' || pathStyleEnv.toLowerCase() === 'true');
  return {
    ...settings.clientConfig,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(fallbackRegion === undefined ? {} : { region: fallbackRegion }),
    forcePathStyle,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The one method of `S3Client` this library calls: a real client fits, and
 * so does a test's fake or a wrapper that counts requests.
 */
export interface S3Sender {
  send: S3Client['send'];
}
