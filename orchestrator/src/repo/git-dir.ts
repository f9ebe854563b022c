import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

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

/**
 * The git directory, for what keeps state, locks or logs there or runs git: outside a repository
 * a usage error naming the directory, never a `.git/` made where there was none.
 */
export function requireGitDir(root: string): string {
  const dir = gitDirOf(root);
  if (dir) return dir;
  throw new UsageError(
    `${root} is not in a git repository`,
    `run \`git init\` there first (codex-orchestrator keeps its state in git), or pass --repo DIR`,
  );
}
