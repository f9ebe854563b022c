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
 * Only objects no ref, reflog or index reaches are deleted (what `git prune` would delete,
 * restricted to what this run's commits and `extraRoots` reach: a person's own unreachable
 * objects, a dropped stash say, are left alone), so the repository stays consistent. Knowing that
 * takes a walk of every reachable object: seconds on a large repository, paid only after a leak.
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
  // the run's objects: a superset (with a tree as a root, --not does not exclude what else reaches)
  const candidates = new Set(
    objectIds(git(root, ['rev-list', '--objects', '--no-object-names', ...roots, '--not', '--all']).stdout),
  );
  // minus everything a ref, a reflog or an index (of any worktree) still reaches
  const reachable = git(root, [
    'rev-list',
    '--objects',
    '--no-object-names',
    '--all',
    '--reflog',
    '--indexed-objects',
  ]);
  for (const oid of objectIds(reachable.stdout)) candidates.delete(oid);
  const objects = resolve(root, git(root, ['rev-parse', '--git-path', 'objects']).stdout.trim());
  for (const oid of candidates) {
    const file = join(objects, oid.slice(0, 2), oid.slice(2));
    if (existsSync(file)) {
      rmSync(file, { force: true });
      outcome.removed++;
    } else outcome.packed++;
  }
  return outcome;
}

function objectIds(listing: string): string[] {
  return listing.split('\n').filter(Boolean);
}
