import { CheckError, ErrorCode } from '../errors.js';
import type { FileCheck, FileRef, Logger, ToolInfo } from '../types.js';
import { ContainerError, openCfb, openZip, type ContainerType, type ContainerView } from './containers/index.js';
import type { FormatResult, FormatResultMatch } from './result.js';
import {
  DEFAULT_WINDOW_BYTES,
  findSignatureFiles,
  identify,
  identifyContainer,
  loadSignatures,
  readWindow,
  resolveIdentification,
  type Identification,
  type PronomSignatures,
} from './signatures/index.js';
import { HOW_TO_GET_SIGNATURES } from './store/index.js';

export const FORMAT_CHECK_VERSION = '1.0.0';

export interface FormatCheckOptions {
  /** The folder holding the PRONOM signature files (the runner resolves `--signatures`, `TDR_SIGNATURES_DIR`, the per-user default). */
  readonly signaturesDir: string;
  /** How that folder was chosen, for messages (`--signatures`, `TDR_SIGNATURES_DIR`, `the per-user default`). */
  readonly signaturesDirSource?: string;
  /** Bytes read from each end of a file (DROID's "max bytes to scan"). Default 64 KiB. */
  readonly windowBytes?: number;
  /** Where the compiled signatures are cached; `false` for no cache. Default: the per-user cache folder. */
  readonly cacheDir?: string | false;
  /**
   * Binary signatures of formats that also have container signatures:
   * `'use'` (default, as siegfried) reports such a format from its bytes when
   * its container cannot be read; `'ignore'` (DROID) never does.
   */
  readonly containerFormatBinarySignatures?: 'use' | 'ignore';
}

/**
 * Identifies each file's PRONOM format from the DROID signature files:
 * binary signatures on the first and last bytes, then, for ZIP and OLE2
 * files, container signatures on their entries; extension-only when no
 * signature matches. Reads a bounded window whatever the file's size.
 *
 * @example
 * ```ts
 * const check = formatCheck({ signaturesDir: '/opt/pronom' });
 * ```
 */
export function formatCheck(options: FormatCheckOptions): FileCheck<FormatResult> {
  const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const mode = options.containerFormatBinarySignatures ?? 'use';
  let signatures: PronomSignatures | undefined;
  let unavailable: CheckError | undefined;
  let tool: ToolInfo = { name: 'tdr-checks PRONOM engine', version: FORMAT_CHECK_VERSION, data: { binarySignatures: 'none' } };

  return {
    name: 'format',
    version: FORMAT_CHECK_VERSION,

    async init(ctx) {
      try {
        const files = findSignatureFiles(options.signaturesDir);
        signatures = await loadSignatures(files, {
          ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
          logger: ctx.logger,
        });
        const versions = signatures.versions;
        tool = {
          name: 'tdr-checks PRONOM engine',
          version: FORMAT_CHECK_VERSION,
          data: {
            binarySignatures: versions.binary.display,
            ...(versions.container ? { containerSignatures: versions.container.display } : {}),
          },
        };
      } catch (error) {
        // Not fatal for the run (the other checks still run); every file says why, never a silent pass.
        const from = options.signaturesDirSource ? ` (chosen by ${options.signaturesDirSource})` : '';
        unavailable = new CheckError(
          ErrorCode.NotConfigured,
          `no usable PRONOM signature files in ${options.signaturesDir}${from}: ${(error as Error).message}. ${HOW_TO_GET_SIGNATURES}`,
        );
        ctx.logger.warn(unavailable.message);
      }
    },

    async check(file, ctx) {
      if (unavailable || !signatures) throw unavailable ?? new CheckError(ErrorCode.NotConfigured, 'the format check was not initialised');
      const window = await readWindow(file, windowBytes, ctx.signal);
      const binary = identify(signatures, window, file.path, { containerFormatBinarySignatures: mode });
      if (binary.containerType === undefined) return toResult(binary, signatures);
      try {
        const view = await openContainer(binary.containerType, file, ctx.signal);
        const container = await identifyContainer(signatures, view, { fileName: file.path });
        return toResult(resolveIdentification(binary, container), signatures);
      } catch (error) {
        if (!(error instanceof ContainerError)) throw error;
        // As DROID: a container that cannot be read leaves the byte-level answer standing.
        return toResult(binary, signatures, `${binary.containerType} container could not be read (${error.code}): ${error.message}`);
      }
    },

    describe: () => tool,
  };
}

/** The file as the container it claims to be (reads through `FileRef.read`, bounded by the readers' limits). */
async function openContainer(type: ContainerType, file: FileRef, signal: AbortSignal): Promise<ContainerView> {
  const source = { size: file.size, read: (position: number, length: number) => file.read(position, length, signal) };
  return type === 'ZIP' ? openZip(source) : openCfb(source);
}

function toResult(identification: Identification, signatures: PronomSignatures, containerProblem?: string): FormatResult {
  const matches: FormatResultMatch[] = identification.matches.map((match) => ({
    puid: match.puid,
    formatName: match.name,
    formatVersion: match.version,
    mimeType: match.mimeType.split(',')[0]?.trim() ?? '',
    method: match.method,
    basis: match.basis,
    extension: identification.extension,
    extensionMismatch: match.extensionMismatch,
  }));
  const only = matches.length === 1 ? matches[0] : undefined;
  const versions = signatures.versions;
  return {
    puid: only?.puid ?? null,
    formatName: only?.formatName ?? null,
    formatVersion: only?.formatVersion ?? null,
    mimeType: only?.mimeType ?? null,
    method: only?.method ?? null,
    basis: only?.basis ?? null,
    extensionMismatch: identification.extensionMismatch,
    matches,
    signatureVersions: { binary: versions.binary.display, container: versions.container?.display ?? null },
    ...(containerProblem === undefined ? {} : { containerProblem }),
  };
}

export type { Logger };
