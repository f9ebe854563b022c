import { refNameProblem } from '../repo/ref-name.js';
import type { RunError } from './manifest-types.js';

/**
 * Why a run's worktree could not be added. A branch name git refuses (`InvalidBranchName`) stays
 * refused however often the run is retried, so it is permanent; anything else (a lock file, a full
 * disk) is `WorktreeFailed`, which the reconciler retries (reconcile/transient.ts).
 */
export function worktreeFailure(
  branch: string,
  e: unknown,
): { reason: 'InvalidBranchName' | 'WorktreeFailed'; error: RunError } {
  const message = e instanceof Error ? e.message : String(e);
  const problem = refNameProblem(branch);
  if (problem || /not a valid (branch|ref) name/i.test(message)) {
    const why = problem ? `branch name "${branch}" ${problem}` : message;
    return { reason: 'InvalidBranchName', error: { code: 'InvalidBranchName', message: why } };
  }
  return { reason: 'WorktreeFailed', error: { code: 'WorktreeFailed', message } };
}
