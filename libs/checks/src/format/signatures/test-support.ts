/**
 * Test utilities for code that uses the PRONOM engine: small signature
 * files written from records, and an in-memory `ContainerView`. Not part
 * of the public API (`index.ts` does not export them); import by path.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ContainerError, type ContainerType, type ContainerView } from '../containers/types.js';
import { findSignatureFiles, loadSignatures } from './load.js';
import type { PronomSignatures } from './model.js';

export interface TestFragment {
  readonly position: number;
  readonly min: number;
  readonly max?: number;
  readonly text: string;
}

export interface TestSubSequence {
  readonly sequence: string;
  readonly min?: number;
  /** Omitted: no `SubSeqMaxOffset` attribute. */
  readonly max?: number;
  readonly left?: readonly TestFragment[];
  readonly right?: readonly TestFragment[];
}

export interface TestByteSequence {
  /** Omitted: no `Reference` attribute (a variable-position sequence). */
  readonly reference?: string;
  readonly endianness?: string;
  readonly indirectLocation?: number;
  readonly indirectLength?: number;
  readonly subSequences: readonly TestSubSequence[];
}

export interface TestSignature {
  readonly id: number;
  readonly byteSequences: readonly TestByteSequence[];
}

export interface TestFormat {
  readonly id: number;
  readonly puid: string;
  readonly name?: string;
  readonly version?: string;
  readonly mimeType?: string;
  readonly signatureIds?: readonly number[];
  readonly extensions?: readonly string[];
  readonly hasPriorityOver?: readonly number[];
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escape(String(value))}"`)
    .join('');
}

function internalSignatureXml(signature: TestSignature): string {
  const sequences = signature.byteSequences.map((sequence) => {
    const subs = sequence.subSequences.map((sub, index) => {
      const fragments = [
        ...(sub.left ?? []).map((fragment) => ({ ...fragment, tag: 'LeftFragment' })),
        ...(sub.right ?? []).map((fragment) => ({ ...fragment, tag: 'RightFragment' })),
      ]
        .map(
          (fragment) =>
            `<${fragment.tag}${attributes({ MaxOffset: fragment.max ?? fragment.min, MinOffset: fragment.min, Position: fragment.position })}>${escape(fragment.text)}</${fragment.tag}>`,
        )
        .join('');
      return `<SubSequence${attributes({ Position: index + 1, SubSeqMaxOffset: sub.max, SubSeqMinOffset: sub.min ?? 0 })}><Sequence>${escape(sub.sequence)}</Sequence>${fragments}</SubSequence>`;
    });
    return `<ByteSequence${attributes({
      Endianness: sequence.endianness,
      IndirectOffsetLength: sequence.indirectLength,
      IndirectOffsetLocation: sequence.indirectLocation,
      Reference: sequence.reference,
    })}>${subs.join('')}</ByteSequence>`;
  });
  return `<InternalSignature ID="${signature.id}" Specificity="Specific">${sequences.join('')}</InternalSignature>`;
}

/** A DROID binary signature file with these signatures and formats. */
export function buildBinarySignatureXml(
  signatures: readonly TestSignature[],
  formats: readonly TestFormat[],
  version = '1',
): string {
  const formatXml = formats.map((format) => {
    const children = [
      ...(format.signatureIds ?? []).map((id) => `<InternalSignatureID>${id}</InternalSignatureID>`),
      ...(format.extensions ?? []).map((extension) => `<Extension>${escape(extension)}</Extension>`),
      ...(format.hasPriorityOver ?? []).map((id) => `<HasPriorityOverFileFormatID>${id}</HasPriorityOverFileFormatID>`),
    ].join('');
    return `<FileFormat${attributes({
      ID: format.id,
      MIMEType: format.mimeType,
      Name: format.name ?? `Format ${format.puid}`,
      PUID: format.puid,
      Version: format.version,
    })}>${children}</FileFormat>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<FFSignatureFile DateCreated="2026-01-01T00:00:00" Version="${escape(version)}" xmlns="http://www.nationalarchives.gov.uk/pronom/SignatureFile">`,
    `<InternalSignatureCollection>${signatures.map(internalSignatureXml).join('')}</InternalSignatureCollection>`,
    `<FileFormatCollection>${formatXml.join('')}</FileFormatCollection>`,
    '</FFSignatureFile>',
  ].join('\n');
}

export interface TestContainerSignature {
  readonly id: number;
  readonly containerType: string;
  readonly description?: string;
  readonly files: readonly { readonly path: string; readonly signatures?: readonly TestSignature[] }[];
}

/** A DROID container signature file. */
export function buildContainerSignatureXml(
  signatures: readonly TestContainerSignature[],
  mappings: readonly { readonly signatureId: number; readonly puid: string }[],
  triggers: readonly { readonly containerType: string; readonly puid: string }[] = [
    { containerType: 'OLE2', puid: 'fmt/111' },
    { containerType: 'ZIP', puid: 'x-fmt/263' },
  ],
  signatureVersion = '1',
): string {
  const signatureXml = signatures.map((signature) => {
    const files = signature.files.map((file) => {
      const binary =
        file.signatures === undefined || file.signatures.length === 0
          ? ''
          : `<BinarySignatures><InternalSignatureCollection>${file.signatures.map(internalSignatureXml).join('')}</InternalSignatureCollection></BinarySignatures>`;
      return `<File><Path>${escape(file.path)}</Path>${binary}</File>`;
    });
    return `<ContainerSignature Id="${signature.id}" ContainerType="${escape(signature.containerType)}"><Description>${escape(signature.description ?? `container ${signature.id}`)}</Description><Files>${files.join('')}</Files></ContainerSignature>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<ContainerSignatureMapping schemaVersion="1.0" signatureVersion="${escape(signatureVersion)}">`,
    `<ContainerSignatures>${signatureXml.join('')}</ContainerSignatures>`,
    `<FileFormatMappings>${mappings.map((mapping) => `<FileFormatMapping signatureId="${mapping.signatureId}" Puid="${escape(mapping.puid)}"/>`).join('')}</FileFormatMappings>`,
    `<TriggerPuids>${triggers.map((trigger) => `<TriggerPuid ContainerType="${escape(trigger.containerType)}" Puid="${escape(trigger.puid)}"/>`).join('')}</TriggerPuids>`,
    '</ContainerSignatureMapping>',
  ].join('\n');
}

/**
 * An in-memory container: entries by path (directories end with `/` and
 * have no bytes). Records every read, so tests can check how much was asked.
 */
export class MemoryContainerView implements ContainerView {
  readonly reads: { path: string; maxBytes: number }[] = [];
  private readonly entries: Map<string, Uint8Array | Error | null>;

  constructor(
    readonly type: ContainerType,
    entries: Record<string, Uint8Array | string | Error | null>,
  ) {
    this.entries = new Map(
      Object.entries(entries).map(([path, value]) => [
        path,
        typeof value === 'string' ? new TextEncoder().encode(value) : value,
      ]),
    );
  }

  paths(): readonly string[] {
    return [...this.entries.keys()];
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  async read(path: string, maxBytes: number): Promise<Uint8Array> {
    this.reads.push({ path, maxBytes });
    const entry = this.entries.get(path);
    if (entry === undefined) throw new ContainerError('MALFORMED', `no entry ${path}`);
    if (entry === null) throw new ContainerError('UNSUPPORTED', `${path} is a storage, not a stream`);
    if (entry instanceof Error) throw entry;
    return entry.subarray(0, maxBytes);
  }
}

/**
 * The shared test data folder (`shared/` next to the repository: PRONOM
 * signature files and the skeleton corpus), or `$TDR_SHARED_DIR`.
 * @throws Error saying where it was looked for, when it is missing.
 */
export function sharedTestDataDir(): string {
  const dir = process.env['TDR_SHARED_DIR'] ?? resolve(import.meta.dirname, '../../../../../../shared');
  if (!existsSync(join(dir, 'pronom')) || !existsSync(join(dir, 'corpus'))) {
    throw new Error(
      `PRONOM test data not found in ${dir} (expected pronom/ and corpus/ there: the shared folder next to the repository, ../shared from its root); set TDR_SHARED_DIR to its location`,
    );
  }
  return dir;
}

/**
 * The shared PRONOM signatures (`shared/pronom`), loaded before the calling
 * file's or `describe`'s tests through a compiled cache of their own, which
 * is removed after them. Call it before the hooks that use the result; call
 * the result to get the signatures.
 */
export function useSharedSignatures(): () => PronomSignatures {
  let cacheDir: string | undefined;
  let signatures: PronomSignatures | undefined;
  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'tdr-pronom-'));
    signatures = await loadSignatures(findSignatureFiles(join(sharedTestDataDir(), 'pronom')), { cacheDir });
  }, 120_000);
  afterAll(() => {
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });
  return () => {
    if (!signatures) throw new Error('useSharedSignatures(): the signatures are loaded in beforeAll, not yet');
    return signatures;
  };
}
