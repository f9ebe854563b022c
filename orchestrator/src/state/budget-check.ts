import type { Budget } from '../repo/config.js';

/** A claim the budget refused: nothing was claimed, and the task is blocked with reason BudgetExceeded. */
export interface BudgetRefusal {
  refused: string;
}

/** Float sums of cents must not refuse a claim that fits exactly. */
const EPSILON = 1e-9;

/** What a claim sets aside while its run goes: `budget.per_run_usd`, or nothing without that cap. */
export function reservationOf(budget: Budget): number {
  return budget.per_run_usd ?? 0;
}

/**
 * Why a claim of `taskId` on `day` is refused, given what the task and the day have spent or
 * reserved already: a cap already reached, or one this run's reservation would pass.
 */
export function budgetRefusal(
  budget: Budget,
  spent: { taskUsd: number; dayUsd: number },
  taskId: string,
  day: string,
): string | undefined {
  const reserve = reservationOf(budget);
  const over = (cap: number | undefined, used: number) =>
    cap !== undefined && (used >= cap - EPSILON || used + reserve > cap + EPSILON);
  const reserving = reserve > 0 ? `, and a run reserves $${reserve} (budget.per_run_usd)` : '';
  if (over(budget.per_task_usd, spent.taskUsd))
    return `task ${taskId} has spent or reserved $${usd(spent.taskUsd)} of its budget.per_task_usd ($${budget.per_task_usd})${reserving}`;
  if (over(budget.per_day_usd, spent.dayUsd))
    return `runs claimed on ${day} (UTC) have spent or reserved $${usd(spent.dayUsd)} of budget.per_day_usd ($${budget.per_day_usd})${reserving}`;
  return undefined;
}

function usd(n: number): string {
  return String(Number(n.toFixed(4)));
}
