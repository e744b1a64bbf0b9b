import http from 'node:http';
import https from 'node:https';

/** One HTTP exchange, as the results API client needs it. */
export interface TransportRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

/** The answer, body read in full. */
export interface TransportResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: string;
}

/** Sends one request; rejects on network errors and when `signal` aborts. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** Which HTTP stack sends requests: `node:http` with a keep-alive agent, or the built-in `fetch` (undici). */
export type TransportKind = 'node:http' | 'fetch';

/** Makes a transport of the given kind. */
export function createTransport(kind: TransportKind, maxSockets: number): Transport {
  return kind === 'fetch' ? fetchTransport() : nodeHttpTransport(maxSockets);
}

function fetchTransport(): Transport {
  return {
    async send({ method, url, headers, body, signal }) {
      const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal });
      const text = await response.text();
      return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body: text };
    },
    close() {
      // undici's global dispatcher keeps its own pool.
    },
  };
}

function nodeHttpTransport(maxSockets: number): Transport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  return {
    send({ method, url, headers, body, signal }) {
      return new Promise((resolve, reject) => {
        const secure = url.protocol === 'https:';
        const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
        const request = (secure ? https : http).request(
          url,
          {
            method,
            agent: secure ? agents['https:'] : agents['http:'],
            headers: payload === undefined ? headers : { ...headers, 'content-length': String(payload.length) },
            signal,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', reject);
            response.on('close', () => {
              if (!response.complete) reject(new Error('the connection closed before the response ended'));
            });
            response.on('end', () => {
              const raw = response.headers;
              resolve({
                status: response.statusCode ?? 0,
                header: (name) => {
                  const value = raw[name.toLowerCase()];
                  return Array.isArray(value) ? value.join(', ') : value;
                },
                body: Buffer.concat(chunks).toString('utf8'),
              });
            });
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
