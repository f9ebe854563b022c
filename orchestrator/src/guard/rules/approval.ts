import type { Config } from '../../repo/config.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import type { Task } from '../../repo/task-types.js';
import { describeMissing } from '../dispatch-gate.js';
import { approvalsOf } from '../spec-health.js';
import { isActive } from '../task-activity.js';
import { type Violation, violation } from '../types.js';

/**
 * Rule `approval`: every approved spec, and every spec governing a requested, queued or running
 * task, carries the approvals its risk requires for its current content.
 */
export function approvalRule(
  specs: Map<string, SpecDoc>,
  tasks: readonly Task[],
  config: Config,
): Violation[] {
  const activeBySpec = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.spec && isActive(task))
      activeBySpec.set(task.spec, [...(activeBySpec.get(task.spec) ?? []), task.id]);
  }
  const found: Violation[] = [];
  for (const [file, spec] of specs) {
    const active = activeBySpec.get(file) ?? [];
    if (spec.fields.status !== 'approved' && active.length === 0) continue;
    const id = spec.fields.id;
    const approve = `after reading it, run \`cxo spec approve ${id}\``;
    if (spec.fields.status !== 'approved') {
      found.push(
        violation(
          'approval',
          spec.doc.locate(
            ['status'],
            'error',
            'approval',
            `spec "${id}" is ${spec.fields.status}, but task ${active.join(', ')} is requested`,
            approve,
          ),
          { spec: id, task: active[0] },
        ),
      );
      continue;
    }
    const check = approvalsOf(spec, config);
    if (!check.ok) {
      const where = spec.fields.approvals ? ['approvals'] : ['status'];
      found.push(
        violation(
          'approval',
          spec.doc.locate(where, 'error', 'approval', `spec "${id}" ${describeMissing(check)}`, approve),
          { spec: id },
        ),
      );
    } else if (check.stale.length > 0) {
      const i = (spec.fields.approvals ?? []).indexOf(check.stale[0]);
      found.push(
        violation(
          'approval',
          spec.doc.locate(
            ['approvals', i, 'digest'],
            'warning',
            'approval',
            `approval by ${check.stale.map((a) => a.by).join(', ')} signed an older version of spec "${id}"; it no longer counts`,
          ),
          { spec: id },
        ),
      );
    }
  }
  return found;
}
