/**
 * Finding, loading and caching signature files.
 *
 * Compiling the XML takes a few hundred milliseconds; the compiled model is
 * therefore written to a cache file (`v8.serialize`) keyed by the SHA-256 of
 * both XML files (and the compiled-format and V8 versions), and later starts
 * load that instead. The XML files are still read and hashed to find the
 * key (a few ms), never parsed. A cache file that is missing, stale,
 * truncated or corrupt (its payload carries its own SHA-256) is ignored and
 * rebuilt; one that cannot be written is skipped silently (or reported to
 * `logger.warn`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { deserialize } from 'node:v8';
import { CheckError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../types.js';
import { COMPILED_FORMAT_VERSION, type CompiledModel, compileModel, PronomSignatures } from './model.js';
import type { SignatureFiles, SignatureVersions } from './types.js';
import { parseBinarySignatureXml, parseContainerSignatureXml, type RawBinaryFile, type RawContainerFile } from './xml.js';

const BINARY_NAME = /^DROID_SignatureFile_V(\d+)\.xml$/i;
const CONTAINER_NAME = /^container-signature-(\d{8})\.xml$/i;

/**
 * The newest signature files in a folder: the `DROID_SignatureFile_V<n>.xml`
 * with the highest n and the `container-signature-<yyyymmdd>.xml` with the
 * latest date (none if there is no container file).
 * @throws CheckError `NOT_CONFIGURED` naming the folder when it cannot be
 *   read or holds no binary signature file.
 * @example
 * const files = findSignatureFiles('/opt/pronom');
 * // { binary: '/opt/pronom/DROID_SignatureFile_V122.xml', container: '/opt/pronom/container-signature-20260119.xml' }
 */
export function findSignatureFiles(dir: string): SignatureFiles {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new CheckError(ErrorCode.NotConfigured, `cannot read the signature folder ${dir}: ${String(error)}`, {
      cause: error,
    });
  }
  const newest = (pattern: RegExp, rank: (match: RegExpExecArray) => number): string | undefined => {
    let best: { name: string; rank: number } | undefined;
    for (const name of names) {
      const match = pattern.exec(name);
      if (match === null) continue;
      const value = rank(match);
      if (best === undefined || value > best.rank || (value === best.rank && name < best.name)) best = { name, rank: value };
    }
    return best?.name;
  };
  const binary = newest(BINARY_NAME, (match) => Number(match[1]));
  if (binary === undefined) {
    throw new CheckError(
      ErrorCode.NotConfigured,
      `no DROID binary signature file (DROID_SignatureFile_V<n>.xml) in ${dir}`,
    );
  }
  const container = newest(CONTAINER_NAME, (match) => Number(match[1]));
  return container === undefined ? { binary: join(dir, binary) } : { binary: join(dir, binary), container: join(dir, container) };
}

export interface LoadOptions {
  /**
   * Folder for the compiled cache. Default: `$TDR_CHECKS_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/tdr-checks`, else `~/.cache/tdr-checks`. `false`: no cache.
   * On AWS Lambda pass a folder under `/tmp`.
   */
  readonly cacheDir?: string | false;
  /** Told about cache files that could not be read or written (never an error). */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** The default cache folder (see {@link LoadOptions.cacheDir}), or undefined when there is no home. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['TDR_CHECKS_CACHE_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '') return join(xdg, 'tdr-checks');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home === '' ? undefined : join(home, '.cache', 'tdr-checks');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readSignatureFile(path: string, kind: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CheckError(ErrorCode.NotConfigured, `cannot read the ${kind} signature file ${path}: ${String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Where the compiled form of the signature files with these SHA-256s is
 * kept in `cacheDir` (whether or not it is there yet).
 */
export function compiledCacheFile(cacheDir: string, binarySha: string, containerSha: string | undefined): string {
  return join(cacheDir, `pronom-${binarySha.slice(0, 16)}-${containerSha?.slice(0, 16) ?? 'none'}-c${COMPILED_FORMAT_VERSION}.v8`);
}

/**
 * Loads signature files, from the compiled cache when it is current, else
 * from the XML (then refreshing the cache).
 * @throws CheckError `NOT_CONFIGURED` when a file cannot be read or is not a signature file of its kind.
 * @example
 * const signatures = await loadSignatures(findSignatureFiles(dir));
 * signatures.describe(); // 'PRONOM binary V122 / container 20260119'
 */
export async function loadSignatures(files: SignatureFiles, options: LoadOptions = {}): Promise<PronomSignatures> {
  const started = performance.now();
  const [binaryBytes, containerBytes] = await Promise.all([
    readSignatureFile(files.binary, 'binary'),
    files.container === undefined ? undefined : readSignatureFile(files.container, 'container'),
  ]);
  const binarySha = sha256(binaryBytes);
  const containerSha = containerBytes === undefined ? undefined : sha256(containerBytes);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir || undefined;
  const cacheFile = cacheDir === undefined ? undefined : compiledCacheFile(cacheDir, binarySha, containerSha);
  const key = { binarySha, containerSha: containerSha ?? null };

  if (cacheFile !== undefined) {
    const cached = await readCache(cacheFile, key, options.logger);
    if (cached !== undefined) {
      return cached.withLoadInfo({ from: 'cache', cacheFile, ms: performance.now() - started });
    }
  }
  const model = compileXml(
    binaryBytes.toString('utf8'),
    containerBytes?.toString('utf8'),
    versionsOf(files, binarySha, containerSha),
  );
  const signatures = new PronomSignatures(model);
  if (cacheFile !== undefined) await writeCache(cacheFile, key, signatures.serialized(), options.logger);
  return signatures.withLoadInfo({ from: 'xml', cacheFile, ms: performance.now() - started });
}

/**
 * Compiles signature files given as text (no cache). For tests and for
 * callers that hold the XML in memory.
 * @throws CheckError `NOT_CONFIGURED` when a text is not a signature file of its kind.
 * @example
 * const signatures = compileSignatures(binaryXml, containerXml, { binary: 'DROID_SignatureFile_V122.xml' });
 */
export function compileSignatures(
  binaryXml: string,
  containerXml?: string,
  names: { readonly binary?: string; readonly container?: string } = {},
): PronomSignatures {
  const binaryName = names.binary ?? 'DROID_SignatureFile.xml';
  const containerName = names.container ?? 'container-signature.xml';
  const files: SignatureFiles =
    containerXml === undefined ? { binary: binaryName } : { binary: binaryName, container: containerName };
  return new PronomSignatures(
    compileXml(
      binaryXml,
      containerXml,
      versionsOf(
        files,
        sha256(Buffer.from(binaryXml)),
        containerXml === undefined ? undefined : sha256(Buffer.from(containerXml)),
      ),
    ),
  );
}

/** The versions record, with the parts that come from the XML filled in by compileXml. */
interface PendingVersions {
  readonly binaryFileName: string;
  readonly binarySha: string;
  readonly containerFileName: string | undefined;
  readonly containerSha: string | undefined;
}

function versionsOf(files: SignatureFiles, binarySha: string, containerSha: string | undefined): PendingVersions {
  return {
    binaryFileName: basename(files.binary),
    binarySha,
    containerFileName: files.container === undefined ? undefined : basename(files.container),
    containerSha,
  };
}

function compileXml(binaryXml: string, containerXml: string | undefined, pending: PendingVersions): CompiledModel {
  let binary: RawBinaryFile;
  try {
    binary = parseBinarySignatureXml(binaryXml);
  } catch (error) {
    throw new CheckError(ErrorCode.NotConfigured, `${pending.binaryFileName} is not a usable DROID binary signature file: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let container: RawContainerFile | undefined;
  if (containerXml !== undefined) {
    try {
      container = parseContainerSignatureXml(containerXml);
    } catch (error) {
      throw new CheckError(
        ErrorCode.NotConfigured,
        `${pending.containerFileName ?? 'container file'} is not a usable DROID container signature file: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
  const fileVersion = /V(\d+)/i.exec(pending.binaryFileName)?.[1];
  const written = binary.version;
  const number = /^v?(\d+)$/i.exec(written)?.[1] ?? fileVersion;
  const versions: SignatureVersions = {
    binary: {
      version: written,
      display: number === undefined ? written : `V${number}`,
      ...(binary.dateCreated === undefined ? {} : { dateCreated: binary.dateCreated }),
      fileName: pending.binaryFileName,
      sha256: pending.binarySha,
    },
    ...(container === undefined || pending.containerFileName === undefined
      ? {}
      : { container: containerVersion(container, pending.containerFileName, pending.containerSha ?? '') }),
  };
  return compileModel(binary, container, versions);
}

function containerVersion(
  container: RawContainerFile,
  fileName: string,
  sha: string,
): NonNullable<SignatureVersions['container']> {
  const stamp = /(\d{4})(\d{2})(\d{2})/.exec(fileName);
  const date = stamp === null ? undefined : `${stamp[1]}-${stamp[2]}-${stamp[3]}`;
  return {
    ...(container.signatureVersion === undefined ? {} : { signatureVersion: container.signatureVersion }),
    ...(container.schemaVersion === undefined ? {} : { schemaVersion: container.schemaVersion }),
    ...(date === undefined ? {} : { date }),
    display: stamp !== null ? `${stamp[1]}${stamp[2]}${stamp[3]}` : `v${container.signatureVersion ?? '?'}`,
    fileName,
    sha256: sha,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const MAGIC = 'TDR-PRONOM-CACHE 1\n';

interface CacheHeader {
  readonly compiledFormatVersion: number;
  readonly v8: string;
  readonly binarySha: string;
  readonly containerSha: string | null;
  readonly payloadSha: string;
  readonly payloadBytes: number;
}

async function readCache(
  file: string,
  key: { binarySha: string; containerSha: string | null },
  logger: LoadOptions['logger'],
): Promise<PronomSignatures | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined; // no cache yet
  }
  try {
    if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error('not a tdr-checks PRONOM cache file');
    const lineEnd = bytes.indexOf(0x0a, MAGIC.length);
    if (lineEnd < 0) throw new Error('no header');
    const header = JSON.parse(bytes.subarray(MAGIC.length, lineEnd).toString('utf8')) as CacheHeader;
    const payload = bytes.subarray(lineEnd + 1);
    if (
      header.compiledFormatVersion !== COMPILED_FORMAT_VERSION ||
      header.v8 !== process.versions.v8 ||
      header.binarySha !== key.binarySha ||
      header.containerSha !== key.containerSha
    ) {
      throw new Error('made from other signature files or by another version');
    }
    if (payload.length !== header.payloadBytes || sha256(payload) !== header.payloadSha) throw new Error('payload damaged');
    const model = deserialize(payload) as CompiledModel;
    if (
      model === null ||
      typeof model !== 'object' ||
      model.compiledFormatVersion !== COMPILED_FORMAT_VERSION ||
      !Array.isArray(model.formats) ||
      !Array.isArray(model.signatures) ||
      !(model.classes instanceof Uint8Array) ||
      !(model.prefilter?.sequenceSignature instanceof Int32Array)
    ) {
      throw new Error('unexpected content');
    }
    return new PronomSignatures(model, payload);
  } catch (error) {
    logger?.warn(`ignoring PRONOM signature cache ${file}: ${messageOf(error)}; rebuilding it`);
    return undefined;
  }
}

/**
 * Removes caches of other compiled formats from `dir`: no version of this
 * code reads them again, and each is a few MB. Caches of other signature
 * files stay (switching back to them should not cost a compile).
 */
async function removeOutdatedCaches(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => {
        const format = /^pronom-[0-9a-f]+-(?:[0-9a-f]+|none)-c(\d+)\.v8$/.exec(name)?.[1];
        return format !== undefined && Number(format) !== COMPILED_FORMAT_VERSION;
      })
      .map((name) => rm(join(dir, name), { force: true }).catch(() => undefined)),
  );
}

async function writeCache(
  file: string,
  key: { binarySha: string; containerSha: string | null },
  payload: Uint8Array,
  logger: LoadOptions['logger'],
): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const header: CacheHeader = {
      compiledFormatVersion: COMPILED_FORMAT_VERSION,
      v8: process.versions.v8,
      binarySha: key.binarySha,
      containerSha: key.containerSha,
      payloadSha: sha256(payload),
      payloadBytes: payload.length,
    };
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(temporary, Buffer.concat([Buffer.from(MAGIC + JSON.stringify(header) + '\n'), payload]));
    await rename(temporary, file); // atomic: readers never see half a file
    await removeOutdatedCaches(join(file, '..'));
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    logger?.warn(`could not write PRONOM signature cache ${file}: ${messageOf(error)}`);
  }
}
