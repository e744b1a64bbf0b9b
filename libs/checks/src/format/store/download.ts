import { SignatureDownloadError, type SignatureSource } from './errors.js';

export interface FetchLimits {
  /** Time for the whole request, from connecting to the last byte. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes (after content decoding). */
  readonly maxBytes: number;
  /** Cancels the request. */
  readonly signal?: AbortSignal;
  readonly userAgent: string;
  readonly accept: string;
}

export interface Fetched {
  readonly bytes: Buffer;
  /** The address the body came from, after redirects. */
  readonly finalUrl: string;
  /** The `Last-Modified` header, parsed, when there is a valid one. */
  readonly lastModified?: Date;
}

class Timeout extends Error {}

/** Parses an http(s) address, or throws `BAD_URL`. */
export function parseHttpUrl(url: string, source: SignatureSource, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SignatureDownloadError('BAD_URL', source, url, `${what}: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SignatureDownloadError('BAD_URL', source, url, `${what}: ${url} is not an http or https URL`);
  }
  return parsed;
}

/** The most telling part of a fetch error: `ECONNREFUSED`, `other side closed` … */
function networkDetail(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    const text = typeof code === 'string' && !current.message.includes(code) ? `${code} ${current.message}` : current.message;
    if (text && text !== 'fetch failed' && !parts.includes(text)) parts.push(text);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

/**
 * GETs `url` with a time limit and a size limit, and returns the whole body.
 * Every failure is a `SignatureDownloadError` that names the address: HTTP
 * status, network, timeout, too large, cut short.
 */
export async function fetchBounded(url: string, source: SignatureSource, limits: FetchLimits): Promise<Fetched> {
  parseHttpUrl(url, source, 'download address');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Timeout()), limits.timeoutMs);
  const onAbort = () => controller.abort(limits.signal?.reason);
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  const seconds = `${Math.round(limits.timeoutMs / 100) / 10} s`;
  let received = 0;
  let expected: number | undefined;
  let stage = 'connecting to';

  try {
    if (limits.signal?.aborted) throw limits.signal.reason;
    const response = await fetch(url, {
      signal: controller.signal,
      redirect: 'follow',
      headers: { 'user-agent': limits.userAgent, accept: limits.accept },
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new SignatureDownloadError('HTTP_STATUS', source, url, `${url} answered HTTP ${status}`, {
        status: response.status,
        retryable: response.status >= 500 || response.status === 429 || response.status === 408,
      });
    }
    const length = response.headers.get('content-length');
    const encoded = (response.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    if (length !== null && /^\d+$/.test(length) && !encoded) expected = Number(length);
    if (expected !== undefined && expected > limits.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(url, source, limits.maxBytes, `it announces ${expected.toLocaleString('en-GB')} bytes`);
    }

    stage = 'reading the answer from';
    const chunks: Uint8Array[] = [];
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > limits.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(url, source, limits.maxBytes, `more than that arrived`);
        }
        chunks.push(value);
      }
    }
    if (expected !== undefined && received !== expected) {
      throw new SignatureDownloadError('TRUNCATED', source, url, `${url} sent ${received.toLocaleString('en-GB')} of the ${expected.toLocaleString('en-GB')} bytes it announced`);
    }
    const modified = response.headers.get('last-modified');
    const lastModified = modified === null ? undefined : new Date(modified);
    return {
      bytes: Buffer.concat(chunks, received),
      finalUrl: response.url || url,
      ...(lastModified && !Number.isNaN(lastModified.getTime()) ? { lastModified } : {}),
    };
  } catch (error) {
    if (error instanceof SignatureDownloadError) throw error;
    if (controller.signal.reason instanceof Timeout) {
      const progress = stage === 'connecting to' ? 'no answer' : `${received.toLocaleString('en-GB')} bytes received`;
      throw new SignatureDownloadError('TIMEOUT', source, url, `${url} did not answer in time (limit ${seconds}; ${progress})`, { cause: error });
    }
    if (limits.signal?.aborted) {
      throw new SignatureDownloadError('ABORTED', source, url, `download of ${url} was cancelled`, { cause: error });
    }
    if (stage === 'reading the answer from') {
      const of = expected === undefined ? '' : ` of ${expected.toLocaleString('en-GB')}`;
      throw new SignatureDownloadError(
        'TRUNCATED',
        source,
        url,
        `${url} broke off after ${received.toLocaleString('en-GB')}${of} bytes (${networkDetail(error)})`,
        { cause: error },
      );
    }
    throw new SignatureDownloadError('NETWORK', source, url, `cannot reach ${url} (${networkDetail(error)})`, { cause: error });
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onAbort);
  }
}

function tooLarge(url: string, source: SignatureSource, maxBytes: number, detail: string): SignatureDownloadError {
  return new SignatureDownloadError('TOO_LARGE', source, url, `${url} is too large: the limit is ${maxBytes.toLocaleString('en-GB')} bytes and ${detail}`, {
    retryable: false,
  });
}
