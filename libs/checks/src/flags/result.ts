import type { ExecutableKind } from './executable.js';

/** What the flags check found: facts the policy turns into reasons (PasswordProtected, Executable, ZeroByteFile). */
export interface FlagsResult {
  /** Encrypted or password protected, as far as its structure shows. */
  readonly passwordProtected: boolean;
  /** What showed it, e.g. `ZIP entry "a.txt" is encrypted`, `PDF trailer has /Encrypt`. */
  readonly passwordProtectedBasis?: string;
  /** Executable code by its own header (PE, ELF, Mach-O, MS-DOS). */
  readonly executable: boolean;
  readonly executableKind?: ExecutableKind;
  readonly zeroBytes: boolean;
}
