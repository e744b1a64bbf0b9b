/**
 * The plugin contract of tdr-checks: what a check sees (`FileRef`), what it
 * is (`FileCheck`) and what every runner moves around (`ResultEnvelope`).
 * See ../README.md for the lifecycle and an example.
 */

/** Facts the uploader declared about a file before it was checked. */
export interface ExpectedFacts {
  /**
   * Checksums keyed by algorithm name (`sha256`, `md5`, …), lowercase hex.
   * Come from the TDR client, a BagIt manifest, `sha256sum` output or a CSV.
   */
  readonly checksums?: Readonly<Record<string, string>>;
  /** Where the expectation came from, for messages (`manifest-sha256.txt:12`). */
  readonly source?: string;
}

/**
 * One file to check. Checks read only what they need: a few KB at each end
 * through `read`, or every byte once through `stream`.
 */
export interface FileRef {
  /** Unique within a run and stable across runs (a TDR file UUID, or the path as given). */
  readonly id: string;
  /** The name the uploader gave: relative to the folder checked, `/`-separated. */
  readonly path: string;
  /** Size in bytes when the file was listed. Reads never return bytes past it. */
  readonly size: number;
  /**
   * Absolute path of a local, regular file holding exactly these bytes, when
   * there is one. Checks that can hand a path to a faster reader (a hashing
   * worker, clamd `SCAN`) may use it; the consistency rules of `read` apply.
   */
  readonly localPath?: string;
  /** What the uploader declared (expected checksums), when anything. */
  readonly expected?: ExpectedFacts;
  /** Last modification time (ISO 8601), when the source knows it. */
  readonly lastModified?: string;
  /**
   * Reads up to `length` bytes at `position`. Returns fewer only at the end
   * of the file. Rejects with a `CheckError` (`FILE_NOT_FOUND`,
   * `FILE_CHANGED`, …) when the bytes cannot be had.
   */
  read(position: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Every byte from the start, in order, exactly `size` of them. Throws a
   * `CheckError` with code `FILE_CHANGED` when the file is shorter, longer
   * or modified while being read.
   */
  stream(signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * Releases what reads opened (a descriptor, a connection). The engine calls
   * it once every check of the file has finished; pending reads finish first.
   */
  close?(): Promise<void>;
}

/** A name and version of a tool or data set a check used, stored with each result. */
export interface ToolInfo {
  /** e.g. `node:crypto`, `ClamAV`, `tdr-checks PRONOM engine`. */
  readonly name: string;
  /** The tool's own version, e.g. `OpenSSL 3.0.15`. */
  readonly version: string;
  /** Versions of the data it used, e.g. `{ binarySignatures: "V122" }`. */
  readonly data?: Readonly<Record<string, string>>;
}

/** Minimal logger shape; `console` fits, so does pino. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Given to `init` once per process. */
export interface InitContext {
  readonly logger: Logger;
  /** Aborted when the run is cancelled before it starts. */
  readonly signal: AbortSignal;
}

/** Given to each `check` call. */
export interface CheckContext {
  readonly logger: Logger;
  /**
   * Aborted when the file's time budget is spent or the run is cancelled.
   * Pass it to every read; stop work when it fires.
   */
  readonly signal: AbortSignal;
  /** Report bytes processed so far for this file (for progress bars). */
  progress(bytesDone: number): void;
  /**
   * Stops this check's time budget for the file while it waits its turn
   * for something files share (a scanner connection, a worker), until
   * `restartBudget`: waiting behind other files is not this file's time, and
   * a long queue of large files would otherwise end in timeouts. Only for
   * such turns: the wait stays bounded because every file ahead ends within
   * its own budget. Cancelling the run still stops a held check.
   */
  holdBudget(): void;
  /**
   * Starts this check's whole time budget for the file again, from now (its
   * turn has come); the envelope's `startedAt` and `durationMs` count from
   * here too, so they tell the work, not the wait.
   */
  restartBudget(): void;
}

/** How a check lets a queue it waits in hold its time budget (a `CheckContext` will do). */
export type BudgetControl = Pick<CheckContext, 'holdBudget' | 'restartBudget'>;

/**
 * A check: declarative metadata apart from behaviour. A plain object made by
 * a factory that takes the check's options.
 *
 * Lifecycle: `init` once per process → `check` for each file (concurrently) →
 * `close` once. `check` returns the check's raw facts; it throws a
 * `CheckError` when it cannot decide (never returns a pass it did not earn).
 */
export interface FileCheck<Result = unknown> {
  /** Stable id: `checksum`, `format`, `antivirus`, … */
  readonly name: string;
  /** Semver of the check's own logic; stored with every result. */
  readonly version: string;
  /** Loads data, starts helpers, connects to servers. Once per process. */
  init?(ctx: InitContext): Promise<void>;
  /** The facts about one file. */
  check(file: FileRef, ctx: CheckContext): Promise<Result>;
  /** Releases what `init` took. */
  close?(): Promise<void>;
  /** The tools and data versions this check uses (valid after `init`). */
  describe(): ToolInfo;
  /**
   * This check's time budget for one file, in milliseconds. The engine aborts
   * the check and records a `TIMEOUT` error when it is spent. When absent the
   * engine's default applies; a budget the runner sets (`--timeout`)
   * overrides both.
   */
  timeoutMs?(file: FileRef): number;
}

/** Why a check could not decide. */
export interface CheckErrorInfo {
  /** Machine-readable, SCREAMING_SNAKE: `FILE_NOT_FOUND`, `TIMEOUT`, … */
  readonly code: string;
  /** What happened and why, for a person. */
  readonly message: string;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
}

/** One file, one check: the unit every runner stores, sends and judges. */
export type ResultEnvelope<Result = unknown> =
  | (EnvelopeBase & { readonly status: 'completed'; readonly result: Result })
  | (EnvelopeBase & { readonly status: 'error'; readonly error: CheckErrorInfo });

interface EnvelopeBase {
  readonly fileId: string;
  readonly check: string;
  readonly checkVersion: string;
  readonly tool: ToolInfo;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
}
