import type { BudgetControl, FileRef } from '../types.js';

/**
 * The scanner behind the antivirus check. Archives change scanners (TNA's
 * TDR went from YARA rules to AWS GuardDuty's S3 malware-scan tags); a new
 * one is a new `ScanEngine`, and neither the check's result shape nor any
 * runner changes. ClamAV (clamd) is the one there is now.
 */
export interface ScanEngine {
  /** The scanner's name as results record it: `ClamAV`. */
  readonly software: string;
  /**
   * Connects and learns the versions. Once per process. Does not throw when
   * the scanner is unreachable (each scan then reports an error, and the
   * scanner may come back); it throws only for what can never work.
   */
  start(signal: AbortSignal): Promise<void>;
  /** What the engine knows of the scanner now (versions are `unknown` until it has answered). */
  info(): EngineInfo;
  /**
   * Scans one file. Resolves only with a verdict the scanner gave about
   * every byte; anything else throws a CheckError (never a clean verdict it
   * did not earn).
   */
  scan(file: FileRef, options: ScanOptions): Promise<ScanVerdict>;
  /** Releases connections. */
  close(): Promise<void>;
}

export interface ScanOptions {
  /** Aborted when the file's time budget is spent or the run is cancelled. */
  readonly signal: AbortSignal;
  /** Milliseconds the scanner may take before the scan is an error. */
  readonly timeoutMs: number;
  /**
   * The file's time budget, held while the scan waits its turn at the
   * scanner (behind other files) and restarted when the turn comes.
   */
  readonly budget?: BudgetControl;
}

/** The scanner and its data, as results record them (TDR's antivirus metadata). */
export interface EngineInfo {
  readonly software: string;
  readonly softwareVersion: string;
  /** The signature database's version (ClamAV: the daily database's number), when the scanner tells. */
  readonly databaseVersion?: string;
  /** When that database was built (ISO 8601), when the scanner tells. */
  readonly databaseDate?: string;
}

/** What the scanner said about one file. */
export interface ScanVerdict {
  readonly infected: boolean;
  /** Names of the signatures that matched; empty when clean. */
  readonly signatures: readonly string[];
  /** How the bytes reached the scanner: `path` (scanner read the file itself) or `stream`. */
  readonly method: 'path' | 'stream';
  /** The scanner and database versions that gave this verdict. */
  readonly engine: EngineInfo;
}
