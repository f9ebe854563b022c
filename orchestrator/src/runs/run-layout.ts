import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** How often a live run refreshes its heartbeat. */
export const HEARTBEAT_MS = 2000;

/** `20261121-093000123-k3f9`: sortable by start time (to the millisecond), unique by its random tail. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 18);
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  const tail = [...randomBytes(4)].map((b) => alphabet[b & 31]).join('');
  return `${stamp}-${tail}`;
}

/** Where a run keeps its evidence, repository-relative: `.runs/<task>/<run>`. */
export function runDirOf(taskId: string, runId: string): string {
  return `.runs/${taskId}/${runId}`;
}

export function runBranchOf(taskId: string, runId: string): string {
  return `codex/${taskId}/${runId}`;
}

/** The repository's git directory (a worktree's `.git` file points at it). */
export function gitDirOf(root: string): string {
  const dotGit = join(root, '.git');
  if (existsSync(dotGit) && statSync(dotGit).isFile()) {
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (pointer) return resolve(root, pointer[1].trim());
  }
  return dotGit;
}

/** Worktrees live inside .git: outside the tracked and watched tree, and gone with the clone. */
export function worktreeDirOf(root: string, runId: string): string {
  return join(gitDirOf(root), 'codex-orchestrator', 'worktrees', runId);
}
