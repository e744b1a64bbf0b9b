import { ContainerError, openCfb, openZip, type ContainerType, type RandomAccess } from './containers/index.js';
import type { FormatResult, FormatResultMatch } from './result.js';
import {
  identify,
  identifyContainer,
  resolveIdentification,
  type ByteWindow,
  type Identification,
  type PronomSignatures,
} from './signatures/index.js';

/**
 * One file's identification, the same on the main thread and in a worker:
 * binary signatures on the window, then, when a container format matched,
 * container signatures on its entries (a container that cannot be read
 * leaves the byte-level answer standing, as in DROID).
 */
export function identifyFile(
  signatures: PronomSignatures,
  file: RandomAccess,
  window: ByteWindow,
  fileName: string,
  containerFormatBinarySignatures: 'use' | 'ignore',
): FormatResult | Promise<FormatResult> {
  const binary = identify(signatures, window, fileName, { containerFormatBinarySignatures });
  // Synchronous unless there is a container to open: most files are done without a promise.
  const type = binary.containerType;
  return type === undefined ? toFormatResult(binary, signatures) : identifyInContainer(signatures, file, binary, type, fileName);
}

async function identifyInContainer(
  signatures: PronomSignatures,
  file: RandomAccess,
  binary: Identification,
  type: ContainerType,
  fileName: string,
): Promise<FormatResult> {
  try {
    const view = type === 'ZIP' ? await openZip(file) : await openCfb(file);
    const container = await identifyContainer(signatures, view, { fileName });
    return toFormatResult(resolveIdentification(binary, container), signatures);
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    return toFormatResult(binary, signatures, `${type} container could not be read (${error.code}): ${error.message}`);
  }
}

function toFormatResult(identification: Identification, signatures: PronomSignatures, containerProblem?: string): FormatResult {
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
