/**
 * `@tdr/checks/testing`: helpers for the tests of runners and of checks
 * written elsewhere. Not for production code.
 */
export {
  CLAMD_BINARY,
  CLAMD_MISSING,
  EICAR_SIGNATURE,
  GENERATED_SIGNATURE,
  eicarBytes,
  startTestClamd,
} from './antivirus/testing/test-clamd.js';
export type { TestClamd } from './antivirus/testing/test-clamd.js';
