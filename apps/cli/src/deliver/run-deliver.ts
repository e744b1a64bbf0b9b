import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ResultEnvelope } from '@tdr/checks';
import { ResultDelivery } from '../check/delivery.js';
import { ExitCode, UsageError, stoppedExitCode } from '../errors.js';
import { stopSignal } from '../stop.js';
import type { DeliverCommandOptions } from './command.js';

/** Results handed to the delivery at a time: the sink batches them further. */
const CHUNK = 500;

/** Where `deliver` writes and what it reads; the real process unless a test says otherwise. */
export interface DeliverEnvironment {
  readonly note: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

/**
 * `tdr-checks deliver <files…>`: reads result envelopes from dead-letter
 * files or jsonl reports, line by line, and delivers them. Stops at the first
 * line that is not a result (the results before it are delivered, and
 * delivering them again later does no harm).
 */
export async function runDeliver(
  files: readonly string[],
  options: DeliverCommandOptions,
  io: DeliverEnvironment = { note: (line) => process.stderr.write(`${line}\n`), env: process.env, signal: stopSignal() },
): Promise<number> {
  const delivery = await ResultDelivery.open(
    {
      apiUrl: options.apiUrl,
      consignment: options.consignment,
      ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
      ...(options.deadLetter === undefined ? {} : { deadLetter: options.deadLetter }),
    },
    io.env,
    io.signal,
  );
  if (!delivery) throw new UsageError('deliver needs --api-url');
  const checks = new Set<string>();
  let count = 0;
  let unreadable: string | undefined;
  let chunk: ResultEnvelope[] = [];
  const send = async (): Promise<void> => {
    const sending = chunk;
    chunk = [];
    if (sending.length > 0) await delivery.deliverEnvelopes(sending);
  };
  try {
    for (const file of files) {
      for await (const envelope of envelopesIn(file, io.signal)) {
        checks.add(envelope.check);
        chunk.push(envelope);
        count++;
        if (chunk.length >= CHUNK) await send();
      }
    }
  } catch (error) {
    if (error instanceof UnreadableResults) unreadable = error.message;
    else if (!io.signal.aborted) throw error; // stopped: the reading was cut short on purpose
  }
  await send(); // what was read before a bad line or a stop goes too
  if (count === 0 && unreadable === undefined) unreadable = `no results in ${files.join(', ')}`;
  // The consignment is complete only when every result of every file was read and delivered.
  const problem = await delivery.finish(options.complete && unreadable === undefined && !io.signal.aborted ? [...checks].sort() : undefined);
  io.note(delivery.summaryLine());
  if (unreadable !== undefined) {
    io.note(`tdr-checks: ${unreadable}${count > 0 ? `; the ${count} results before it were delivered (delivering them again does no harm)` : ''}`);
  }
  if (problem !== undefined) io.note(`tdr-checks: ${problem}`);
  if (io.signal.aborted) return stoppedExitCode(io.signal.reason);
  return unreadable !== undefined || problem !== undefined ? ExitCode.Error : ExitCode.Ok;
}

/** A file that cannot be read, or a line in it that is not a result. */
class UnreadableResults extends Error {}

/** The envelopes of a file, in order: each line an envelope, or a jsonl report line whose `checks` are envelopes. */
async function* envelopesIn(file: string, signal: AbortSignal): AsyncGenerator<ResultEnvelope> {
  const stream = createReadStream(file, { encoding: 'utf8', signal });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new UnreadableResults(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let lineNumber = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    const where = `${file}:${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UnreadableResults(`${where} is not JSON`);
    }
    const checks = (value as { checks?: unknown } | null)?.checks;
    const envelopes = checks !== null && typeof checks === 'object' ? Object.values(checks) : [value];
    for (const envelope of envelopes) {
      const wrong = whatIsWrong(envelope);
      if (wrong !== undefined) throw new UnreadableResults(`${where} is not a result envelope nor a jsonl report line (${wrong})`);
      yield envelope as ResultEnvelope;
    }
  }
}

/** Why `value` is not a result envelope, or undefined when it is one (the API checks the rest). */
function whatIsWrong(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'not an object';
  const envelope = value as Record<string, unknown>;
  for (const field of ['fileId', 'check', 'checkVersion', 'startedAt']) {
    if (typeof envelope[field] !== 'string' || envelope[field] === '') return `no ${field}`;
  }
  if (envelope['status'] !== 'completed' && envelope['status'] !== 'error') return 'status is neither completed nor error';
  return undefined;
}
