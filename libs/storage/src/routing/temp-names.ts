/**
 * Names of the temp files a copy is written to before it takes its final
 * name. They sit in the destination folder itself (same file system, so the
 * final step is an atomic link or rename) and carry a fixed prefix and the
 * writer's pid, so debris of a crashed run is recognisable and can be told
 * from a copy another process is writing right now.
 */
import { randomBytes } from 'node:crypto';
import { isErrnoException } from '@tdr/checks';

/** Every temp file of routing starts with this. */
export const TEMP_PREFIX = '.tdr-routing-';

const TEMP_NAME = /^\.tdr-routing-(\d+)-[0-9a-f]{16}\.tmp$/;

/**
 * Past this age a temp file is debris whatever its pid says: the pid may
 * have been reused (after a reboot) by an unrelated process. A day is far
 * longer than any copy takes.
 */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** A fresh temp name for this process: `.tdr-routing-<pid>-<16 hex>.tmp`. */
export function tempName(): string {
  return `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
}

/** Whether `name` is a temp name of routing (any process's). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Whether the temp file `name`, last modified at `mtimeMs`, is debris:
 * older than `STALE_AFTER_MS`, or written by a process that no longer runs
 * on this machine. Temp files of this process are never debris here: the
 * caller keeps track of its own (`inFlight`).
 */
export function isStaleTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  if (now - mtimeMs > STALE_AFTER_MS) return true;
  const pid = Number(match[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return false;
  } catch (error) {
    // EPERM: it exists, under another user. Only ESRCH says it is gone.
    return isErrnoException(error) && error.code === 'ESRCH';
  }
}
