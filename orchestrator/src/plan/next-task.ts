import type { TaskIndex } from '../repo/task-index.js';
import { type Phase, type Priority, phaseOf, priorityOf, type Task } from '../repo/task-types.js';

/** Phases from which a task can be picked up again. running/queued/review/done/cancelled are not. */
export const WORKABLE_PHASES: readonly Phase[] = ['pending', 'changes-requested', 'failed', 'blocked'];

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Dependencies of a task that are not done yet. */
export function unfinishedDependencies(index: TaskIndex, task: Task): string[] {
  return (task.dependsOn ?? []).filter((dep) => {
    const d = index.byId.get(dep);
    return !d || phaseOf(d) !== 'done';
  });
}

/** Whether a task could be worked on now, as far as the index alone can tell. */
export function isReady(index: TaskIndex, task: Task): boolean {
  return WORKABLE_PHASES.includes(phaseOf(task)) && unfinishedDependencies(index, task).length === 0;
}

/**
 * The task to work on next: the highest priority ready task, earliest in the file on ties.
 * One pass over the index, no sort, so it stays linear at 10,000 tasks.
 */
export function nextTask(index: TaskIndex, accept: (task: Task) => boolean = () => true): Task | undefined {
  let best: Task | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const task of index.tasks) {
    const rank = PRIORITY_RANK[priorityOf(task)];
    if (rank >= bestRank) continue;
    if (!isReady(index, task) || !accept(task)) continue;
    best = task;
    bestRank = rank;
    if (rank === 0) break;
  }
  return best;
}
