/**
 * Where the PRONOM signature files come from.
 *
 * What The National Archives publishes (researched 2026-11; there is no
 * network where this was written, so none of it was tried live):
 *
 * 1. The PRONOM site https://pronom.nationalarchives.gov.uk/ (the new service,
 *    repository nationalarchives/pronom-website) serves `/signatures.json`:
 *    `{"latest_signature": {"name", "location": "/signatures/DROID_SignatureFile_V<n>.xml", "version": "<n>"},
 *      "latest_container_signature": {"name", "location": "/container-signatures/container-signature-<yyyymmdd>.xml", "version": "<yyyymmdd>"},
 *      "signatures": [...], "container_signatures": [...]}`
 *    (pronom-website `.github/scripts/generate_signature_json.py`), and every
 *    released file under `/signatures/` and `/container-signatures/`
 *    (`upload_signature_files.py`, copied from the GitHub releases of
 *    nationalarchives/pronom). TNA's own release scripts read
 *    `https://pronom.nationalarchives.gov.uk/signatures.json`
 *    (nationalarchives/pronom `.github/scripts/generate_signature_files.py`).
 * 2. DROID (digital-preservation/droid, commit b41b171a, 2026-01-29, "Try to
 *    get the latest version from the json API") first GETs `signatures.json`
 *    at the root of the host of its update URL and downloads
 *    `<host>/signatures/<file>` and `<host>/container-signatures/<file>`
 *    (droid-core-interfaces `HttpUtil.getSignaturesJson`, droid-results
 *    `PronomSignatureService`, droid-container `ContainerSignatureHttpService`).
 *    Only when that fails does it fall back to the old mechanisms:
 *    - binary: the SOAP web service `pronom.update.url` =
 *      https://www.nationalarchives.gov.uk/pronom/service.asmx
 *      (droid-results `default_droid.properties`), operations
 *      `getSignatureFileVersionV1` and `getSignatureFileV1` (SOAPAction
 *      `http://pronom.nationalarchives.gov.uk:getSignatureFileV1In`), which
 *      return the file wrapped in a SOAP envelope;
 *    - container: a plain GET of `container.update.url` =
 *      https://www.nationalarchives.gov.uk/pronom/container-signature.xml,
 *      its date (= version) taken from the `Last-Modified` header.
 *    TNA calls the SOAP API legacy, to be retired once the old site is
 *    proxied to the new one (same commit message).
 * 3. The new site also keeps fixed names for the latest files,
 *    `/binary-signatures.xml` and `/container-signatures.xml`
 *    (pronom-website `.github/scripts/release.sh`), and the files are the
 *    assets of each GitHub release of nationalarchives/pronom.
 * 4. siegfried's `roy` downloads no DROID files: it builds from the newest
 *    `DROID_SignatureFile_V<n>.xml` / `container-signature-<date>.xml` found
 *    in its home folder (highest number in the name; siegfried
 *    `pkg/config/pronom.go` `latest`), and `sf -update` fetches prebuilt
 *    signatures from itforarchivists.com instead.
 *
 * So we read `signatures.json` from the PRONOM site (1, as DROID does first)
 * and download the two files it points to; each file's address can be
 * overridden, which also covers mirrors, the fixed "latest" names (3) and
 * the old container address (2). We do not speak SOAP: it is being retired,
 * and it returns the file re-serialised inside an envelope rather than as
 * published (droid issue #1136: a namespace changed on the way).
 */

/** The PRONOM site whose `signatures.json` lists the latest files. */
export const DEFAULT_PRONOM_URL = 'https://pronom.nationalarchives.gov.uk/';
/** Overrides the PRONOM site (a mirror: `signatures.json` and the files it points to). */
export const PRONOM_URL_ENV = 'TDR_PRONOM_URL';
/** Address of the binary signature file itself; when set, `signatures.json` is not read for it. */
export const PRONOM_BINARY_URL_ENV = 'TDR_PRONOM_BINARY_URL';
/** Address of the container signature file itself; when set, `signatures.json` is not read for it. */
export const PRONOM_CONTAINER_URL_ENV = 'TDR_PRONOM_CONTAINER_URL';

/** Name of the index of the latest files on the PRONOM site. */
export const SIGNATURE_INDEX_NAME = 'signatures.json';

export interface SignatureSourceOptions {
  /** The PRONOM site (default `TDR_PRONOM_URL`, else https://pronom.nationalarchives.gov.uk/). */
  readonly pronomUrl?: string;
  /** The binary signature file's address (default `TDR_PRONOM_BINARY_URL`, else from `signatures.json`). */
  readonly binaryUrl?: string;
  /** The container signature file's address (default `TDR_PRONOM_CONTAINER_URL`, else from `signatures.json`). */
  readonly containerUrl?: string;
  /** Where the `TDR_PRONOM_*` variables are read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface SignatureSources {
  /** The address of `signatures.json`. */
  readonly indexUrl: string;
  /** Set when the binary file is fetched from a fixed address instead of the index. */
  readonly binaryUrl?: string;
  /** Set when the container file is fetched from a fixed address instead of the index. */
  readonly containerUrl?: string;
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The addresses to use: options first, then the environment, then PRONOM. */
export function signatureSources(options: SignatureSourceOptions = {}): SignatureSources {
  const env = options.env ?? process.env;
  const site = given(options.pronomUrl) ?? given(env[PRONOM_URL_ENV]) ?? DEFAULT_PRONOM_URL;
  // Relative to the site's folder: `https://mirror/pronom` and `https://mirror/pronom/` mean the same.
  const indexUrl = URL.canParse(site) ? new URL(SIGNATURE_INDEX_NAME, site.endsWith('/') ? site : `${site}/`).href : site;
  const binaryUrl = given(options.binaryUrl) ?? given(env[PRONOM_BINARY_URL_ENV]);
  const containerUrl = given(options.containerUrl) ?? given(env[PRONOM_CONTAINER_URL_ENV]);
  return { indexUrl, ...(binaryUrl ? { binaryUrl } : {}), ...(containerUrl ? { containerUrl } : {}) };
}

/** The latest files, as `signatures.json` names them. */
export interface SignatureIndex {
  readonly binary: { readonly url: string; readonly version: number };
  readonly container: { readonly url: string; readonly date: string };
}

/**
 * Reads PRONOM's `signatures.json`; `location`s are resolved against the
 * index's own address. Throws a plain Error saying what is wrong.
 */
export function parseSignatureIndex(text: string, indexUrl: string): SignatureIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const entry = (key: string): { location: string; version: string } => {
    const value = (json as Record<string, unknown> | null)?.[key];
    if (typeof value !== 'object' || value === null) throw new Error(`no "${key}" object`);
    const { location, version } = value as Record<string, unknown>;
    if (typeof location !== 'string' || location === '') throw new Error(`"${key}" has no "location"`);
    if (typeof version !== 'string' && typeof version !== 'number') throw new Error(`"${key}" has no "version"`);
    return { location, version: String(version) };
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const binary = entry('latest_signature');
  const container = entry('latest_container_signature');
  if (!/^\d{1,9}$/.test(binary.version)) throw new Error(`"latest_signature" has version ${JSON.stringify(binary.version)}, not a number`);
  if (!/^\d{8}$/.test(container.version)) {
    throw new Error(`"latest_container_signature" has version ${JSON.stringify(container.version)}, not a yyyymmdd date`);
  }
  const resolve = (location: string) => {
    try {
      return new URL(location, indexUrl).href;
    } catch {
      throw new Error(`location ${JSON.stringify(location)} is not a URL`);
    }
  };
  return {
    binary: { url: resolve(binary.location), version: Number(binary.version) },
    container: { url: resolve(container.location), date: container.version },
  };
}
