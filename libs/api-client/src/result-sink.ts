import type { ResultEnvelope } from '@tdr/checks';

/**
 * Where results go. Every runner moves `ResultEnvelope`s (one file, one
 * check) around, so a sink takes envelopes; a `FileReport` of
 * `@tdr/checks` becomes envelopes with {@link envelopesOf}.
 *
 * Contract:
 * - `write` resolves once the envelopes are accepted into the sink's bounded
 *   buffer (backpressure: await it before writing more). It does not mean
 *   they were delivered. It rejects with a `DeliveryError` once the sink has
 *   given up on some results (those and these are in its dead-letter file).
 * - `flush` resolves once everything written so far is delivered (or given up on).
 * - `close` flushes, releases what the sink holds and rejects with a
 *   `DeliveryError` when any envelope was not delivered. Calling it again
 *   does nothing more. Nothing may be written after it.
 *
 * @example
 * ```ts
 * const sink: ResultSink = new JsonLinesFileSink('results.jsonl');
 * try {
 *   for await (const reports of engine.runBatches(batches)) await sink.write(envelopesOf(reports));
 * } finally {
 *   await sink.close();
 * }
 * ```
 */
export interface ResultSink {
  /** Accepts envelopes; resolves when they are in the sink's buffer. */
  write(envelopes: readonly ResultEnvelope[]): Promise<void>;
  /** Resolves when every envelope written so far has been delivered. */
  flush(): Promise<void>;
  /** Flushes and releases the sink; rejects when anything was not delivered. */
  close(): Promise<void>;
}

/** The part of `FileReport` (from `@tdr/checks`) that holds a file's envelopes. */
export interface HasResults {
  readonly results: Readonly<Record<string, ResultEnvelope>>;
}

/**
 * The envelopes of file reports, in order: each report's checks in the order
 * they were given.
 *
 * @example
 * ```ts
 * await sink.write(envelopesOf(reports)); // reports: FileReport[] from CheckEngine.runBatches
 * ```
 */
export function envelopesOf(reports: readonly HasResults[]): ResultEnvelope[] {
  const envelopes: ResultEnvelope[] = [];
  for (const report of reports) for (const envelope of Object.values(report.results)) envelopes.push(envelope);
  return envelopes;
}
