import { CheckError, ErrorCode } from '../errors.js';
import type { FileCheck, FileRef, Logger, ToolInfo } from '../types.js';
import { resolveClamdAddress, type ClamdAddress } from './clamd/address.js';
import { ClamdEngine, type ClamdScanMode } from './clamd/ClamdEngine.js';
import type { AntivirusResult } from './result.js';
import type { ScanEngine } from './scan-engine.js';

export const ANTIVIRUS_CHECK_VERSION = '1.0.0';

export interface AntivirusCheckOptions {
  /**
   * The scanner. Default: ClamAV at `clamd` (or, without it, where
   * `$CLAMD_SOCKET`, `$CLAMD_HOST` or Debian's default socket say).
   */
  readonly engine?: ScanEngine;
  /** clamd's address, when no `engine` is given. */
  readonly clamd?: ClamdAddress;
  /** See ClamdEngineOptions. */
  readonly mode?: ClamdScanMode;
  readonly maxInFlight?: number;
  readonly maxFileSize?: number;
  readonly serverAlertsOnLimits?: boolean;
  /**
   * Time budget of one file, in milliseconds. Default 60 s plus 1 s per
   * 10 MB (clamd reads a local file at ~0.5–1 GB/s; streams are slower).
   */
  readonly timeoutMs?: number;
}

/**
 * Is the file infected? Asks a scanner (ClamAV's clamd unless told
 * otherwise) and reports the signatures that matched and the engine and
 * database versions, as TDR's antivirus metadata records them. A scan that
 * could not be done (scanner unreachable, timed out, a limit hit, the file
 * gone) is an error, never clean.
 *
 * @example
 * ```ts
 * const check = antivirusCheck({ clamd: { kind: 'socket', path: '/run/clamav/clamd.ctl' } });
 * ```
 */
export function antivirusCheck(options: AntivirusCheckOptions = {}): FileCheck<AntivirusResult> {
  let engine = options.engine;
  const budget = (file: FileRef): number => options.timeoutMs ?? 60_000 + Math.ceil(file.size / 10_000_000) * 1_000;
  return {
    name: 'antivirus',
    version: ANTIVIRUS_CHECK_VERSION,
    async init(ctx) {
      engine ??= defaultEngine(options, ctx.logger);
      await engine.start(ctx.signal);
    },
    async check(file, ctx) {
      engine ??= defaultEngine(options);
      // Files wait for one of the few clamd connections; the budget counts from when one is theirs.
      const verdict = await engine.scan(file, { signal: ctx.signal, timeoutMs: budget(file), budget: ctx });
      ctx.progress(file.size);
      return {
        infected: verdict.infected,
        signatures: [...verdict.signatures],
        software: verdict.engine.software,
        softwareVersion: verdict.engine.softwareVersion,
        ...(verdict.engine.databaseVersion === undefined ? {} : { databaseVersion: verdict.engine.databaseVersion }),
        ...(verdict.engine.databaseDate === undefined ? {} : { databaseDate: verdict.engine.databaseDate }),
        result: verdict.signatures.join('\n'),
        datetime: Date.now(),
        method: verdict.method,
      };
    },
    async close() {
      await engine?.close();
    },
    describe(): ToolInfo {
      const info = engine?.info();
      if (!info) return { name: 'ClamAV', version: 'unknown' };
      const data: Record<string, string> = {};
      if (info.databaseVersion !== undefined) data['database'] = info.databaseVersion;
      if (info.databaseDate !== undefined) data['databaseDate'] = info.databaseDate;
      return { name: info.software, version: info.softwareVersion, ...(Object.keys(data).length > 0 ? { data } : {}) };
    },
    timeoutMs: budget,
  };
}

function defaultEngine(options: AntivirusCheckOptions, logger?: Logger): ScanEngine {
  const address = options.clamd ?? resolveClamdAddress()?.address;
  if (!address) {
    throw new CheckError(
      ErrorCode.NotConfigured,
      'the antivirus check needs a clamd: give its address (--clamd, $CLAMD_SOCKET or $CLAMD_HOST), or install clamav-daemon',
    );
  }
  return new ClamdEngine({
    address,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    ...(options.maxFileSize === undefined ? {} : { maxFileSize: options.maxFileSize }),
    ...(options.serverAlertsOnLimits === undefined ? {} : { serverAlertsOnLimits: options.serverAlertsOnLimits }),
    ...(logger ? { logger } : {}),
  });
}
