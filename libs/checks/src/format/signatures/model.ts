/**
 * The compiled signature data (plain, serialisable: what the cache holds)
 * and `PronomSignatures`, the loaded engine built from it once per process.
 */
import type { ContainerType } from '../containers/types.js';
import { type CompiledSignature, compileInternalSignature } from './compile.js';
import {
  type Automaton,
  buildAutomaton,
  chooseCondition,
  type Condition,
  HEAD,
  type Side,
} from './prefilter.js';
import { type PreparedElement, prepareElements } from './sequence-matcher.js';
import type { ContainerSignatureInfo, FormatInfo, LoadInfo, SignatureVersions } from './types.js';
import { ClassInterner, type ClassTable } from './units.js';
import type { RawBinaryFile, RawContainerFile, RawInternalSignature } from './xml.js';

/** Bumped whenever the compiled form or its meaning changes; part of the cache key. */
export const COMPILED_FORMAT_VERSION = 1;

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
  };
}

/** A compiled sequence ready to match, with its prefilter condition. */
export interface PreparedSequence {
  readonly signatureIndex: number;
  readonly side: Side;
  readonly anchor: 'BOF' | 'EOF' | 'VAR';
  readonly indirect: CompiledSignature['sequences'][number]['indirect'];
  readonly elements: readonly PreparedElement[];
  readonly condition: Condition;
}

export interface PreparedSignature {
  readonly id: number;
  readonly sequences: readonly number[];
}

/** Derived, per-process structures (rebuilt from the model at load: a few ms). */
export interface BinaryEngine {
  readonly signatures: readonly PreparedSignature[];
  readonly sequences: readonly PreparedSequence[];
  /** Format indexes each signature identifies, for each mode. */
  readonly formatsUsing: readonly (readonly number[])[];
  readonly formatsIgnoring: readonly (readonly number[])[];
  readonly keyGroups: readonly {
    readonly side: Side;
    readonly position: number;
    readonly width: 1 | 2;
    readonly sequences: ReadonlyMap<number, readonly number[]>;
  }[];
  readonly automaton: Automaton;
  /** Per literal: the sequences it stands for. */
  readonly literalSequences: readonly (readonly number[])[];
  readonly alwaysSequences: readonly number[];
}

/**
 * Loaded PRONOM signatures: formats, compiled binary and container
 * signatures, and the indexes that make identification fast. Build with
 * `loadSignatures` (or `compileSignatures`); share one per process.
 * Immutable once built, so concurrent identifications may share it.
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
  /** @internal container signatures prepared for matching, by container type */
  readonly containerSignatures: ReadonlyMap<string, readonly PreparedContainerSignature[]>;
  /** @internal */
  readonly containerMappings: ReadonlyMap<number, readonly string[]>;

  private readonly byPuid = new Map<string, number>();
  private readonly byId = new Map<number, number>();
  /** @internal upper-case extension → format indexes */
  readonly allByExtension = new Map<string, number[]>();
  /** @internal formats without signatures (DROID's "tentative" formats), upper-case extension → format indexes */
  readonly tentativeByExtension = new Map<string, number[]>();

  constructor(model: CompiledModel) {
    this.model = model;
    this.versions = model.versions;
    this.formats = model.formats;
    this.warnings = model.warnings;
    model.formats.forEach((format, index) => {
      if (!this.byPuid.has(format.puid)) this.byPuid.set(format.puid, index);
      if (!this.byId.has(format.id)) this.byId.set(format.id, index);
    });
    const triggers = new Map<string, ContainerType>();
    for (const trigger of model.container?.triggers ?? []) {
      if (trigger.containerType === 'ZIP' || trigger.containerType === 'OLE2') {
        triggers.set(trigger.puid, trigger.containerType);
      }
    }
    this.containerTriggers = triggers;
    const mappings = new Map<number, string[]>();
    for (const mapping of model.container?.mappings ?? []) {
      const puids = mappings.get(mapping.signatureId) ?? [];
      if (!puids.includes(mapping.puid)) puids.push(mapping.puid);
      mappings.set(mapping.signatureId, puids);
    }
    this.containerMappings = mappings;
    this.containerPuids = new Set((model.container?.mappings ?? []).map((mapping) => mapping.puid));

    // FFSignatureFile.buildFileExtensions: every format by extension, and the
    // "tentative" ones (no InternalSignatureID); puidHasOverridingSignatures
    // then takes formats with container signatures out of the tentative list.
    model.formats.forEach((format, index) => {
      for (const extension of format.extensions) {
        const key = extension.toUpperCase();
        add(this.allByExtension, key, index);
        if (format.signatureIds.length === 0 && !this.containerPuids.has(format.puid)) {
          add(this.tentativeByExtension, key, index);
        }
      }
    });
    this.engine = prepareEngine(model, this.containerPuids);
    this.containerSignatures = prepareContainerSignatures(model);
  }

  private info: LoadInfo | undefined;

  /** How these signatures were loaded (set by `loadSignatures`). */
  get loadInfo(): LoadInfo | undefined {
    return this.info;
  }

  /** @internal */
  withLoadInfo(info: LoadInfo): this {
    this.info = info;
    return this;
  }

  /** The format with this PUID, if the binary signature file lists it. */
  format(puid: string): FormatInfo | undefined {
    const index = this.byPuid.get(puid);
    return index === undefined ? undefined : this.formats[index];
  }

  /** The format with this internal ID. */
  formatById(id: number): FormatInfo | undefined {
    const index = this.byId.get(id);
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

function prepareEngine(model: CompiledModel, containerPuids: ReadonlySet<string>): BinaryEngine {
  const signatureFormats = new Map<number, number[]>();
  // FFSignatureFile.setAllSignatureFileFormats: formats in file order.
  model.formats.forEach((format, index) => {
    for (const id of format.signatureIds) {
      const list = signatureFormats.get(id) ?? [];
      if (!list.includes(index)) list.push(index);
      signatureFormats.set(id, list);
    }
  });
  const sequences: PreparedSequence[] = [];
  const signatures: PreparedSignature[] = [];
  const formatsUsing: number[][] = [];
  const formatsIgnoring: number[][] = [];
  model.signatures.forEach((signature, signatureIndex) => {
    const ids: number[] = [];
    for (const sequence of signature.sequences) {
      ids.push(sequences.length);
      sequences.push({
        signatureIndex,
        side: sequence.anchor === 'EOF' ? 1 : HEAD,
        anchor: sequence.anchor,
        indirect: sequence.indirect,
        elements: prepareElements(sequence.elements, model.classes),
        condition: chooseCondition(sequence),
      });
    }
    signatures.push({ id: signature.id, sequences: ids });
    const formats = signatureFormats.get(signature.id) ?? [];
    formatsUsing.push(formats);
    formatsIgnoring.push(formats.filter((index) => !containerPuids.has((model.formats[index] as FormatInfo).puid)));
  });

  const groups = new Map<string, { side: Side; position: number; width: 1 | 2; sequences: Map<number, number[]> }>();
  const literalIndex = new Map<string, number>();
  const literals: number[][] = [];
  const literalSequences: number[][] = [];
  const alwaysSequences: number[] = [];
  sequences.forEach((sequence, sequenceIndex) => {
    const condition = sequence.condition;
    if (condition.kind === 'keys') {
      for (const key of condition.keys) {
        const groupKey = `${key.side}:${key.position}:${key.width}`;
        let group = groups.get(groupKey);
        if (group === undefined) {
          group = { side: key.side, position: key.position, width: key.width, sequences: new Map() };
          groups.set(groupKey, group);
        }
        const list = group.sequences.get(key.value) ?? [];
        if (!list.includes(sequenceIndex)) list.push(sequenceIndex);
        group.sequences.set(key.value, list);
      }
    } else if (condition.kind === 'literals') {
      for (const literal of condition.literals) {
        const text = literal.join(',');
        let index = literalIndex.get(text);
        if (index === undefined) {
          index = literals.length;
          literals.push([...literal]);
          literalSequences.push([]);
          literalIndex.set(text, index);
        }
        const list = literalSequences[index] as number[];
        if (!list.includes(sequenceIndex)) list.push(sequenceIndex);
      }
    } else {
      alwaysSequences.push(sequenceIndex);
    }
  });
  return {
    signatures,
    sequences,
    formatsUsing,
    formatsIgnoring,
    keyGroups: [...groups.values()],
    automaton: buildAutomaton(literals),
    literalSequences,
    alwaysSequences,
  };
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
      readonly sequences: readonly Omit<PreparedSequence, 'condition' | 'signatureIndex'>[];
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
          sequences: embedded.sequences.map((sequence) => ({
            side: sequence.anchor === 'EOF' ? 1 : HEAD,
            anchor: sequence.anchor,
            indirect: sequence.indirect,
            elements: prepareElements(sequence.elements, model.classes),
          })),
        })),
        reach: Math.max(0, ...file.signatures.flatMap((embedded) => embedded.sequences.map(sequenceReach))),
      })),
    };
    const list = out.get(signature.containerType) ?? [];
    list.push(prepared);
    out.set(signature.containerType, list);
  }
  return out;
}

/** How many bytes from the start a BOF sequence can reach; Infinity for anything else. */
function sequenceReach(sequence: CompiledSignature['sequences'][number]): number {
  if (sequence.anchor !== 'BOF' || sequence.indirect !== undefined) return Infinity;
  let reach = 0;
  for (const element of sequence.elements) {
    if (element.gapMax < 0) return Infinity;
    reach += element.gapMax + Math.max(...element.alts.map((alt) => alt.length));
  }
  return reach;
}
