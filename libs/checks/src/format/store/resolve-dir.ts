import { homedir as osHomedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The environment variable naming the signature folder. */
export const SIGNATURES_DIR_ENV = 'TDR_SIGNATURES_DIR';

/** Where the signature folder came from. */
export type SignatureDirSource = 'option' | 'env' | 'default';

export interface ResolvedSignatureDir {
  /** Absolute path of the folder (it need not exist). */
  readonly path: string;
  readonly source: SignatureDirSource;
  /** Where the choice came from, for messages: `--signatures`, `TDR_SIGNATURES_DIR`, `per-user default ($XDG_DATA_HOME/…)`. */
  readonly description: string;
}

export interface ResolveSignatureDirOptions {
  /** The folder given on the command line (`--signatures DIR`); wins over everything. */
  readonly dir?: string;
  /** Environment to read `TDR_SIGNATURES_DIR`, `XDG_DATA_HOME`, `LOCALAPPDATA` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: the platform whose conventions to follow (default `process.platform`). */
  readonly platform?: NodeJS.Platform;
  /** For tests: the user's home folder (default `os.homedir()`). */
  readonly homedir?: string;
  /** What relative paths are relative to (default `process.cwd()`). */
  readonly cwd?: string;
}

const APP = 'tdr-checks';
const SUBDIR = 'signatures';

/**
 * The folder holding the PRONOM signature files: `--signatures DIR` if
 * given, else `TDR_SIGNATURES_DIR`, else a per-user data folder:
 *
 * - Linux and other Unix: `$XDG_DATA_HOME/tdr-checks/signatures`, else
 *   `~/.local/share/tdr-checks/signatures` (XDG Base Directory
 *   specification; a relative `XDG_DATA_HOME` is ignored, as the
 *   specification says);
 * - macOS: `~/Library/Application Support/tdr-checks/signatures`;
 * - Windows: `%LOCALAPPDATA%\tdr-checks\signatures`, else
 *   `%USERPROFILE%\AppData\Local\tdr-checks\signatures`.
 *
 * Empty values count as unset. Nothing is created or checked here.
 */
export function resolveSignatureDir(options: ResolveSignatureDirOptions = {}): ResolvedSignatureDir {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const cwd = options.cwd ?? process.cwd();
  const absolute = (dir: string) => path.resolve(cwd, dir);

  if (options.dir !== undefined && options.dir !== '') {
    return { path: absolute(options.dir), source: 'option', description: '--signatures' };
  }
  const fromEnv = env[SIGNATURES_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { path: absolute(fromEnv), source: 'env', description: SIGNATURES_DIR_ENV };
  }

  const home = options.homedir ?? env[platform === 'win32' ? 'USERPROFILE' : 'HOME'] ?? osHomedir();
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    if (local !== undefined && local !== '' && path.isAbsolute(local)) {
      return { path: path.join(local, APP, SUBDIR), source: 'default', description: 'per-user default (%LOCALAPPDATA%\\tdr-checks\\signatures)' };
    }
    return {
      path: path.join(home, 'AppData', 'Local', APP, SUBDIR),
      source: 'default',
      description: 'per-user default (%USERPROFILE%\\AppData\\Local\\tdr-checks\\signatures)',
    };
  }
  if (platform === 'darwin') {
    return {
      path: path.join(home, 'Library', 'Application Support', APP, SUBDIR),
      source: 'default',
      description: 'per-user default (~/Library/Application Support/tdr-checks/signatures)',
    };
  }
  const dataHome = env['XDG_DATA_HOME'];
  if (dataHome !== undefined && dataHome !== '' && path.isAbsolute(dataHome)) {
    return { path: path.join(dataHome, APP, SUBDIR), source: 'default', description: 'per-user default ($XDG_DATA_HOME/tdr-checks/signatures)' };
  }
  return { path: path.join(home, '.local', 'share', APP, SUBDIR), source: 'default', description: 'per-user default (~/.local/share/tdr-checks/signatures)' };
}
