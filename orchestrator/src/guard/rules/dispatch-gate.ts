import type { Config } from '../../repo/config.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import type { TaskIndex } from '../../repo/task-index.js';
import { gateTask } from '../dispatch-gate.js';
import { isActive } from '../task-activity.js';
import { type Violation, violation } from '../types.js';

/**
 * Rule `dispatch-gate`: a requested, queued or running task passes the gate. Spec problems are
 * errors; a failed dependency is a warning; a dependency still in progress is the normal wait
 * of a queue, not a violation.
 */
export function dispatchGateRule(
  index: TaskIndex,
  specs: Map<string, SpecDoc>,
  config: Config,
  today: number,
): Violation[] {
  const found: Violation[] = [];
  for (const task of index.tasks) {
    if (!isActive(task)) continue;
    const gate = gateTask(task, index, task.spec ? specs.get(task.spec) : undefined, config, today);
    const field = task.request !== undefined ? 'request' : 'status';
    const report = (severity: 'error' | 'warning', reasons: typeof gate.reasons) => {
      if (reasons.length === 0) return;
      found.push(
        violation(
          'dispatch-gate',
          index.at(
            task.id,
            [field],
            severity,
            'dispatch-gate',
            `task "${task.id}" is requested but may not run: ${reasons.map((r) => `${r.reason} (${r.message})`).join('; ')}`,
          ),
          { task: task.id },
        ),
      );
    };
    report(
      'error',
      gate.reasons.filter((r) => !r.reason.startsWith('Dependency')),
    );
    report(
      'warning',
      gate.reasons.filter((r) => r.reason === 'DependencyFailed'),
    );
  }
  return found;
}
