import { InvalidRepoError } from '../errors.js';
import { requireGitDir } from '../repo/git-dir.js';
import type { Config } from '../repo/config.js';
import { hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { findRepoRoot, loadConfig } from '../repo/repo-files.js';
import type { TaskIndex } from '../repo/task-index.js';
import { loadObservedIndex } from '../state/observed-index.js';
import type { Output } from './output.js';

/** The repository root and effective config for a command; a broken config is a usage error (exit 2). */
export async function openRepo(cwd: string): Promise<{ root: string; config: Config }> {
  const root = findRepoRoot(cwd);
  const { config, diagnostics } = await loadConfig(root, { cache: cacheEnabled() });
  if (hasErrors(diagnostics))
    throw new InvalidRepoError('codex.config.yaml is invalid', sortDiagnostics(diagnostics));
  return { root, config };
}

/** As `openRepo`, for commands that run git or keep state in .git: outside a repository, exit 2. */
export async function openGitRepo(cwd: string): Promise<{ root: string; config: Config; gitDir: string }> {
  const opened = await openRepo(cwd);
  return { ...opened, gitDir: requireGitDir(opened.root) };
}

/**
 * Root, config and task index, for commands that read or edit tasks: the observed view (statuses
 * from the state ref in ref mode). State entries that are not valid are ignored, with a warning.
 */
export async function openTaskIndex(
  cwd: string,
  mode: 'full' | 'fast',
  out?: Output,
): Promise<{ root: string; config: Config; index: TaskIndex }> {
  const { root, config } = await openRepo(cwd);
  const observed = loadObservedIndex(root, config, mode, { cache: cacheEnabled() });
  if (out) warnStateProblems(out, observed.stateProblems);
  return { root, config, index: observed.index };
}

/** One warning per state entry that was ignored (it names the ref and the path). */
export function warnStateProblems(out: Output, problems: readonly string[]): void {
  for (const problem of problems) out.error(`warning: ${problem}`);
}

/** Parse caches are on unless CXO_NO_CACHE is set (they are content-addressed, so never stale). */
export function cacheEnabled(): boolean {
  return !process.env.CXO_NO_CACHE;
}
