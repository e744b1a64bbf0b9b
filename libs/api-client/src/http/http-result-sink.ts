import { resolve } from 'node:path';
import type { ResultEnvelope } from '@tdr/checks';
import { DeadLetterFile } from '../dead-letter.js';
import { DeliveryError } from '../errors.js';
import { idempotencyKey } from '../idempotency.js';
import type { ResultSink } from '../result-sink.js';
import type { ResultOutcome } from '../wire.js';
import { ResultsApiClient, type ResultsApiClientOptions, type SerializedResult } from './results-api-client.js';

/** Options of {@link HttpResultSink}: where to deliver, and the batching. */
export interface HttpResultSinkOptions extends ResultsApiClientOptions {
  /** The consignment the results belong to (`POST /consignments/{consignmentId}/results`). */
  readonly consignmentId: string;
  /** Most results in one request. Default 500. */
  readonly maxBatchSize?: number;
  /** Most bytes of serialized results in one request. Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Longest a result waits for its batch to fill before it is sent anyway (ms). Default 100. */
  readonly maxBatchDelayMs?: number;
  /** Most results held (waiting, or in requests not yet answered) before `write` waits. Default 10,000. */
  readonly maxBufferedResults?: number;
  /** Most requests in flight at once. Default 2. */
  readonly concurrency?: number;
  /**
   * Where undelivered results go (JSON lines, appended). Default
   * `tdr-checks-undelivered-<consignment>-<time>-<pid>.jsonl` in the working directory;
   * the file is made only when something is undelivered.
   */
  readonly deadLetterPath?: string;
}

/** What became of the results written so far. */
export interface DeliveryStats {
  /** Envelopes written to the sink. */
  written: number;
  /** Stored by the API. */
  applied: number;
  /** Delivered before (same idempotency key); applied once. */
  duplicate: number;
  /** The API holds a newer check version; not stored, as it should be. */
  stale: number;
  /** Refused as malformed (in the dead-letter file). */
  invalid: number;
  /** In the dead-letter file: `invalid` ones and those the sink gave up on. */
  deadLettered: number;
  /** Batches answered by the API. */
  batches: number;
}

interface Batch {
  readonly items: SerializedResult[];
}

/**
 * A `ResultSink` that delivers to the results API (openapi.yaml): envelopes
 * are batched (by count, bytes and delay), sent by up to `concurrency`
 * requests at once within a rate limit, with an idempotency key
 * `fileId:check:checkVersion` each, and retried (see `ResultsApiClient`).
 *
 * Nothing is dropped: a batch the API refuses for good, or that fails until
 * the retries run out, goes to the dead-letter file, and so do results the
 * API calls `invalid`. Once the sink has given up on a batch it sends no
 * more: everything written after goes to the dead-letter file, and `write`,
 * `flush` and `close` reject with a `DeliveryError` naming it. `close`
 * rejects the same way when anything at all was dead-lettered.
 *
 * @example
 * ```ts
 * const sink = new HttpResultSink({ url: 'https://results.example/v1', token, consignmentId });
 * try {
 *   for await (const reports of engine.runBatches(batches)) await sink.write(envelopesOf(reports));
 * } finally {
 *   await sink.close(); // DeliveryError: "… written to the dead-letter file /work/tdr-checks-undelivered-….jsonl"
 * }
 * console.log(sink.stats); // { written, applied, duplicate, stale, invalid, deadLettered, batches }
 * ```
 */
export class HttpResultSink implements ResultSink {
  /** The client the sink sends with (for `completeConsignment` once every result is delivered). */
  readonly api: ResultsApiClient;
  readonly consignmentId: string;
  readonly stats: DeliveryStats = { written: 0, applied: 0, duplicate: 0, stale: 0, invalid: 0, deadLettered: 0, batches: 0 };
  readonly #maxBatchSize: number;
  readonly #maxBatchBytes: number;
  readonly #maxBatchDelayMs: number;
  readonly #maxBuffered: number;
  readonly #concurrency: number;
  readonly #deadLetters: DeadLetterFile;
  readonly #url: string;

  #pending: SerializedResult[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #queue: Batch[] = [];
  #inFlight = 0;
  /** Results in the sink: pending, queued or in flight. */
  #buffered = 0;
  #roomWaiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  /** Why the sink gave up, once it has. */
  #failure: Error | undefined;
  /** Why the dead-letter file could not be written, if ever. */
  #deadLetterFailure: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: HttpResultSinkOptions) {
    if (options.consignmentId === '') throw new TypeError('consignmentId must not be empty');
    this.api = new ResultsApiClient({ maxSockets: options.concurrency ?? 2, ...options });
    this.consignmentId = options.consignmentId;
    this.#maxBatchSize = positive('maxBatchSize', options.maxBatchSize ?? 500);
    this.#maxBatchBytes = positive('maxBatchBytes', options.maxBatchBytes ?? 1024 * 1024);
    this.#maxBatchDelayMs = options.maxBatchDelayMs ?? 100;
    this.#maxBuffered = Math.max(this.#maxBatchSize, positive('maxBufferedResults', options.maxBufferedResults ?? 10_000));
    this.#concurrency = positive('concurrency', options.concurrency ?? 2);
    this.#deadLetters = new DeadLetterFile(resolve(options.deadLetterPath ?? defaultDeadLetterName(options.consignmentId)));
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.#url = url.href;
  }

  /** The dead-letter file's absolute path (it exists only once something was undelivered). */
  get deadLetterPath(): string {
    return this.#deadLetters.path;
  }

  async write(envelopes: readonly ResultEnvelope[]): Promise<void> {
    if (this.#closing) throw new Error('HttpResultSink: write after close');
    for (let i = 0; i < envelopes.length; i++) {
      if (this.#failure) {
        const rest = envelopes.slice(i);
        this.stats.written += rest.length;
        await this.#deadLetter(rest.map((envelope) => JSON.stringify(envelope)));
        throw this.#error();
      }
      if (this.#buffered >= this.#maxBuffered) {
        await new Promise<void>((wake) => this.#roomWaiters.push(wake));
        if (this.#closing) throw new Error(`HttpResultSink: closed while a write waited for room; its last ${envelopes.length - i} envelopes were not accepted`);
        i--;
        continue;
      }
      const envelope = envelopes[i];
      const json = JSON.stringify(envelope);
      const item: SerializedResult = { key: idempotencyKey(envelope), json };
      // Bytes as sent: the JSON, the key and its punctuation, UTF-8.
      const bytes = Buffer.byteLength(json) + Buffer.byteLength(item.key) + 24;
      if (this.#pending.length > 0 && this.#pendingBytes + bytes > this.#maxBatchBytes) this.#cut();
      this.#pending.push(item);
      this.#pendingBytes += bytes;
      this.#buffered++;
      this.stats.written++;
      if (this.#pending.length >= this.#maxBatchSize || this.#pendingBytes >= this.#maxBatchBytes) this.#cut();
      else if (this.#timer === undefined) this.#timer = setTimeout(() => this.#cut(), this.#maxBatchDelayMs);
    }
  }

  async flush(): Promise<void> {
    this.#cut();
    if (this.#inFlight > 0 || this.#queue.length > 0) await new Promise<void>((done) => this.#idleWaiters.push(done));
    if (this.#failure || this.#deadLetterFailure) throw this.#error();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        this.api.close();
      }
      if (this.stats.deadLettered > 0) throw this.#error();
    })();
    return this.#closing;
  }

  /** Ends the batch being filled and queues it. */
  #cut(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    this.#queue.push({ items: this.#pending });
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#concurrency) {
      const batch = this.#queue.shift();
      if (batch === undefined) return;
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#buffered -= batch.items.length;
        for (const wake of this.#roomWaiters.splice(0)) wake();
        this.#pump();
        if (this.#inFlight === 0 && this.#queue.length === 0) for (const done of this.#idleWaiters.splice(0)) done();
      });
    }
  }

  /** Delivers one batch; never rejects (what is not delivered is dead-lettered). */
  async #send(batch: Batch): Promise<void> {
    if (this.#failure) {
      await this.#deadLetter(batch.items.map((item) => item.json));
      return;
    }
    try {
      const answer = await this.api.submitSerialized(this.consignmentId, batch.items);
      this.stats.batches++;
      const invalid: string[] = [];
      answer.results.forEach((receipt, index) => {
        const outcome: ResultOutcome = receipt.outcome;
        if (outcome === 'applied' || outcome === 'duplicate' || outcome === 'stale') this.stats[outcome]++;
        else invalid.push(batch.items[index].json); // `invalid`, or an outcome this client does not know
      });
      this.stats.invalid += invalid.length;
      await this.#deadLetter(invalid);
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
      await this.#deadLetter(batch.items.map((item) => item.json));
    }
  }

  async #deadLetter(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    try {
      await this.#deadLetters.append(lines);
      this.stats.deadLettered += lines.length;
    } catch (error) {
      this.#deadLetterFailure ??= error instanceof Error ? error : new Error(String(error));
      this.#failure ??= this.#deadLetterFailure;
    }
  }

  #error(): DeliveryError {
    const { deadLettered, invalid } = this.stats;
    const what = this.#failure
      ? `gave up delivering results for consignment ${this.consignmentId} to ${this.#url}: ${this.#failure.message}`
      : `the results API refused ${invalid} results for consignment ${this.consignmentId} as invalid`;
    const where = this.#deadLetterFailure
      ? `; ${deadLettered} undelivered results are in the dead-letter file ${this.deadLetterPath}, but others could not be written to it (${this.#deadLetterFailure.message}) and are lost`
      : `; the ${deadLettered} undelivered results are in the dead-letter file ${this.deadLetterPath} (one envelope a line)`;
    return new DeliveryError(`${what}${where}`, this.deadLetterPath, deadLettered, { cause: this.#failure });
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

function defaultDeadLetterName(consignmentId: string): string {
  const safe = consignmentId.replace(/[^\w.-]+/g, '_').slice(0, 64);
  const time = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `tdr-checks-undelivered-${safe}-${time}-${process.pid}.jsonl`;
}
