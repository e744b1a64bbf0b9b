/**
 * vitest globalSetup: one test clamd for every CLI spec (it starts in ~0.1 s
 * with its two-signature database), or none when clamd is not installed.
 */
import type { TestProject } from 'vitest/node';
import { CLAMD_MISSING, startTestClamd } from '@tdr/checks/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test clamd's socket, or null when clamd is not installed. */
    clamdSocket: string | null;
    /** Why there is no test clamd. */
    clamdMissing: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (CLAMD_MISSING) {
    project.provide('clamdSocket', null);
    project.provide('clamdMissing', CLAMD_MISSING);
    return async () => undefined;
  }
  const clamd = await startTestClamd();
  project.provide('clamdSocket', clamd.socket);
  project.provide('clamdMissing', null);
  return () => clamd.stop();
}
