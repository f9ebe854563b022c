import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from './git.js';
import { deleteBranch, removeWorktree } from './worktree.js';

export interface PurgeOutcome {
  /** Loose objects of the run deleted from the object store. */
  removed: number;
  /** Objects of the run that are in a pack (an automatic gc packed them): they stay until the next gc. */
  packed: number;
}

/**
 * Removes everything git keeps of a run whose work must not survive (it leaked a secret): the
 * worktree (with its HEAD, index and reflog), the run branch (with its reflog), and then the loose
 * objects only the run made, so that no ref, reflog, index or object file holds them.
 *
 * Only objects no other ref, reflog or index reaches are deleted (what `git prune` would delete,
 * restricted to this run's commits and `extraRoots`: a person's own unreachable objects, a dropped
 * stash say, are left alone), so the repository stays consistent.
 */
export function purgeRunObjects(
  root: string,
  { worktree, branch, extraRoots = [] }: { worktree: string; branch: string; extraRoots?: string[] },
): PurgeOutcome {
  const tip = git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
    allowFail: true,
  }).stdout.trim();
  removeWorktree(root, worktree);
  deleteBranch(root, branch);
  const roots = [tip, ...extraRoots].filter(Boolean);
  const outcome: PurgeOutcome = { removed: 0, packed: 0 };
  if (roots.length === 0) return outcome;
  const listed = git(root, [
    'rev-list',
    '--objects',
    ...roots,
    '--not',
    '--all',
    '--reflog',
    '--indexed-objects',
  ]).stdout;
  const objects = resolve(root, git(root, ['rev-parse', '--git-path', 'objects']).stdout.trim());
  for (const line of listed.split('\n')) {
    const oid = line.split(' ', 1)[0];
    if (!oid) continue;
    const file = join(objects, oid.slice(0, 2), oid.slice(2));
    if (existsSync(file)) {
      rmSync(file, { force: true });
      outcome.removed++;
    } else outcome.packed++;
  }
  return outcome;
}
