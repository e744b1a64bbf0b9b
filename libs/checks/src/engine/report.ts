import type { CheckErrorInfo, ExpectedFacts, FileRef, ResultEnvelope } from '../types.js';

/**
 * Something a file source could not turn into a readable `FileRef`: a folder
 * it may not list, a symbolic link loop, a path that does not exist. It is
 * reported like a file whose every check failed with `error`.
 */
export interface ListingProblem {
  readonly id: string;
  readonly path: string;
  readonly error: CheckErrorInfo;
}

/** What a `FileSource` yields: a file to check, or why an entry could not be. */
export type SourceItem = { readonly file: FileRef } | { readonly problem: ListingProblem };

/**
 * A file that an expectation names but the folder does not hold: listed in
 * a manifest, absent on disk (`not-found`), or pointing outside the folders
 * being checked (`outside-folder`).
 */
export interface MissingFile {
  readonly reason: 'not-found' | 'outside-folder';
  readonly message: string;
}

/** Everything the checks found about one file: the input to a policy. */
export interface FileReport {
  readonly id: string;
  /** As in `FileRef.path`. */
  readonly path: string;
  /** Bytes, or `null` when the file could not be listed or is missing. */
  readonly size: number | null;
  /** As in `FileRef.localPath`, when the file is local. */
  readonly localPath?: string;
  /** As in `FileRef.lastModified`. */
  readonly lastModified?: string;
  /** What the uploader declared, when anything. */
  readonly expected?: ExpectedFacts;
  /** Set only for files known from an expectation and not found. */
  readonly missing?: MissingFile;
  /** One envelope per check that was asked for, keyed by check name, in the order the checks were given. */
  readonly results: Readonly<Record<string, ResultEnvelope>>;
  /**
   * Checks that normally run but did not in this run, keyed by name, with
   * why (`antivirus`: no clamd answered). Set by runners; the policy warns.
   */
  readonly notRun?: Readonly<Record<string, string>>;
}

/** Whether any check of this report could not decide. */
export function hasErrors(report: FileReport): boolean {
  return Object.values(report.results).some((envelope) => envelope.status === 'error');
}
