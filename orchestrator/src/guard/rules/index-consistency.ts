import type { Diagnostic } from '../../repo/diagnostics.js';
import type { TaskIndex } from '../../repo/task-index.js';
import { phaseOf } from '../../repo/task-types.js';
import { type Violation, violation } from '../types.js';

/** What the caller found when it read a manifest file: its problems, and the run and task ids inside. */
export interface ManifestCheck {
  exists: boolean;
  problems: Diagnostic[];
  runId?: string;
  taskId?: string;
}

/** Rule `index-consistency`: a task in review or done points at a manifest that exists, validates and is its own. */
export function indexConsistencyRule(index: TaskIndex, manifests: Map<string, ManifestCheck>): Violation[] {
  const found: Violation[] = [];
  for (const task of index.tasks) {
    const phase = phaseOf(task);
    if (phase !== 'review' && phase !== 'done') continue;
    const run = task.status?.lastRun;
    const report = (field: (string | number)[], message: string, hint?: string) =>
      found.push(
        violation(
          'index-consistency',
          index.at(task.id, field, 'error', 'index-consistency', message, hint),
          { task: task.id },
        ),
      );
    if (!run?.manifest) {
      report(
        ['status'],
        `task "${task.id}" is ${phase} but its status names no run manifest`,
        'a task reaches review or done only through a run; request one with `cxo request`',
      );
      continue;
    }
    const check = manifests.get(run.manifest);
    if (!check?.exists) {
      report(
        ['status', 'lastRun', 'manifest'],
        `task "${task.id}" is ${phase} but its manifest ${run.manifest} does not exist`,
      );
    } else if (check.problems.length > 0) {
      report(
        ['status', 'lastRun', 'manifest'],
        `manifest ${run.manifest} is invalid: ${check.problems[0].message}${check.problems[0].line ? ` (line ${check.problems[0].line})` : ''}`,
      );
    } else if (check.taskId !== task.id || (check.runId !== undefined && check.runId !== run.id)) {
      report(
        ['status', 'lastRun', 'manifest'],
        `manifest ${run.manifest} is for task ${check.taskId} run ${check.runId}, not task ${task.id} run ${run.id}`,
      );
    }
  }
  return found;
}
