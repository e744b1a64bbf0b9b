import { describe, expect, it } from 'vitest';
import { s3ClientConfig } from './client.js';
import { copySource, parseS3Url } from '../s3-url.js';

describe('s3ClientConfig', () => {
  it('takes the endpoint and region from the environment, path style with an endpoint', () => {
    expect(s3ClientConfig({}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_REGION: 'eu-west-2' })).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-2',
      forcePathStyle: true,
    });
    expect(s3ClientConfig({}, { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' }).endpoint).toBe('http://s3');
  });

  it('lets options win, and the path-style variable decide when set', () => {
    const env = { AWS_ENDPOINT_URL: 'http://e', AWS_REGION: 'eu-west-1', TDR_S3_FORCE_PATH_STYLE: 'false' };
    expect(s3ClientConfig({}, env).forcePathStyle).toBe(false);
    expect(s3ClientConfig({ endpoint: 'http://o', region: 'us-west-2', forcePathStyle: true }, env)).toEqual({
      endpoint: 'http://o',
      region: 'us-west-2',
      forcePathStyle: true,
    });
    expect(s3ClientConfig({}, { TDR_S3_FORCE_PATH_STYLE: '1' }).forcePathStyle).toBe(true);
  });

  it('leaves AWS alone: virtual-hosted style, the SDK finds the region; an emulator without a region gets us-east-1', () => {
    expect(s3ClientConfig({}, {})).toEqual({ forcePathStyle: false });
    expect(s3ClientConfig({ endpoint: 'http://e' }, {})).toEqual({ endpoint: 'http://e', region: 'us-east-1', forcePathStyle: true });
  });
});

describe('S3 URLs', () => {
  it('parses s3://bucket/key literally', () => {
    expect(parseS3Url('s3://b/a b/c+d.pdf')).toEqual({ bucket: 'b', key: 'a b/c+d.pdf' });
    expect(parseS3Url('s3://b')).toEqual({ bucket: 'b', key: '' });
    expect(() => parseS3Url('/local/path')).toThrow(TypeError);
  });

  it('encodes copy sources', () => {
    expect(copySource('b', 'a b/c+d%é.pdf')).toBe('b/a%20b/c%2Bd%25%C3%A9.pdf');
    expect(copySource('b', 'k', 'v1')).toBe('b/k?versionId=v1');
  });
});
