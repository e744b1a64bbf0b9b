/**
 * The compiled signature data (plain, serialisable: what the cache holds)
 * and `PronomSignatures`, the loaded engine built from it once per process.
 */
import { serialize } from 'node:v8';
import type { ContainerType } from '../containers/types.js';
import { type CompiledSequence, type CompiledSignature, compileInternalSignature } from './compile.js';
import { type CompiledPrefilter, compilePrefilter, HEAD, Prefilter, type Side, sequenceReach, TAIL } from './prefilter.js';
import { type PreparedElement, prepareElements } from './sequence-matcher.js';
import type { ContainerSignatureInfo, FormatInfo, LoadInfo, SignatureVersions } from './types.js';
import { ClassInterner, type ClassTable } from './units.js';
import type { RawBinaryFile, RawContainerFile, RawInternalSignature } from './xml.js';

/** Bumped whenever the compiled form or its meaning changes; part of the cache key. */
export const COMPILED_FORMAT_VERSION = 4;

export interface CompiledContainerFile {
  readonly path: string;
  /** Whether the XML gives binary signatures for this file (if none compiled, the file can never match). */
  readonly hasSignatures: boolean;
  /** Any one of them must match the entry's bytes. */
  readonly signatures: readonly CompiledSignature[];
}

export interface CompiledContainerSignature {
  readonly id: number;
  readonly containerType: string;
  readonly description: string;
  readonly files: readonly CompiledContainerFile[];
}

export interface CompiledModel {
  readonly compiledFormatVersion: number;
  readonly versions: SignatureVersions;
  readonly formats: readonly FormatInfo[];
  readonly classes: ClassTable;
  /** Valid binary signatures in DROID's order (by sort order, then file order). */
  readonly signatures: readonly CompiledSignature[];
  readonly container:
    | {
        readonly signatures: readonly CompiledContainerSignature[];
        readonly mappings: readonly { readonly signatureId: number; readonly puid: string }[];
        readonly triggers: readonly { readonly containerType: string; readonly puid: string }[];
      }
    | undefined;
  /** Signatures DROID would drop as invalid, and why. */
  readonly warnings: readonly string[];
  /** The binary signatures' prefilter (automata and lookup tables), built with the model so that loading is cheap. */
  readonly prefilter: CompiledPrefilter;
}

function splitMime(mimeType: string): string[] {
  return mimeType
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** Compiles parsed signature files into the serialisable model. */
export function compileModel(
  binary: RawBinaryFile,
  container: RawContainerFile | undefined,
  versions: SignatureVersions,
): CompiledModel {
  const classes = new ClassInterner();
  const warnings: string[] = [];
  const compileAll = (raws: readonly RawInternalSignature[], where: string): CompiledSignature[] => {
    const out: CompiledSignature[] = [];
    for (const raw of raws) {
      try {
        out.push(compileInternalSignature(raw, classes));
      } catch (error) {
        warnings.push(`${where}signature ${raw.id} dropped: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return out;
  };
  const signatures = compileAll(binary.signatures, '')
    .map((signature, index) => ({ signature, index }))
    .sort((a, b) => a.signature.sortOrder - b.signature.sortOrder || a.index - b.index)
    .map(({ signature }) => signature);
  const formats = binary.formats.map(
    (format): FormatInfo => ({
      id: format.id,
      puid: format.puid,
      name: format.name,
      version: format.version,
      mimeType: format.mimeType,
      mimeTypes: splitMime(format.mimeType),
      extensions: format.extensions,
      signatureIds: format.signatureIds,
      hasPriorityOver: format.hasPriorityOver,
    }),
  );
  const compiledContainer =
    container === undefined
      ? undefined
      : {
          signatures: container.signatures.map(
            (signature): CompiledContainerSignature => ({
              id: signature.id,
              containerType: signature.containerType,
              description: signature.description,
              files: signature.files.map((file) => ({
                path: file.path,
                hasSignatures: file.signatures.length > 0,
                signatures: compileAll(file.signatures, `container ${signature.id} ${file.path}: `),
              })),
            }),
          ),
          mappings: container.mappings,
          triggers: container.triggers,
        };
  return {
    compiledFormatVersion: COMPILED_FORMAT_VERSION,
    versions,
    formats,
    classes: classes.table(),
    signatures,
    container: compiledContainer,
    warnings,
    prefilter: compilePrefilter(signatures),
  };
}

/** A compiled sequence ready to match. */
export interface PreparedSequence {
  readonly signatureIndex: number;
  readonly side: Side;
  readonly anchor: 'BOF' | 'EOF' | 'VAR';
  readonly indirect: CompiledSequence['indirect'];
  readonly elements: readonly PreparedElement[];
  /** How far from its side's end it can match (Infinity: anywhere in the window). */
  readonly reach: number;
}

/** A sequence whose elements are prepared when it is first matched (most never are in a process). */
class LazySequence implements PreparedSequence {
  readonly side: Side;
  readonly anchor: PreparedSequence['anchor'];
  readonly indirect: CompiledSequence['indirect'];
  #elements: readonly PreparedElement[] | undefined;
  #reach: number | undefined;

  constructor(
    readonly signatureIndex: number,
    private readonly compiled: CompiledSequence,
    private readonly classes: ClassTable,
  ) {
    this.side = compiled.anchor === 'EOF' ? TAIL : HEAD;
    this.anchor = compiled.anchor;
    this.indirect = compiled.indirect;
  }

  get elements(): readonly PreparedElement[] {
    return (this.#elements ??= prepareElements(this.compiled.elements, this.classes));
  }

  get reach(): number {
    return (this.#reach ??= sequenceReach(this.compiled));
  }
}

/**
 * The binary signatures ready to match: the prefilter (ready-made in the
 * model), and sequences and format lists made on first use, so that loading
 * costs next to nothing. Signatures are numbered in the model's order,
 * sequences across signatures in order (as the prefilter numbers them).
 */
export class BinaryEngine {
  readonly prefilter: Prefilter;
  readonly #model: CompiledModel;
  readonly #containerPuids: ReadonlySet<string>;
  readonly #sequences: (PreparedSequence | undefined)[];
  #formatsById: Map<number, number[]> | undefined;
  readonly #formats: [(readonly number[] | undefined)[], (readonly number[] | undefined)[]] = [[], []];

  constructor(model: CompiledModel, containerPuids: ReadonlySet<string>) {
    this.#model = model;
    this.#containerPuids = containerPuids;
    this.prefilter = new Prefilter(model.prefilter);
    this.#sequences = new Array<PreparedSequence | undefined>(model.prefilter.sequenceSignature.length);
  }

  /** The `InternalSignature` ID of signature `index`. */
  signatureId(index: number): number {
    return (this.#model.signatures[index] as CompiledSignature).id;
  }

  /** Indexes of the sequences of signature `index`. */
  sequencesOf(index: number): number[] {
    const first = this.#model.prefilter.signatureFirst[index] as number;
    return Array.from({ length: this.#model.prefilter.signatureSize[index] as number }, (_, offset) => first + offset);
  }

  /** Sequence `index` (its elements are prepared when first matched). */
  sequence(index: number): PreparedSequence {
    let sequence = this.#sequences[index];
    if (sequence === undefined) {
      const prefilter = this.#model.prefilter;
      const signatureIndex = prefilter.sequenceSignature[index] as number;
      const compiled = (this.#model.signatures[signatureIndex] as CompiledSignature).sequences[
        index - (prefilter.signatureFirst[signatureIndex] as number)
      ] as CompiledSequence;
      sequence = new LazySequence(signatureIndex, compiled, this.#model.classes);
      this.#sequences[index] = sequence;
    }
    return sequence;
  }

  /**
   * Indexes of the formats signature `index` identifies, in file order
   * (FFSignatureFile.setAllSignatureFileFormats); without the formats that
   * have container signatures unless `useContainerFormats`.
   */
  formatsOf(index: number, useContainerFormats: boolean): readonly number[] {
    const cache = this.#formats[useContainerFormats ? 1 : 0];
    let formats = cache[index];
    if (formats === undefined) {
      const model = this.#model;
      if (this.#formatsById === undefined) {
        const byId = new Map<number, number[]>();
        model.formats.forEach((format, formatIndex) => {
          for (const id of format.signatureIds) {
            const list = byId.get(id) ?? [];
            if (!list.includes(formatIndex)) list.push(formatIndex);
            byId.set(id, list);
          }
        });
        this.#formatsById = byId;
      }
      const all = this.#formatsById.get(this.signatureId(index)) ?? [];
      formats = useContainerFormats ? all : all.filter((format) => !this.#containerPuids.has((model.formats[format] as FormatInfo).puid));
      cache[index] = formats;
    }
    return formats;
  }
}

/**
 * Loaded PRONOM signatures: formats, compiled binary and container
 * signatures, and the indexes that make identification fast. Build with
 * `loadSignatures` (or `compileSignatures`); share one per process (or per
 * worker thread: send `model` and construct it there, which is cheap).
 * Its data never changes once built; caches filled on first use and the
 * prefilter's scratch arrays are only touched inside synchronous calls, so
 * concurrent identifications in one thread may share it.
 * @example
 * const signatures = await loadSignatures(findSignatureFiles(dir));
 * signatures.format('fmt/276')?.name; // 'Acrobat PDF 1.7 - Portable Document Format'
 * signatures.describe(); // 'PRONOM binary V122 / container 20260119'
 */
export class PronomSignatures {
  readonly versions: SignatureVersions;
  readonly formats: readonly FormatInfo[];
  /** Container type by trigger PUID (`fmt/111` → `OLE2`, `x-fmt/263` → `ZIP`). */
  readonly containerTriggers: ReadonlyMap<string, ContainerType>;
  /** PUIDs that container signatures map to. */
  readonly containerPuids: ReadonlySet<string>;
  /** Signatures DROID would drop as invalid, and why (empty for the current files). */
  readonly warnings: readonly string[];
  /** @internal */
  readonly model: CompiledModel;
  /** @internal */
  readonly engine: BinaryEngine;
  #containerSignatures: Map<string, PreparedContainerSignature[]> | undefined;
  #containerMappings: Map<number, string[]> | undefined;
  #formatIndex: { byPuid: Map<string, number>; byId: Map<number, number> } | undefined;
  #extensions: { all: Map<string, number[]>; tentative: Map<string, number[]> } | undefined;
  #serialized: Uint8Array | undefined;

  /**
   * Only what every identification needs is made here (about a millisecond:
   * the prefilter comes ready-made in the model); indexes needed for
   * containers, extension matches and look-ups are made on first use.
   * @param serialized `model` as `v8.serialize` wrote it, when at hand (read from the cache).
   */
  constructor(model: CompiledModel, serialized?: Uint8Array) {
    this.model = model;
    this.#serialized = serialized;
    this.versions = model.versions;
    this.formats = model.formats;
    this.warnings = model.warnings;
    const triggers = new Map<string, ContainerType>();
    for (const trigger of model.container?.triggers ?? []) {
      if (trigger.containerType === 'ZIP' || trigger.containerType === 'OLE2') {
        triggers.set(trigger.puid, trigger.containerType);
      }
    }
    this.containerTriggers = triggers;
    this.containerPuids = new Set((model.container?.mappings ?? []).map((mapping) => mapping.puid));
    this.engine = new BinaryEngine(model, this.containerPuids);
  }

  /** @internal container signatures prepared for matching, by container type */
  get containerSignatures(): ReadonlyMap<string, readonly PreparedContainerSignature[]> {
    return (this.#containerSignatures ??= prepareContainerSignatures(this.model));
  }

  /** @internal PUIDs by container signature ID */
  get containerMappings(): ReadonlyMap<number, readonly string[]> {
    if (this.#containerMappings === undefined) {
      const mappings = new Map<number, string[]>();
      for (const mapping of this.model.container?.mappings ?? []) {
        const puids = mappings.get(mapping.signatureId) ?? [];
        if (!puids.includes(mapping.puid)) puids.push(mapping.puid);
        mappings.set(mapping.signatureId, puids);
      }
      this.#containerMappings = mappings;
    }
    return this.#containerMappings;
  }

  /** @internal upper-case extension → format indexes */
  get allByExtension(): ReadonlyMap<string, readonly number[]> {
    return this.extensionIndexes().all;
  }

  /** @internal formats without signatures (DROID's "tentative" formats), upper-case extension → format indexes */
  get tentativeByExtension(): ReadonlyMap<string, readonly number[]> {
    return this.extensionIndexes().tentative;
  }

  private extensionIndexes(): { all: Map<string, number[]>; tentative: Map<string, number[]> } {
    if (this.#extensions === undefined) {
      const all = new Map<string, number[]>();
      const tentative = new Map<string, number[]>();
      // FFSignatureFile.buildFileExtensions: every format by extension, and the
      // "tentative" ones (no InternalSignatureID); puidHasOverridingSignatures
      // then takes formats with container signatures out of the tentative list.
      this.formats.forEach((format, index) => {
        for (const extension of format.extensions) {
          const key = extension.toUpperCase();
          add(all, key, index);
          if (format.signatureIds.length === 0 && !this.containerPuids.has(format.puid)) add(tentative, key, index);
        }
      });
      this.#extensions = { all, tentative };
    }
    return this.#extensions;
  }

  private formatIndex(): { byPuid: Map<string, number>; byId: Map<number, number> } {
    if (this.#formatIndex === undefined) {
      const byPuid = new Map<string, number>();
      const byId = new Map<number, number>();
      this.formats.forEach((format, index) => {
        if (!byPuid.has(format.puid)) byPuid.set(format.puid, index);
        if (!byId.has(format.id)) byId.set(format.id, index);
      });
      this.#formatIndex = { byPuid, byId };
    }
    return this.#formatIndex;
  }

  private info: LoadInfo | undefined;

  /** How these signatures were loaded (set by `loadSignatures`). */
  get loadInfo(): LoadInfo | undefined {
    return this.info;
  }

  /**
   * The model as `v8.serialize` writes it, which worker threads deserialize
   * (and the cache holds): the cache's own bytes when it came from one (a
   * serialization saved: ~12 ms), else made once.
   */
  serialized(): Uint8Array {
    this.#serialized ??= serialize(this.model);
    return this.#serialized;
  }

  /** @internal */
  withLoadInfo(info: LoadInfo): this {
    this.info = info;
    return this;
  }

  /** The format with this PUID, if the binary signature file lists it. */
  format(puid: string): FormatInfo | undefined {
    const index = this.formatIndexOf(puid);
    return index === undefined ? undefined : this.formats[index];
  }

  /** @internal index in `formats` of the first format with this PUID */
  formatIndexOf(puid: string): number | undefined {
    return this.formatIndex().byPuid.get(puid);
  }

  /** The format with this internal ID. */
  formatById(id: number): FormatInfo | undefined {
    const index = this.formatIndex().byId.get(id);
    return index === undefined ? undefined : this.formats[index];
  }

  /** The container signatures, in file order. */
  containerSignatureList(): ContainerSignatureInfo[] {
    return (this.model.container?.signatures ?? []).map((signature) => ({
      id: signature.id,
      containerType: signature.containerType,
      description: signature.description,
      files: signature.files.map((file) => ({
        path: file.path,
        binarySignatureIds: file.signatures.map((embedded) => embedded.id),
      })),
      puids: this.containerMappings.get(signature.id) ?? [],
    }));
  }

  /** `PRONOM binary V122 / container 20260119`. */
  describe(): string {
    const container = this.versions.container;
    return `PRONOM binary ${this.versions.binary.display}${container === undefined ? '' : ` / container ${container.display}`}`;
  }
}

function add(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** A container signature with its embedded signatures ready to match. */
export interface PreparedContainerSignature {
  readonly id: number;
  readonly containerType: string;
  readonly description: string;
  readonly files: readonly {
    readonly path: string;
    readonly hasSignatures: boolean;
    readonly signatures: readonly {
      readonly id: number;
      readonly sequences: readonly Omit<PreparedSequence, 'signatureIndex'>[];
    }[];
    /** Bytes from the entry's start its signatures can reach; `Infinity` when they need the whole entry. */
    readonly reach: number;
  }[];
}

function prepareContainerSignatures(model: CompiledModel): Map<string, PreparedContainerSignature[]> {
  const out = new Map<string, PreparedContainerSignature[]>();
  for (const signature of model.container?.signatures ?? []) {
    const prepared: PreparedContainerSignature = {
      id: signature.id,
      containerType: signature.containerType,
      description: signature.description,
      files: signature.files.map((file) => ({
        path: file.path,
        hasSignatures: file.hasSignatures,
        signatures: file.signatures.map((embedded) => ({
          id: embedded.id,
          sequences: embedded.sequences.map((sequence) => new LazySequence(-1, sequence, model.classes)),
        })),
        reach: Math.max(0, ...file.signatures.flatMap((embedded) => embedded.sequences.map(readReach))),
      })),
    };
    const list = out.get(signature.containerType) ?? [];
    list.push(prepared);
    out.set(signature.containerType, list);
  }
  return out;
}

/** How many bytes from an entry's start a sequence needs read: its reach for BOF sequences, Infinity for anything else. */
function readReach(sequence: CompiledSequence): number {
  return sequence.anchor === 'BOF' ? sequenceReach(sequence) : Infinity;
}
