/**
 * Container identification: which container signatures match an opened
 * ZIP or OLE2 container, mapped to PUIDs.
 *
 * DROID semantics (droid-container):
 * - A container signature matches when every one of its `File`s is found,
 *   and, for a `File` with binary signatures, ANY of them matches the
 *   entry's bytes (`ContainerSignatureMatch.matchBinaryContent` →
 *   `InternalSignatureCollection.getMatchingSignatures(…).size() > 0`).
 * - ZIP (`ZipIdentifierEngine.getEntry`): the entry of exactly that name,
 *   else the first non-directory entry that `FileMatcher.fileMatches`
 *   (./container-paths.ts). Its content is matched whether or not it has
 *   binary signatures. A read error on a ZIP entry fails the whole container
 *   (`ZipIdentifierEngine.process` lets it propagate; DROID then keeps the
 *   binary result): `identifyContainer` rejects with it.
 * - OLE2 (`Ole2IdentifierEngine.process`, `ContainerSignatureMatch.matchFileEntry`):
 *   names are trimmed (see ./container-paths.ts); a `File` without binary
 *   signatures is found by `FileMatcher.fileMatches` on any entry, storages
 *   included; a `File` with binary signatures only by its exact path. A read
 *   error is logged by DROID and the rest goes on: that `File` does not match.
 * - Results: every matching signature (in file order) gives every PUID its
 *   `FileFormatMapping`s name, once each (`AbstractContainerIdentifier.submit`);
 *   then `removeLowerPriorityHits` and the extension mismatch check with the
 *   binary file's formats, as for binary results
 *   (droid-results `SubmissionGateway.handleContainer`).
 * - When no container signature matches, DROID keeps the binary result
 *   (`resolveIdentification`).
 *
 * Only as many bytes of an entry are read as its signatures can reach: the
 * furthest offset of BOF-anchored signatures, or, for signatures that search
 * or look at the end, the whole entry up to `maxEntryBytes`.
 */
import type { ContainerView } from '../containers/types.js';
import { droidOle2Path, EntryFinder } from './container-paths.js';
import {
  applyPriorities,
  droidExtension,
  hasExtensionMismatch,
  matchSequence,
  type PreparedWindow,
  windowOver,
} from './identify.js';
import type { PreparedContainerSignature, PronomSignatures } from './model.js';
import type { FormatInfo, FormatMatch, Identification } from './types.js';

/** Default for {@link ContainerIdentifyOptions.maxEntryBytes}. */
export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

export interface ContainerIdentifyOptions {
  /** The container file's name: for the extension mismatch and `{containerFileName}` paths. */
  readonly fileName?: string;
  /**
   * Most bytes read from one entry whose signatures search it or look at
   * its end (DROID reads the whole entry). Bounded signatures read only
   * what they can reach. Default 1 MiB.
   */
  readonly maxEntryBytes?: number;
}

type PreparedFile = PreparedContainerSignature['files'][number];

/**
 * Applies the container signatures of `view.type` to an opened container.
 *
 * @returns The matches (method `Container`), after priorities; empty when
 *   no container signature matches (keep the binary result then).
 * @throws whatever `view.read` rejects with for a ZIP entry (DROID gives up on
 *   the container and keeps the binary result).
 * @example
 * const binary = identify(signatures, window, file.path);
 * if (binary.containerType !== undefined) {
 *   const view = await openContainer(binary.containerType, file); // the container readers
 *   const container = await identifyContainer(signatures, view, { fileName: file.path });
 *   return resolveIdentification(binary, container);
 * }
 */
export async function identifyContainer(
  signatures: PronomSignatures,
  view: ContainerView,
  options: ContainerIdentifyOptions = {},
): Promise<Identification> {
  const fileName = options.fileName;
  const extension = fileName === undefined ? '' : droidExtension(fileName);
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const candidates = signatures.containerSignatures.get(view.type) ?? [];
  const ole2 = view.type === 'OLE2';

  const paths = view.paths();
  const ole2Names = new Map<string, string>(); // DROID name → path in the view
  if (ole2) for (const path of paths) if (!ole2Names.has(droidOle2Path(path))) ole2Names.set(droidOle2Path(path), path);
  const finder = new EntryFinder(ole2 ? [...ole2Names.keys()] : paths.filter((path) => !path.endsWith('/')), fileName);

  /** The view path a signature `File` refers to, or undefined when it is absent. */
  const locate = (file: PreparedFile): string | undefined => {
    if (ole2) {
      const exact = ole2Names.get(file.path);
      if (exact !== undefined || file.hasSignatures) return exact;
      const name = finder.find(file.path);
      return name === undefined ? undefined : ole2Names.get(name);
    }
    return view.has(file.path) ? file.path : finder.find(file.path);
  };

  // Pass 1: where each File is, and how many bytes of each entry are needed.
  const located = new Map<PreparedFile, string | undefined>();
  const needed = new Map<string, number>();
  for (const signature of candidates) {
    for (const file of signature.files) {
      const path = locate(file);
      located.set(file, path);
      if (path !== undefined && file.hasSignatures) {
        // A signature that searches or looks at the end needs the whole entry: one byte past the
        // limit tells whether the entry is longer than that.
        const bytes = Number.isFinite(file.reach) ? Math.min(file.reach, maxEntryBytes) : maxEntryBytes + 1;
        needed.set(path, Math.max(needed.get(path) ?? 0, bytes));
      }
    }
  }

  // Pass 2: read each entry once.
  const windows = new Map<string, PreparedWindow | undefined>();
  for (const [path, bytes] of needed) {
    try {
      const content = await view.read(path, bytes);
      windows.set(path, entryWindow(content, bytes));
    } catch (error) {
      if (!ole2) throw error;
      windows.set(path, undefined);
    }
  }

  // Pass 3: match.
  const matchedPuids: string[] = [];
  const evidence = new Map<string, { ids: number[]; basis: string[] }>();
  for (const signature of candidates) {
    const parts: string[] = [];
    let matched = true;
    for (const file of signature.files) {
      const path = located.get(file);
      if (path === undefined) {
        matched = false;
        break;
      }
      if (!file.hasSignatures) {
        parts.push(`name ${file.path}`);
        continue;
      }
      const window = windows.get(path);
      const spans = window === undefined ? undefined : matchFile(signatures, window, file);
      if (spans === undefined) {
        matched = false;
        break;
      }
      parts.push(`${file.path} with byte match at ${spans}`);
    }
    if (!matched) continue;
    const basis = `container ${view.type}: ${parts.join(', ')} (signature ${signature.id})`;
    for (const puid of signatures.containerMappings.get(signature.id) ?? []) {
      let entry = evidence.get(puid);
      if (entry === undefined) {
        entry = { ids: [], basis: [] };
        evidence.set(puid, entry);
        matchedPuids.push(puid);
      }
      entry.ids.push(signature.id);
      entry.basis.push(basis);
    }
  }

  // Priorities and extension mismatch, with the binary file's formats.
  const known: number[] = [];
  const indexOf = new Map<string, number>();
  for (const puid of matchedPuids) {
    const index = signatures.formatIndexOf(puid);
    if (index === undefined) continue;
    indexOf.set(puid, index);
    known.push(index);
  }
  const { kept, lowerPriority } = applyPriorities(signatures, known);
  const keptPuids = new Set(kept.map((index) => (signatures.formats[index] as FormatInfo).puid));
  const matches: FormatMatch[] = [];
  for (const puid of matchedPuids) {
    const index = indexOf.get(puid);
    if (index !== undefined && !keptPuids.has(puid)) continue;
    const info = index === undefined ? undefined : signatures.formats[index];
    const { ids, basis } = evidence.get(puid) as { ids: number[]; basis: string[] };
    matches.push({
      puid,
      name: info?.name ?? descriptionOf(signatures, ids[0] as number, view.type),
      version: info?.version ?? '',
      mimeType: info?.mimeType ?? '',
      method: 'Container',
      basis: basis.join('; '),
      extensionMismatch: info !== undefined && fileName !== undefined && hasExtensionMismatch(info, extension),
      signatureIds: ids,
    });
  }
  return {
    extension,
    matches,
    extensionMismatch: matches.some((match) => match.extensionMismatch),
    lowerPriority,
  };
}

function descriptionOf(signatures: PronomSignatures, id: number, type: string): string {
  return signatures.containerSignatures.get(type)?.find((signature) => signature.id === id)?.description ?? '';
}

/** A window over an entry: complete when fewer bytes came back than asked for. */
function entryWindow(content: Uint8Array, asked: number): PreparedWindow {
  if (content.length < asked) return windowOver(content.length, content, content, true);
  // Possibly cut short: what lies at the entry's end is unknown.
  return windowOver(content.length, content, new Uint8Array(0), false);
}

/** `[[0 8]]`-style positions of the first embedded signature that matches, or undefined. */
function matchFile(signatures: PronomSignatures, window: PreparedWindow, file: PreparedFile): string | undefined {
  if (window.size === 0) return undefined;
  for (const embedded of file.signatures) {
    const spans: string[] = [];
    for (const sequence of embedded.sequences) {
      const span = matchSequence(window, sequence, signatures.model.classes);
      if (span === undefined) break;
      spans.push(`[${span[0]} ${span[1]}]`);
    }
    if (spans.length === embedded.sequences.length) return `[${spans.join(' ')}]`;
  }
  return undefined;
}

/**
 * DROID's choice between the two results (`SubmissionGateway`,
 * `DroidAPI.handleContainer`): the container matches when there are any,
 * else the binary identification.
 * @example
 * const result = resolveIdentification(binary, await identifyContainer(signatures, view, { fileName }));
 */
export function resolveIdentification(binary: Identification, container: Identification | undefined): Identification {
  return container !== undefined && container.matches.length > 0 ? container : binary;
}
