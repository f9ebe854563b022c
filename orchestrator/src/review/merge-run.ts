import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { requireGitDir } from '../repo/git-dir.js';
import { git } from '../git/git.js';
import { changedEntries, configuredHooksPath } from '../git/changed-entries.js';
import { branchExists } from '../git/worktree.js';
import { treeFindings } from '../runs/tree-review.js';
import type { Config } from '../repo/config.js';
import type { Task } from '../repo/task-types.js';
import type { RunManifest } from '../runs/manifest-types.js';
import { runDirOf } from '../runs/run-layout.js';
import { MANIFEST } from '../runs/run-recorder.js';

/**
 * What `--merge` needs, checked before anything is written: the run branch, the base branch
 * checked out, and nothing staged (git would refuse to merge over it, or record it in the merge).
 */
export function checkMergeable(root: string, config: Config, manifest: RunManifest): void {
  const branch = manifest.run.branch;
  if (!branchExists(root, branch)) {
    throw new OperationError(`cannot merge run ${manifest.run.id}: its branch ${branch} is gone`);
  }
  const current = git(root, ['symbolic-ref', '-q', '--short', 'HEAD'], { allowFail: true }).stdout.trim();
  if (current !== config.base_branch) {
    throw new OperationError(
      `--merge merges into the base branch ${config.base_branch}, but ${current || 'a detached HEAD'} is checked out`,
      `git switch ${config.base_branch}, then review again`,
    );
  }
  if (git(root, ['diff', '--cached', '--quiet'], { allowFail: true }).status !== 0) {
    throw new OperationError(
      'cannot merge: you have staged changes, which git would refuse to merge over',
      'commit or unstage them, then review again (nothing was written)',
    );
  }
  // the branch as it is now, not as the run left it: the merge would check out what it holds
  const base = git(root, ['merge-base', 'HEAD', branch], { allowFail: true }).stdout.trim();
  const findings = base ? treeFindings(changedEntries(root, base, branch), configuredHooksPath(root)) : [];
  if (findings.length > 0) {
    throw new OperationError(
      `cannot merge run ${manifest.run.id}: its branch ${findings.map((f) => `${f.message} (${f.code})`).join('; ')}`,
      'request changes; nothing was written',
    );
  }
}

/** Merges the run branch into the checked-out base branch: always a merge commit, with trailers. */
export function mergeRunBranch(root: string, task: Task, manifest: RunManifest, by: string): string {
  const runId = manifest.run.id;
  const message = [
    `cxo(${task.id}): merge run ${runId}`,
    '',
    task.title,
    '',
    `Task-Id: ${task.id}`,
    `Run-Id: ${runId}`,
    `Manifest: ${runDirOf(task.id, runId)}/${MANIFEST}`,
    `Reviewed-by: ${by}`,
    '',
  ].join('\n');
  const merged = git(root, ['merge', '--no-ff', '--no-edit', '-m', message, manifest.run.branch], {
    allowFail: true,
  });
  if (merged.status !== 0) {
    if (existsSync(join(requireGitDir(root), 'MERGE_HEAD'))) {
      git(root, ['merge', '--abort'], { allowFail: true });
    }
    throw new OperationError(
      `the approval is committed, but merging ${manifest.run.branch} failed: ${(merged.stderr || merged.stdout).trim()}`,
      `merge it yourself: git merge --no-ff ${manifest.run.branch}`,
    );
  }
  return git(root, ['rev-parse', 'HEAD']).stdout.trim();
}
