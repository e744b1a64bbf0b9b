import { randomUUID } from 'node:crypto';
import type { FileReport, ResultEnvelope } from '@tdr/checks';
import { UsageError } from '../errors.js';
import type { CheckCommandOptions } from './options.js';

/** The sink's type without a static import: the library is loaded only for `--api-url`. */
type HttpResultSink = InstanceType<(typeof import('@tdr/api-client'))['HttpResultSink']>;

/**
 * `--api-url`: every result also goes to the results API (batched, retried;
 * what cannot be delivered ends in a dead-letter file, never dropped). The
 * client library is loaded only when asked for: local runs do not pay for it.
 */
export class ResultDelivery {
  readonly consignmentId: string;
  /** As the user gave it, for messages. */
  readonly #url: string;
  readonly #sink: HttpResultSink;
  readonly #envelopesOf: (reports: readonly FileReport[]) => ResultEnvelope[];
  #failure: Error | undefined;

  private constructor(url: string, consignmentId: string, sink: HttpResultSink, envelopesOf: (reports: readonly FileReport[]) => ResultEnvelope[]) {
    this.#url = url;
    this.consignmentId = consignmentId;
    this.#sink = sink;
    this.#envelopesOf = envelopesOf;
  }

  /** The delivery the options ask for, or undefined. @throws UsageError for a URL that is not http(s). */
  static async open(
    options: Pick<CheckCommandOptions, 'apiUrl' | 'apiToken' | 'consignment' | 'deadLetter'>,
    env: NodeJS.ProcessEnv,
    signal: AbortSignal,
  ): Promise<ResultDelivery | undefined> {
    if (options.apiUrl === undefined) {
      if (options.apiToken !== undefined || options.consignment !== undefined || options.deadLetter !== undefined) {
        throw new UsageError('--api-token, --consignment and --dead-letter go with --api-url');
      }
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(options.apiUrl);
    } catch {
      throw new UsageError(`--api-url ${options.apiUrl}: not a URL (e.g. https://results.example/api)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--api-url ${options.apiUrl}: use an http or https URL`);
    const token = options.apiToken ?? (env['TDR_API_TOKEN'] || undefined);
    const consignmentId = options.consignment ?? randomUUID();
    const { HttpResultSink, envelopesOf } = await import('@tdr/api-client');
    const sink = new HttpResultSink({
      url,
      consignmentId,
      signal,
      ...(token === undefined ? {} : { token }),
      ...(options.deadLetter === undefined ? {} : { deadLetterPath: options.deadLetter }),
    });
    return new ResultDelivery(options.apiUrl, consignmentId, sink, envelopesOf);
  }

  /**
   * Hands the reports' results to the sink (waits only while its buffer is
   * full). After the sink gives up, results go on to its dead-letter file.
   */
  async deliver(reports: readonly FileReport[]): Promise<void> {
    await this.deliverEnvelopes(this.#envelopesOf(reports));
  }

  /** `deliver`, for envelopes at hand (read back from a dead-letter file or a report). */
  async deliverEnvelopes(envelopes: readonly ResultEnvelope[]): Promise<void> {
    try {
      await this.#sink.write(envelopes);
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Sends what is left and, after a complete run, marks the consignment's
   * checks complete. Returns the problem to report (naming the dead-letter
   * file), or undefined when every result was delivered.
   */
  async finish(completedChecks: readonly string[] | undefined): Promise<string | undefined> {
    try {
      await this.#sink.close();
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    }
    if (this.#failure) return this.#failure.message;
    if (completedChecks !== undefined) {
      try {
        await this.#sink.api.completeConsignment(this.consignmentId, { checks: completedChecks });
      } catch (error) {
        return `every result was delivered, but marking consignment ${this.consignmentId} complete failed: ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  /** "delivered 12 results to https://…: 12 applied, 0 duplicate, 0 stale" for standard error. */
  summaryLine(): string {
    const stats = this.#sink.stats;
    return `results API ${this.#url}, consignment ${this.consignmentId}: ${stats.applied} applied, ${stats.duplicate} duplicate, ${stats.stale} stale, ${stats.deadLettered} undelivered`;
  }
}
