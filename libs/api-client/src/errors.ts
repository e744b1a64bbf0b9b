/** Errors of @tdr/api-client: what happened and why, with the facts as fields. */

/**
 * The results API answered with a status that sending again will not change
 * (a 4xx other than 408 and 429), or kept failing until the retries ran out.
 *
 * @example
 * ```ts
 * try {
 *   await api.completeConsignment(consignmentId);
 * } catch (error) {
 *   if (error instanceof ApiError && error.retriesExhausted) scheduleLater(); // the API was down, not wrong
 *   else throw error;
 * }
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** The last HTTP status, or undefined when the last attempt got no answer (network error, timeout). */
    readonly status: number | undefined,
    /** Whether the request failed only because the retries ran out (the failure itself was retryable). */
    readonly retriesExhausted: boolean,
    /** How many requests were made. */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A sink gave up on delivering some results. They are not lost: every one
 * is a line of the dead-letter file `deadLetterPath`, which the message names.
 *
 * @example
 * ```ts
 * try {
 *   await sink.close();
 * } catch (error) {
 *   if (!(error instanceof DeliveryError)) throw error;
 *   console.error(`tdr-checks: ${error.message}`); // "… the 25 undelivered results are in the dead-letter file /…/x.jsonl …"
 *   process.exitCode = 2;
 * }
 * ```
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    /** The JSON-lines file holding the undelivered envelopes. */
    readonly deadLetterPath: string,
    /** How many envelopes the dead-letter file holds from this sink. */
    readonly undelivered: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
