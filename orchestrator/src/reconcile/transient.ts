/**
 * Which run failures are transient: their cause lies outside the change, so the same request may
 * well succeed if it is simply run again later. The reconciler retries only these (retry-policy.ts).
 *
 * - `ModelError`: the model endpoint failed (429, 5xx, a dropped connection) after the adapter's own
 *   retries and fallback model;
 * - `Timeout`: an agent ran out of `timeouts.step_seconds` (a slow or stuck endpoint). An acceptance
 *   or lint command that times out is `AcceptanceFailed` / `ReviewFailed`, which are not retried;
 * - `WorktreeFailed`: git could not add the run's worktree (a lock file, a full disk). A branch
 *   name git refuses is `InvalidBranchName` instead (runs/worktree-failure.ts): no retry fixes it.
 *
 * Everything else needs a person: the change was judged (`AcceptanceFailed`, `ReviewFailed`,
 * `SecretLeak`), the agent's output was unusable (`InvalidPlan`, `InvalidReview`), it hit a limit
 * the config sets (`MaxTurns`, `BudgetExceeded`), the setup is wrong (`AgentNotFound`, `InvalidBranchName`, and
 * `AdapterFailed`, which also covers a command or CLI that exits non-zero for its own reasons), or
 * someone decided (`Cancelled`; `Stalled` from `cxo runs clean`, after the pass's one resume;
 * `WorktreeLost`, whose worktree and branch someone removed).
 */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set(['ModelError', 'Timeout', 'WorktreeFailed']);

/** Whether a failed run's `result.reason` is worth an automatic retry. */
export function isTransient(reason: string | null | undefined): boolean {
  return reason !== null && reason !== undefined && TRANSIENT_REASONS.has(reason);
}
