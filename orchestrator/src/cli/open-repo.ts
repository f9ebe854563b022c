import { InvalidRepoError } from '../errors.js';
import { requireGitDir } from '../repo/git-dir.js';
import type { Config } from '../repo/config.js';
import { hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { findRepoRoot, loadConfig, loadTaskIndex } from '../repo/repo-files.js';
import type { TaskIndex } from '../repo/task-index.js';

/** The repository root and effective config for a command; a broken config is a usage error (exit 2). */
export async function openRepo(cwd: string): Promise<{ root: string; config: Config }> {
  const root = findRepoRoot(cwd);
  const { config, diagnostics } = await loadConfig(root);
  if (hasErrors(diagnostics))
    throw new InvalidRepoError('codex.config.yaml is invalid', sortDiagnostics(diagnostics));
  return { root, config };
}

/** As `openRepo`, for commands that run git or keep state in .git: outside a repository, exit 2. */
export async function openGitRepo(cwd: string): Promise<{ root: string; config: Config; gitDir: string }> {
  const opened = await openRepo(cwd);
  return { ...opened, gitDir: requireGitDir(opened.root) };
}

/** Root, config and task index, for commands that read or edit tasks. */
export async function openTaskIndex(
  cwd: string,
  mode: 'full' | 'fast',
): Promise<{ root: string; config: Config; index: TaskIndex }> {
  const { root, config } = await openRepo(cwd);
  return { root, config, index: loadTaskIndex(root, config, mode, { cache: cacheEnabled() }).index };
}

/** Parse caches are on unless CXO_NO_CACHE is set (they are content-addressed, so never stale). */
export function cacheEnabled(): boolean {
  return !process.env.CXO_NO_CACHE;
}
