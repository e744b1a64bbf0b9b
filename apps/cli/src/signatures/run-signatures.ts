import { stat } from 'node:fs/promises';
import {
  SignatureUpdateError,
  compiledCacheFile,
  defaultCacheDir,
  inspectSignatureDir,
  resolveSignatureDir,
  updateSignatures,
  type BinarySignatureFile,
  type ContainerSignatureFile,
  type ResolvedSignatureDir,
  type SignatureDirInspection,
  type SignatureFileUpdate,
} from '@tdr/checks';
import { ExitCode, UsageError, stoppedExitCode } from '../errors.js';
import { stopSignal } from '../stop.js';
import type { InfoCommandOptions, UpdateCommandOptions } from './command.js';

/** Where the commands write and what they read; the real process unless a test says otherwise. */
export interface SignaturesEnvironment {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Cancels an update (Ctrl-C, SIGTERM). */
  readonly signal?: AbortSignal;
}

function processEnvironment(): SignaturesEnvironment {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    signal: stopSignal(),
  };
}

const number = (value: number) => value.toLocaleString('en-GB');
const LABEL = 12;
const row = (label: string, value: string) => `  ${label.padEnd(LABEL)} ${value}`;

function folderLines(resolved: ResolvedSignatureDir): string[] {
  return [`Signature folder: ${resolved.path}`, row('chosen by', resolved.description)];
}

function binaryLines(file: BinarySignatureFile): string[] {
  return [
    `Binary signature file: ${file.name}`,
    row('version', `${file.version}${file.dateCreated ? `, created ${file.dateCreated}` : ''}`),
    row('size', `${number(file.size)} bytes`),
    row('SHA-256', file.sha256),
    row('contents', `${number(file.counts.formats)} formats, ${number(file.counts.internalSignatures)} internal signatures`),
  ];
}

function containerLines(file: ContainerSignatureFile): string[] {
  const extra = [
    file.signatureVersion === undefined ? undefined : `signatureVersion ${file.signatureVersion}`,
    file.schemaVersion === undefined ? undefined : `schema ${file.schemaVersion}`,
  ].filter((part) => part !== undefined);
  return [
    `Container signature file: ${file.name}`,
    row('date', `${file.date}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`),
    row('size', `${number(file.size)} bytes`),
    row('SHA-256', file.sha256),
    row(
      'contents',
      `${number(file.counts.containerSignatures)} container signatures, ${number(file.counts.formatMappings)} format mappings, ${number(file.counts.triggerPuids)} trigger PUIDs`,
    ),
  ];
}

function inspectionLines(inspection: SignatureDirInspection): string[] {
  const lines: string[] = [];
  if (inspection.binary) lines.push(...binaryLines(inspection.binary));
  if (inspection.container) lines.push(...containerLines(inspection.container));
  if (inspection.others.length > 0) lines.push(`Also in the folder, not used: ${inspection.others.join(', ')}`);
  for (const problem of inspection.problems) lines.push(`Note: ${problem}`);
  return lines;
}

/** Where these files' compiled form is cached, and whether it is there yet (a check then starts fast). */
interface CacheState {
  readonly file: string;
  readonly present: boolean;
  readonly bytes?: number;
  readonly written?: string;
}

async function cacheState(inspection: SignatureDirInspection, env: NodeJS.ProcessEnv): Promise<CacheState | undefined> {
  const dir = defaultCacheDir(env);
  if (dir === undefined || inspection.binary === undefined) return undefined;
  const file = compiledCacheFile(dir, inspection.binary.sha256, inspection.container?.sha256);
  try {
    const facts = await stat(file);
    return { file, present: true, bytes: facts.size, written: facts.mtime.toISOString() };
  } catch {
    return { file, present: false };
  }
}

function cacheLines(cache: CacheState): string[] {
  return [
    `Compiled cache: ${cache.file}`,
    cache.present
      ? row('state', `present, ${number(cache.bytes ?? 0)} bytes, written ${cache.written}: checks load it in tens of milliseconds`)
      : row('state', 'not built yet: the first check compiles the XML (about half a second) and writes it'),
  ];
}

/** `tdr-checks signatures info`: 0 when both files are there, 2 (with how to get them) when not. */
export async function runSignaturesInfo(options: InfoCommandOptions, io: SignaturesEnvironment = processEnvironment()): Promise<number> {
  const resolved = resolveSignatureDir({ ...(options.signatures === undefined ? {} : { dir: options.signatures }), env: io.env });
  const inspection = await inspectSignatureDir(resolved.path);
  const cache = await cacheState(inspection, io.env);
  if (options.json) {
    io.out(JSON.stringify({ ...inspection, source: resolved.source, chosenBy: resolved.description, ...(cache ? { cache } : {}) }, null, 2));
  } else {
    io.out([...folderLines(resolved), ...inspectionLines(inspection), ...(cache ? cacheLines(cache) : [])].join('\n'));
  }
  if (inspection.status === 'ok') return ExitCode.Ok;
  io.err(`tdr-checks: ${inspection.message ?? `no usable signature files in ${resolved.path}`}`);
  return ExitCode.Error;
}

function positive(value: string, flag: string, { integer = false, zero = false } = {}): number {
  const parsed = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(parsed) && (zero ? parsed >= 0 : parsed > 0) && (!integer || Number.isInteger(parsed));
  if (!ok) throw new UsageError(`${flag} must be a ${integer ? 'whole ' : ''}number${zero ? ' ≥ 0' : ' > 0'}, not ${JSON.stringify(value)}`);
  return parsed;
}

function versionLabel(kind: 'binary' | 'container', version: string): string {
  return kind === 'binary' ? `V${version}` : version;
}

function updateLine(update: SignatureFileUpdate): string {
  const what = update.kind === 'binary' ? 'Binary signature file' : 'Container signature file';
  const now = versionLabel(update.kind, update.version);
  if (update.action === 'up-to-date') return `${what}: ${now}, up to date (${update.name})`;
  const before = update.previous ? versionLabel(update.kind, update.previous.version) : '(none)';
  const size = update.size === undefined ? '' : `, ${number(update.size)} bytes`;
  if (update.action === 'unchanged') return `${what}: ${now}, downloaded again, unchanged (${update.name}${size})`;
  return `${what}: ${before} → ${now} (${update.name}${size}, from ${update.url ?? '?'})`;
}

/** `tdr-checks signatures update`: 0 when the folder holds the latest files, 2 when the update failed, 130/143 when stopped by Ctrl-C/SIGTERM. */
export async function runSignaturesUpdate(options: UpdateCommandOptions, io: SignaturesEnvironment = processEnvironment()): Promise<number> {
  const timeoutMs = positive(options.timeout, '--timeout') * 1000;
  const keepPrevious = positive(options.keepPrevious, '--keep-previous', { integer: true, zero: true });
  const resolved = resolveSignatureDir({ ...(options.signatures === undefined ? {} : { dir: options.signatures }), env: io.env });


  io.out(folderLines(resolved).join('\n'));
  try {
    const result = await updateSignatures(resolved.path, {
      env: io.env,
      timeoutMs,
      keepPrevious,
      // Ctrl-C or SIGTERM cancels the downloads; the folder is only touched once both are in hand.
      ...(io.signal ? { signal: io.signal } : {}),
      ...(options.pronomUrl === undefined ? {} : { pronomUrl: options.pronomUrl }),
      ...(options.binaryUrl === undefined ? {} : { binaryUrl: options.binaryUrl }),
      ...(options.containerUrl === undefined ? {} : { containerUrl: options.containerUrl }),
      ...(options.force ? { force: true } : {}),
      onEvent: (event) => {
        if (event.type !== 'installed' && event.type !== 'up-to-date') io.err(event.message);
      },
    });
    io.out(updateLine(result.binary));
    io.out(updateLine(result.container));
    if (result.removed.length > 0) io.out(`Removed older: ${result.removed.join(', ')}`);
    for (const note of result.notes) io.out(`Note: ${note}`);
    return ExitCode.Ok;
  } catch (error) {
    if (!(error instanceof SignatureUpdateError)) throw error;
    io.err(`tdr-checks: ${error.message}`);
    const kept = await inspectSignatureDir(resolved.path);
    const files = [kept.binary?.name, kept.container?.name].filter((name) => name !== undefined);
    io.err(files.length > 0 ? `Still in use: ${files.join(', ')}` : `The folder has no signature files yet.`);
    return error.failures.some((failure) => failure.code === 'ABORTED') ? stoppedExitCode(io.signal?.reason) : ExitCode.Error;
  }
}
