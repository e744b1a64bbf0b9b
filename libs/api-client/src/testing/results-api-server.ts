/**
 * A real HTTP server implementing openapi.yaml in memory, for tests (ours and
 * those of runners that deliver results) and the bench.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { compareCheckVersions, isCheckVersion } from '../check-version.js';
import { idempotencyKey } from '../idempotency.js';
import { API_PATHS, type ResultReceipt, type StoredResult } from '../wire.js';

/** The routes this server implements: a test checks them against openapi.yaml. */
export const SERVER_ROUTES = [
  { method: 'post', path: API_PATHS.submitResults },
  { method: 'get', path: API_PATHS.fileResults },
  { method: 'post', path: API_PATHS.completeConsignment },
] as const;

/** Largest request body accepted (413 above). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** What the server did: the status sent, or `dropped`. */
  outcome: number | 'dropped';
}

interface Consignment {
  completedAt?: string;
}

export interface ResultsApiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  readonly token?: string;
}

type Handler = (request: IncomingMessage, params: Record<string, string>, body: string) => { status: number; body: unknown; headers?: Record<string, string> };

/**
 * The results API of openapi.yaml in memory, on a real `node:http` server
 * bound to 127.0.0.1 on a free port, with knobs to make it fail (503),
 * throttle (429 + `Retry-After`), slow down and drop connections.
 *
 * @example
 * ```ts
 * const server = await ResultsApiServer.start({ token: 't' });
 * server.failNext(2).throttleNext(1, '1');
 * // … run with --api-url server.url --api-token t …
 * expect(server.storedResults()).toHaveLength(3);
 * await server.close();
 * ```
 */
export class ResultsApiServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Current result per file and check. */
  readonly results = new Map<string, Map<string, StoredResult>>();
  /** How many times each idempotency key was applied (a duplicate delivery must leave it at 1). */
  readonly appliedCount = new Map<string, number>();
  readonly consignments = new Map<string, Consignment>();
  /** Milliseconds to wait before answering each request. */
  delayMs = 0;

  #failures: Array<{ status: number; retryAfter?: string }> = [];
  #drops: Array<'before' | 'after'> = [];
  readonly #batchAnswers = new Map<string, unknown>();
  readonly #sockets = new Set<Socket>();
  readonly #routes: Array<{ method: string; pattern: RegExp; names: string[]; handle: Handler }>;

  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly options: ResultsApiServerOptions,
  ) {
    const handlers: Record<string, Handler> = {
      [`post ${API_PATHS.submitResults}`]: (request, params, body) => this.#submit(request, params['consignmentId'], body),
      [`get ${API_PATHS.fileResults}`]: (_request, params) => this.#fileResults(params['fileId']),
      [`post ${API_PATHS.completeConsignment}`]: (_request, params, body) => this.#complete(params['consignmentId'], body),
    };
    this.#routes = SERVER_ROUTES.map(({ method, path }) => {
      const names: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        })}$`,
      );
      return { method, pattern, names, handle: handlers[`${method} ${path}`] };
    });
  }

  /** Starts a server on 127.0.0.1, on a free port. */
  static async start(options: ResultsApiServerOptions = {}): Promise<ResultsApiServer> {
    const server = createServer({ keepAliveTimeout: 30_000 });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    const api = new ResultsApiServer(server, `http://127.0.0.1:${port}`, options);
    server.on('connection', (socket) => {
      api.#sockets.add(socket);
      socket.on('close', () => api.#sockets.delete(socket));
    });
    server.on('request', (request, response) => void api.#serve(request, response));
    return api;
  }

  /** The next `count` requests are answered `status` (503 by default), with `Retry-After` when given. */
  failNext(count: number, status = 503, retryAfter?: string): this {
    for (let i = 0; i < count; i++) this.#failures.push({ status, ...(retryAfter === undefined ? {} : { retryAfter }) });
    return this;
  }

  /** The next `count` requests are answered 429 with `Retry-After: retryAfter`. */
  throttleNext(count: number, retryAfter: string): this {
    return this.failNext(count, 429, retryAfter);
  }

  /**
   * The next `count` requests lose their connection without an answer:
   * `before` doing anything, or `after` applying the request (the client
   * cannot know it was applied).
   */
  dropNext(count: number, when: 'before' | 'after' = 'before'): this {
    for (let i = 0; i < count; i++) this.#drops.push(when);
    return this;
  }

  /** Every stored result, as a flat list. */
  storedResults(): StoredResult[] {
    return [...this.results.values()].flatMap((byCheck) => [...byCheck.values()]);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const record: RecordedRequest = { method: request.method ?? '', path: url.pathname, headers: request.headers, outcome: 0 };
    this.requests.push(record);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
    if (this.delayMs > 0) await new Promise((wake) => setTimeout(wake, this.delayMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.outcome = status;
      const json = JSON.stringify(body);
      const type = status >= 400 ? 'application/problem+json' : 'application/json';
      response.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(json)), ...headers });
      response.end(json);
    };
    const drop = this.#drops.shift();
    if (drop === 'before') {
      record.outcome = 'dropped';
      request.socket.destroy();
      return;
    }
    const failure = this.#failures.shift();
    if (failure) {
      send(failure.status, problem(failure.status, failure.status === 429 ? 'Too many requests' : 'Unavailable'), failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter });
      return;
    }
    if (this.options.token !== undefined && request.headers.authorization !== `Bearer ${this.options.token}`) {
      send(401, problem(401, 'Unauthorized', 'a valid bearer token is required'), { 'www-authenticate': 'Bearer' });
      return;
    }
    if (size > MAX_BODY_BYTES) {
      send(413, problem(413, 'Content too large', `at most ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const route = this.#route(request.method ?? '', url.pathname);
    if (!route) {
      send(404, problem(404, 'Not found', `${request.method} ${url.pathname}`));
      return;
    }
    const answer = route.handle(request, route.params, Buffer.concat(chunks).toString('utf8'));
    if (drop === 'after') {
      record.outcome = 'dropped';
      request.socket.destroy();
      return;
    }
    send(answer.status, answer.body, answer.headers);
  }

  #route(method: string, path: string): { handle: Handler; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method.toLowerCase()) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return { handle: route.handle, params };
    }
    return undefined;
  }

  #submit(request: IncomingMessage, consignmentId: string, text: string): ReturnType<Handler> {
    const batchKey = request.headers['idempotency-key'];
    if (typeof batchKey === 'string') {
      const earlier = this.#batchAnswers.get(`${consignmentId}\n${batchKey}`);
      if (earlier !== undefined) return { status: 200, body: earlier };
    }
    const consignment = this.consignments.get(consignmentId) ?? {};
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, body: problem(400, 'Bad request', 'the body is not JSON') };
    }
    const results = (body as { results?: unknown } | null)?.results;
    if (!Array.isArray(results) || results.length === 0) return { status: 400, body: problem(400, 'Bad request', 'results must be a non-empty array') };
    const receivedAt = new Date().toISOString();
    if (consignment.completedAt !== undefined) {
      // Complete: nothing more is applied, but results it already holds are answered as such, so a
      // run that delivers them again (a re-run, a retry after the consignment was completed) succeeds.
      const receipts = results.map((item: unknown) => this.#apply(consignmentId, item, receivedAt, { dryRun: true }));
      if (receipts.some((receipt) => receipt.outcome === 'applied')) {
        return { status: 409, body: problem(409, 'Consignment complete', `consignment ${consignmentId} was completed at ${consignment.completedAt}`) };
      }
      return { status: 200, body: { results: receipts } };
    }
    this.consignments.set(consignmentId, consignment);
    const receipts = results.map((item: unknown) => this.#apply(consignmentId, item, receivedAt));
    const answer = { results: receipts };
    if (typeof batchKey === 'string') this.#batchAnswers.set(`${consignmentId}\n${batchKey}`, answer);
    return { status: 200, body: answer };
  }

  /** Judges one submitted result and, unless `dryRun`, stores it when it is `applied`. */
  #apply(consignmentId: string, item: unknown, receivedAt: string, { dryRun = false } = {}): ResultReceipt {
    const submitted = item as Partial<StoredResult> | null;
    const key = typeof submitted?.idempotencyKey === 'string' ? submitted.idempotencyKey : '';
    const invalid = (message: string): ResultReceipt => ({ idempotencyKey: key, outcome: 'invalid', message });
    if (submitted === null || typeof submitted !== 'object') return invalid('not an object');
    for (const field of ['fileId', 'check', 'checkVersion', 'startedAt'] as const) {
      if (typeof submitted[field] !== 'string' || submitted[field] === '') return invalid(`${field} must be a non-empty string`);
    }
    const result = submitted as StoredResult;
    if (!isCheckVersion(result.checkVersion)) return invalid(`checkVersion ${JSON.stringify(result.checkVersion)} is not a semantic version`);
    const expectedKey = idempotencyKey(result);
    if (key !== expectedKey) return invalid(`idempotencyKey must be ${JSON.stringify(expectedKey)}`);
    if (result.status !== 'completed' && result.status !== 'error') return invalid('status must be completed or error');
    if (result.status === 'error' && (typeof result.error !== 'object' || result.error === null)) return invalid('an error result needs error');
    if (typeof result.tool !== 'object' || result.tool === null || typeof result.tool.name !== 'string') return invalid('tool must name the tool');
    if (typeof result.durationMs !== 'number' || result.durationMs < 0) return invalid('durationMs must be a number, at least 0');

    const byCheck = this.results.get(result.fileId) ?? new Map<string, StoredResult>();
    const current = byCheck.get(result.check);
    if (current) {
      const order = compareCheckVersions(result.checkVersion, current.checkVersion);
      if (order < 0) return { idempotencyKey: key, outcome: 'stale', currentCheckVersion: current.checkVersion };
      // Same version: a completed result replaces an error (the check was run again); otherwise the first stands.
      if (order === 0 && !(current.status === 'error' && result.status === 'completed')) {
        return { idempotencyKey: key, outcome: 'duplicate', currentCheckVersion: current.checkVersion };
      }
    }
    if (dryRun) return { idempotencyKey: key, outcome: 'applied' };
    byCheck.set(result.check, { ...result, consignmentId, receivedAt });
    this.results.set(result.fileId, byCheck);
    this.appliedCount.set(key, (this.appliedCount.get(key) ?? 0) + 1);
    return { idempotencyKey: key, outcome: 'applied' };
  }

  #fileResults(fileId: string): ReturnType<Handler> {
    const byCheck = this.results.get(fileId);
    if (!byCheck) return { status: 404, body: problem(404, 'Not found', `no results for file ${fileId}`) };
    return { status: 200, body: { fileId, results: Object.fromEntries(byCheck) } };
  }

  #complete(consignmentId: string, text: string): ReturnType<Handler> {
    if (text !== '') {
      try {
        JSON.parse(text);
      } catch {
        return { status: 400, body: problem(400, 'Bad request', 'the body is not JSON') };
      }
    }
    const consignment = this.consignments.get(consignmentId) ?? {};
    consignment.completedAt ??= new Date().toISOString();
    this.consignments.set(consignmentId, consignment);
    const stored = this.storedResults().filter((result) => result.consignmentId === consignmentId);
    return {
      status: 200,
      body: { consignmentId, completedAt: consignment.completedAt, files: new Set(stored.map((result) => result.fileId)).size, results: stored.length },
    };
  }
}

function problem(status: number, title: string, detail?: string): { title: string; status: number; detail?: string } {
  return { title, status, ...(detail === undefined ? {} : { detail }) };
}
