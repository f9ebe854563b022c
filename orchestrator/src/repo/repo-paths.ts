import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Why a path written in a task file cannot be used, or undefined when it is a clean
 * repository-relative path. Purely lexical; see `resolveInsideRepo` for symlinks.
 */
export function repoPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path is empty';
  if (path.includes('\0')) return 'path contains a NUL character';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path)) {
    return 'path is absolute; use a path relative to the repository root';
  }
  if (path.includes('\\')) return 'path uses backslashes; use forward slashes';
  if (path.split('/').includes('..')) return 'path climbs out with ".."; it must stay inside the repository';
  return undefined;
}

/**
 * Resolves a repository-relative path, following symlinks, and says whether it exists and
 * whether it stays inside the repository.
 */
export function resolveInsideRepo(
  root: string,
  path: string,
): { absolute: string; exists: boolean; escapes: boolean } {
  const absolute = resolve(root, path);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    return { absolute, exists: false, escapes: false };
  }
  const realRoot = realpathSync(root);
  const rel = relative(realRoot, real);
  const escapes = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return { absolute, exists: true, escapes };
}
