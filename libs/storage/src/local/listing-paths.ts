/**
 * How a local listing names what it finds: ids, relative paths and absolute
 * paths, built by joining names the same way on both sides of the listing
 * worker (the worker names problems; the main thread names files).
 */
import { posix } from 'node:path';

/** The id prefix of a root: as given, normalised (no `./`, no trailing `/`). */
export function rootId(given: string): string {
  const normal = posix.normalize(given);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** `parentId` joined with `rel` (a name, or several joined with `/`). */
export function childId(parentId: string, rel: string): string {
  if (parentId === '.') return rel;
  return parentId === '/' ? `/${rel}` : `${parentId}/${rel}`;
}

export function childRel(parentRel: string, name: string): string {
  return parentRel === '' ? name : `${parentRel}/${name}`;
}

export function childPath(parent: string, rel: string): string {
  return parent === '/' ? `/${rel}` : `${parent}/${rel}`;
}

export function isSameOrInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);
}
