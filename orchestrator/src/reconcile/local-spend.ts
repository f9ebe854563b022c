/**
 * The cost ledger of one clone in inline mode (no state ref): its run manifests under `.runs/`
 * (each run's steps' costUsd, counted on the UTC day it was created; a run still going counts at
 * least `budget.per_run_usd`, what ref mode reserves), and the dispatch ledger's claims whose run
 * has no manifest yet. Per clone: two clones in inline mode do not see each other's spend.
 */
import type { Budget } from '../repo/config.js';
import { listRuns } from '../runs/run-index.js';
import { runCostOf } from '../runs/run-cost.js';
import { budgetRefusal, reservationOf } from '../state/budget-check.js';
import { utcDayText } from '../state/cost-ledger.js';
import type { DispatchLedger } from './dedupe.js';

/**
 * How long a claim without a manifest counts as reserved: a run writes its manifest moments after
 * its claim, so an older one is a claim whose watcher died before the run started (it never ran).
 */
const UNSTARTED_MS = 60_000;

/** Why a claim of `taskId` at `now` is refused by the budget in this clone, if it is. */
export function localBudgetRefusal(
  root: string,
  ledger: DispatchLedger,
  budget: Budget,
  taskId: string,
  now: Date,
): string | undefined {
  if (budget.per_task_usd === undefined && budget.per_day_usd === undefined) return undefined;
  const day = utcDayText(now);
  const reserve = reservationOf(budget);
  const spend = { taskUsd: 0, dayUsd: 0 };
  const count = (task: string, runDay: string, usd: number) => {
    if (task === taskId) spend.taskUsd += usd;
    if (runDay === day) spend.dayUsd += usd;
  };
  const started = new Set<string>();
  for (const { manifest } of listRuns(root)) {
    started.add(manifest.run.id);
    const cost = runCostOf(manifest);
    const usd = manifest.result.status === 'running' ? Math.max(cost, reserve) : cost;
    count(manifest.task.id, utcDayText(new Date(manifest.run.createdAt)), usd);
  }
  for (const claim of ledger.all()) {
    const at = Date.parse(claim.at);
    if (!started.has(claim.runId) && now.getTime() - at < UNSTARTED_MS)
      count(claim.task, utcDayText(new Date(at)), reserve);
  }
  return budgetRefusal(budget, spend, taskId, day);
}
