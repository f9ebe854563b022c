import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Why a path written in a task file cannot be used, or undefined when it is a clean
 * repository-relative path. Purely lexical; see `RepoPathChecker` for symlinks.
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
 * Resolves repository-relative paths, following symlinks, and says whether each exists, is a
 * directory, and stays inside the repository. Directory real paths are cached, so checking 10,000
 * files in a handful of folders costs one lstat each instead of a realpath walk each.
 */
export class RepoPathChecker {
  private readonly realRoot: string;
  private readonly realDirs = new Map<string, string | undefined>();
  private readonly dirEscapes = new Map<string, boolean>();

  constructor(readonly root: string) {
    this.realRoot = realpathSync(root);
  }

  /** A file a directory listing showed as a plain file (not a link): only its directory can lead outside. */
  checkListedFile(path: string): {
    absolute: string;
    exists: boolean;
    escapes: boolean;
    isDirectory: boolean;
  } {
    const absolute = resolve(this.root, path);
    const dir = dirname(absolute);
    let escapes = this.dirEscapes.get(dir);
    if (escapes === undefined) {
      const real = this.realDir(dir);
      if (real === undefined) return { absolute, exists: false, escapes: false, isDirectory: false };
      const rel = relative(this.realRoot, real);
      escapes = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
      this.dirEscapes.set(dir, escapes);
    }
    return { absolute, exists: true, escapes, isDirectory: false };
  }

  check(path: string): { absolute: string; exists: boolean; escapes: boolean; isDirectory: boolean } {
    const absolute = resolve(this.root, path);
    let stat: Stats;
    try {
      stat = lstatSync(absolute);
    } catch {
      return { absolute, exists: false, escapes: false, isDirectory: false };
    }
    let real: string | undefined;
    let isDirectory = stat.isDirectory();
    if (stat.isSymbolicLink()) {
      try {
        real = realpathSync(absolute);
        isDirectory = statSync(real).isDirectory();
      } catch {
        return { absolute, exists: false, escapes: false, isDirectory: false };
      }
    } else {
      const dir = this.realDir(dirname(absolute));
      real = dir === undefined ? undefined : join(dir, basename(absolute));
    }
    if (real === undefined) return { absolute, exists: false, escapes: false, isDirectory: false };
    const rel = relative(this.realRoot, real);
    const escapes = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    return { absolute, exists: true, escapes, isDirectory };
  }

  private realDir(dir: string): string | undefined {
    if (!this.realDirs.has(dir)) {
      let real: string | undefined;
      try {
        real = realpathSync(dir);
      } catch {
        real = undefined;
      }
      this.realDirs.set(dir, real);
    }
    return this.realDirs.get(dir);
  }
}
