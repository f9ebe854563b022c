import type { Config } from '../../repo/config.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import type { TaskIndex } from '../../repo/task-index.js';
import { gateTask } from '../dispatch-gate.js';
import { isActive } from '../task-activity.js';
import { type Violation, violation } from '../types.js';

/** Rule `dispatch-gate`: a requested, queued or running task passes the gate (fresh approved spec, dependencies done). */
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
    if (gate.ok) continue;
    const field = task.request !== undefined ? 'request' : 'status';
    found.push(
      violation(
        'dispatch-gate',
        index.at(
          task.id,
          [field],
          'error',
          'dispatch-gate',
          `task "${task.id}" is requested but may not run: ${gate.reasons.map((r) => `${r.reason} (${r.message})`).join('; ')}`,
        ),
        { task: task.id },
      ),
    );
  }
  return found;
}
