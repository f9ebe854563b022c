import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { requireGitDir } from '../repo/git-dir.js';

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

/**
 * Where a run's worktree lives: outside the repository (not tracked, not watched) and outside
 * `.git`, whose paths agents such as Claude Code refuse to edit: a per-user cache directory
 * (`$CXO_WORKTREES_DIR`, else `$XDG_CACHE_HOME` or `~/.cache`, then `codex-orchestrator/worktrees`),
 * one folder per repository (its name and a hash of its git directory), one worktree per run.
 */
export function worktreeDirOf(root: string, runId: string, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.CXO_WORKTREES_DIR ||
    join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codex-orchestrator', 'worktrees');
  const gitDir = requireGitDir(root);
  const common = existsSync(gitDir) ? realpathSync(gitDir) : resolve(gitDir);
  const key = `${basename(root)}-${createHash('sha256').update(common).digest('hex').slice(0, 12)}`;
  return join(base, key, runId);
}

/** A path for records people share (the manifest is committed): the home directory as `~`. */
export function displayPath(path: string): string {
  const home = homedir();
  return path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** The output of a `cxo run --detach` process. */
export function detachedLogOf(root: string, runId: string): string {
  return join(requireGitDir(root), 'codex-orchestrator', 'logs', `${runId}.log`);
}
