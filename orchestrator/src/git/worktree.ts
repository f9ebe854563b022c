import { existsSync, rmSync } from 'node:fs';
import { ORCHESTRATOR_IDENTITY } from './orchestrator-identity.js';
import { git } from './git.js';

/** Creates a worktree at `path` on a new branch `branch` starting at `base`. */
export function addWorktree(root: string, path: string, branch: string, base: string): void {
  git(root, ['worktree', 'add', '--quiet', '-b', branch, path, base]);
}

/** Removes a worktree (even with uncommitted changes) and prunes git's record of it. */
export function removeWorktree(root: string, path: string): void {
  if (existsSync(path)) git(root, ['worktree', 'remove', '--force', '--force', path], { allowFail: true });
  rmSync(path, { recursive: true, force: true });
  git(root, ['worktree', 'prune'], { allowFail: true });
}

export function branchExists(root: string, branch: string): boolean {
  return (
    git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { allowFail: true }).status === 0
  );
}

export function deleteBranch(root: string, branch: string): void {
  git(root, ['branch', '-D', branch], { allowFail: true });
}

export interface DiffStat {
  files: string[];
  insertions: number;
  deletions: number;
}

/** Files and line counts of `base..head` (binary files count as changed with 0 lines). */
export function diffStat(cwd: string, base: string, head: string): DiffStat {
  const out = git(cwd, ['diff', '--numstat', '-z', '--no-renames', base, head]).stdout;
  const stat: DiffStat = { files: [], insertions: 0, deletions: 0 };
  for (const entry of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(entry);
    if (!m) continue;
    stat.files.push(m[3]);
    stat.insertions += m[1] === '-' ? 0 : Number(m[1]);
    stat.deletions += m[2] === '-' ? 0 : Number(m[2]);
  }
  return stat;
}

/**
 * Commits everything in the worktree as the orchestrator, with the run's trailers. Returns the new
 * commit, or undefined when there was nothing to commit.
 */
export function commitWorktree(
  cwd: string,
  message: string,
  trailers: Record<string, string>,
): string | undefined {
  git(cwd, ['add', '--all']);
  if (git(cwd, ['diff', '--cached', '--quiet'], { allowFail: true }).status === 0) return undefined;
  const body = `${message}\n\n${Object.entries(trailers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n`;
  git(cwd, ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-F', '-'], {
    input: body,
    set: ORCHESTRATOR_IDENTITY,
  });
  return git(cwd, ['rev-parse', 'HEAD']).stdout.trim();
}
