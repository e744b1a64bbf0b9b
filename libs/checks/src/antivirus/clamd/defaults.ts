/** clamd's own defaults (clamd.conf): files past these are not scanned in full. */
export const CLAMD_DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;
