import { stat } from 'node:fs/promises';
import { CheckError, checkErrorFromFsError } from '../../errors.js';
import { checkOpened } from '../../io/local-file.js';
import type { FileRef, Logger } from '../../types.js';
import { AntivirusErrorCode } from '../codes.js';
import type { EngineInfo, ScanEngine, ScanOptions, ScanVerdict } from '../scan-engine.js';
import { CLAMD_DEFAULT_MAX_FILE_SIZE } from './defaults.js';
import { formatClamdAddress, type ClamdAddress } from './address.js';
import { parseScanReply, parseVersion, type ClamdVersion, type ScanReply } from './replies.js';
import { ClamdSession } from './session.js';
import { SessionPool } from './session-pool.js';

/** How the bytes of a local file reach clamd. */
export type ClamdScanMode = 'auto' | 'path' | 'stream';

export interface ClamdEngineOptions {
  readonly address: ClamdAddress;
  /**
   * `path`: clamd opens the file itself (`SCAN`), fastest, needs clamd on
   * this machine with read access (falls back to streaming when clamd cannot
   * see the file). `stream`: the bytes are sent (`INSTREAM`), for a clamd
   * elsewhere. `auto` (default): `path` over a Unix socket, `stream` over TCP
   * (a TCP clamd may be on another machine or in a container, where our paths
   * mean nothing).
   */
  readonly mode?: ClamdScanMode;
  /** Scans in flight at most, each on its own reused session. Default 4. */
  readonly maxInFlight?: number;
  /**
   * Files larger than this are an error (`SCAN_LIMIT_EXCEEDED`) without
   * being sent: a clamd without `AlertExceedsMax yes` scans only the first
   * MaxFileSize bytes and answers OK, which would be a false clean. Set it to
   * the server's MaxFileSize (and StreamMaxLength for streams). Default 100
   * MiB, clamd's default for both.
   */
  readonly maxFileSize?: number;
  /**
   * The server runs with `AlertExceedsMax yes`: it reports a limit it hit
   * (`Heuristics.Limits.Exceeded…`) rather than answering OK, so
   * `maxFileSize` need not guard. Default false.
   */
  readonly serverAlertsOnLimits?: boolean;
  /** Milliseconds to wait for a connection. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** How old the versions may be before a scan asks again (databases reload while clamd runs). Default 60,000. */
  readonly versionMaxAgeMs?: number;
  readonly logger?: Logger;
}

/**
 * ClamAV through clamd, speaking its protocol (`IDSESSION`, `VERSION`,
 * `SCAN`, `INSTREAM`) over node:net; see docs/decisions/0012.
 */
export class ClamdEngine implements ScanEngine {
  readonly software = 'ClamAV';
  readonly #options: ClamdEngineOptions;
  readonly #pool: SessionPool;
  readonly #where: string;
  readonly #maxFileSize: number;
  #version: ClamdVersion | undefined;
  #versionAt = 0;
  #warnedFallback = false;

  constructor(options: ClamdEngineOptions) {
    this.#options = options;
    this.#where = formatClamdAddress(options.address);
    this.#maxFileSize = options.maxFileSize ?? CLAMD_DEFAULT_MAX_FILE_SIZE;
    this.#pool = new SessionPool(options.address, {
      size: options.maxInFlight ?? 4,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    });
  }

  /** Where clamd is, for messages. */
  get address(): string {
    return this.#where;
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.version({ signal, timeoutMs: this.#options.connectTimeoutMs ?? 5_000 });
    } catch (error) {
      // Not fatal: clamd may be starting (loading its database takes ~20 s) or restarting; each scan reports it.
      this.#options.logger?.warn(`antivirus: ${error instanceof Error ? error.message : String(error)}; files will be reported as errors until it answers`);
    }
  }

  /** Asks clamd for its versions now. */
  async version(options: ScanOptions): Promise<ClamdVersion> {
    return this.#pool.use((session) => this.#askVersion(session, options), options.signal);
  }

  info(): EngineInfo {
    const version = this.#version;
    return {
      software: this.software,
      softwareVersion: version?.engine ?? 'unknown',
      ...(version?.database === undefined ? {} : { databaseVersion: version.database }),
      ...(version?.databaseDate === undefined ? {} : { databaseDate: version.databaseDate }),
    };
  }

  async scan(file: FileRef, options: ScanOptions): Promise<ScanVerdict> {
    if (file.size > this.#maxFileSize && !this.#options.serverAlertsOnLimits) {
      throw new CheckError(
        AntivirusErrorCode.LimitExceeded,
        `${file.path} is ${file.size} bytes, more than the ${this.#maxFileSize} bytes clamd is trusted to scan whole (maxFileSize; clamd's MaxFileSize and StreamMaxLength); raise both together to scan it`,
      );
    }
    const mode = this.#options.mode ?? 'auto';
    const byPath = file.localPath !== undefined && (mode === 'path' || (mode === 'auto' && this.#options.address.kind === 'socket'));
    options.budget?.holdBudget();
    return this.#pool.use(async (session) => {
      options.budget?.restartBudget();
      if (!this.#version || Date.now() - this.#versionAt > (this.#options.versionMaxAgeMs ?? 60_000)) await this.#askVersion(session, options);
      if (byPath && file.localPath !== undefined) {
        const verdict = await this.#scanPath(session, file, file.localPath, options);
        if (verdict) return verdict;
      }
      return this.#verdict(file, parseScanReply(await this.#stream(session, file, options), 'stream'), 'stream');
    }, options.signal);
  }

  /**
   * INSTREAMs a file. clamd answers a stream past its StreamMaxLength and
   * closes the connection at once; when that close resets our writes still
   * under way, Node drops the socket and the answer with it. So a
   * connection lost mid-stream, with clamd still answering PING, is taken
   * for that limit: an error either way, and the likelier one.
   */
  async #stream(session: ClamdSession, file: FileRef, options: ScanOptions): Promise<string> {
    try {
      return await session.instream(file.stream(options.signal), options);
    } catch (error) {
      if (!(error instanceof CheckError && error.code === AntivirusErrorCode.ConnectionLost) || options.signal.aborted) throw error;
      if (!(await this.#alive())) throw error;
      throw new CheckError(
        AntivirusErrorCode.LimitExceeded,
        `clamd at ${this.#where} closed the connection while ${file.path} (${file.size} bytes) was streamed to it, and is still running: the stream passed its StreamMaxLength`,
        { cause: error },
      );
    }
  }

  /** Whether clamd answers PING on a new connection within a second. */
  async #alive(): Promise<boolean> {
    let session: ClamdSession | undefined;
    try {
      session = await ClamdSession.open(this.#options.address, { timeoutMs: 1_000 });
      return (await session.command('PING', { timeoutMs: 1_000 })) === 'PONG';
    } catch {
      return false;
    } finally {
      session?.close();
    }
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  /** `SCAN`s a local file; `undefined` when clamd cannot see it and it must be streamed instead. */
  async #scanPath(session: ClamdSession, file: FileRef, localPath: string, options: ScanOptions): Promise<ScanVerdict | undefined> {
    const reply = parseScanReply(await session.command(`SCAN ${localPath}`, options), localPath);
    // One stat, after the scan: the path must still be the regular file listed (same size and
    // modification time), so the answer is about that file. One rewritten since the listing,
    // turned into a folder (which SCAN walks) or gone is an error, never clean; a stat before the
    // scan as well would add nothing (measured: ~10 % of a small file's time on our side).
    const listed = { size: file.size, ...(file.lastModified === undefined ? {} : { lastModified: file.lastModified }) };
    checkOpened(await statOf(localPath, file.path), listed, file.path);
    if (reply.kind === 'error' && (reply.reason === 'not-found' || reply.reason === 'access-denied')) {
      // clamd runs as another user, in a container, or elsewhere: it cannot open what we can.
      if (!this.#warnedFallback) {
        this.#warnedFallback = true;
        this.#options.logger?.warn(`antivirus: clamd at ${this.#where} cannot read ${file.path} (${reply.message}); streaming such files to it instead`);
      }
      return undefined;
    }
    return this.#verdict(file, reply, 'path');
  }

  #verdict(file: FileRef, reply: ScanReply, method: 'path' | 'stream'): ScanVerdict {
    switch (reply.kind) {
      case 'clean':
        return { infected: false, signatures: [], method, engine: this.info() };
      case 'found':
        return { infected: true, signatures: reply.signatures, method, engine: this.info() };
      case 'limit':
        throw new CheckError(
          AntivirusErrorCode.LimitExceeded,
          `clamd did not scan all of ${file.path}: it reached a scan limit (${reply.signatures.join(', ')}); raise that limit in clamd.conf to scan it`,
        );
      case 'error':
        if (reply.reason === 'stream-limit') {
          throw new CheckError(
            AntivirusErrorCode.LimitExceeded,
            `${file.path} (${file.size} bytes) is longer than clamd at ${this.#where} accepts in a stream (StreamMaxLength)`,
          );
        }
        throw new CheckError(AntivirusErrorCode.ScanFailed, `clamd at ${this.#where} could not scan ${file.path}: ${reply.message}`, { retryable: true });
    }
  }

  async #askVersion(session: ClamdSession, options: ScanOptions): Promise<ClamdVersion> {
    const reply = await session.command('VERSION', options);
    try {
      this.#version = parseVersion(reply);
    } catch (error) {
      throw new CheckError(AntivirusErrorCode.ScanFailed, `${(error as Error).message} (at ${this.#where})`);
    }
    this.#versionAt = Date.now();
    return this.#version;
  }
}

async function statOf(localPath: string, path: string) {
  try {
    return await stat(localPath);
  } catch (error) {
    throw checkErrorFromFsError(error, path);
  }
}
