import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The git directory of a checkout: `.git` itself, or where a worktree's `.git` file points.
 * Undefined outside a git checkout. No git process is started: read commands call this.
 */
export function gitDirOf(root: string): string | undefined {
  const dotGit = join(root, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    return pointer ? resolve(root, pointer[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}
