/**
 * The names PRONOM gives its two signature files, as DROID stores them
 * (`~/.droid6/signature_files`, `~/.droid6/container_sigs`) and as siegfried's
 * `roy` looks for them: the binary file carries its version in the name, the
 * container file the date it was published.
 */

/** `DROID_SignatureFile_V122.xml` */
export const BINARY_FILE_PATTERN = /^DROID_SignatureFile_V(\d{1,9})\.xml$/;
/** `container-signature-20260119.xml` */
export const CONTAINER_FILE_PATTERN = /^container-signature-(\d{8})\.xml$/;

/** Root element of a DROID binary signature file. */
export const BINARY_ROOT = 'FFSignatureFile';
/** Root element of a DROID container signature file. */
export const CONTAINER_ROOT = 'ContainerSignatureMapping';

export type SignatureKind = 'binary' | 'container';

export const ROOT_ELEMENT: Readonly<Record<SignatureKind, string>> = { binary: BINARY_ROOT, container: CONTAINER_ROOT };

/** What to call each kind in messages. */
export const KIND_LABEL: Readonly<Record<SignatureKind, string>> = {
  binary: 'binary signature file',
  container: 'container signature file',
};

export function binaryFileName(version: number): string {
  return `DROID_SignatureFile_V${version}.xml`;
}

export function containerFileName(date: string): string {
  return `container-signature-${date}.xml`;
}

/** The version in a binary signature file's name, or undefined when the name is not one. */
export function binaryVersionOf(name: string): number | undefined {
  const match = BINARY_FILE_PATTERN.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** The `yyyymmdd` date in a container signature file's name, or undefined when the name is not one (or the date is impossible). */
export function containerDateOf(name: string): string | undefined {
  const match = CONTAINER_FILE_PATTERN.exec(name);
  return match && isCompactDate(match[1]) ? match[1] : undefined;
}

/** Whether `yyyymmdd` is a real calendar date. */
export function isCompactDate(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1990 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `20260119` → `2026-01-19`. */
export function isoDate(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** A date as `yyyymmdd` (UTC). */
export function compactDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
