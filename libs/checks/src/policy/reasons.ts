/**
 * Every reason code the built-in rules produce, with what it means (for
 * `--help`, docs and policy validation). Codes are stable: other tools and
 * policy files refer to them.
 */
export const REASON_CODES: Readonly<Record<string, string>> = {
  CheckError: 'a check could not decide (file unreadable, changed, timed out, …); never a pass',
  ChecksumMismatch: 'a computed checksum differs from the one the uploader declared',
  MissingFile: 'the manifest lists a file the folder does not hold',
  OutsideFolder: 'the manifest lists a path outside the folders being checked (not read)',
  NotInManifest: 'the folder holds a file the manifest does not list',
  PasswordProtected: 'encrypted or password protected (by format, or seen in its structure)',
  Executable: 'executable code (by format, or by its own header)',
  Zip: 'an archive or container (ZIP, TAR, GZIP, RAR, 7z, WARC, disk image, bare OLE2)',
  OperatingSystemMac: 'a macOS or Office system file (.DS_Store, AppleDouble ._*, Office owner file ~$*)',
  SystemFile: 'a Windows system file (Thumbs.db)',
  DesktopIni: 'a Windows desktop.ini',
  Shortcut: 'a shortcut or link (.lnk, .url)',
  Template: 'an office template (.dot, .dotx, .xlt, .potx, …)',
  Backup: 'a backup file',
  ZeroByteFile: 'empty: zero bytes',
  Unidentified: 'no PRONOM format identified',
  MultipleFormats: 'more than one PRONOM format identified',
  ExtensionMismatch: "the file's extension is not one PRONOM lists for its format",
  VirusDetected: 'the antivirus scanner found a signature (a virus, malware or a test signature such as EICAR)',
  AntivirusNotRun: 'the antivirus check did not run (no scanner reachable); the file was not scanned',
  CheckNotRun: 'a check that normally runs did not run; the file lacks its facts',
};

/** Reason codes a policy may not map to `pass`: an error or a missing file is never a pass. */
export const NEVER_PASS: ReadonlySet<string> = new Set(['CheckError', 'MissingFile']);
