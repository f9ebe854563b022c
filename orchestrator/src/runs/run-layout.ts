import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gitDirOf } from '../git/git-dir.js';

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

/** Worktrees live inside .git: outside the tracked and watched tree, and gone with the clone. */
export function worktreeDirOf(root: string, runId: string): string {
  return join(gitDirOf(root) ?? join(root, '.git'), 'codex-orchestrator', 'worktrees', runId);
}

/** The output of a `cxo run --detach` process. */
export function detachedLogOf(root: string, runId: string): string {
  return join(gitDirOf(root) ?? join(root, '.git'), 'codex-orchestrator', 'logs', `${runId}.log`);
}
