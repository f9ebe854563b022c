import type { Config } from '../repo/config.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import type { TaskIndex } from '../repo/task-index.js';
import { phaseOf, type Task } from '../repo/task-types.js';
import { approvalsOf, freshnessOf } from './spec-health.js';

export type BlockReason =
  'MissingSpec' | 'InvalidSpec' | 'StaleSpec' | 'Unapproved' | 'DependencyNotReady' | 'DependencyFailed';

export interface GateResult {
  ok: boolean;
  reasons: { reason: BlockReason; message: string }[];
}

/**
 * The dispatch gate: may this task run now? Its spec must exist, parse, be fresh and carry the
 * approvals its risk requires for its current content, and every dependency must be done.
 * `tasks next`, `guard` and the reconciler all call this one function.
 */
export function gateTask(
  task: Task,
  index: TaskIndex,
  spec: SpecDoc | undefined,
  config: Config,
  today: number,
): GateResult {
  const reasons: GateResult['reasons'] = [];
  if (!task.spec) {
    if (config.guard.require_spec) {
      reasons.push({
        reason: 'MissingSpec',
        message: `task "${task.id}" names no spec (guard.require_spec is on)`,
      });
    }
  } else if (!spec) {
    reasons.push({
      reason: 'InvalidSpec',
      message: `spec ${task.spec} is missing or invalid (run \`cxo validate\`)`,
    });
  } else {
    const fresh = freshnessOf(spec.fields, config, today);
    if (fresh.state === 'stale') {
      reasons.push({
        reason: 'StaleSpec',
        message: `spec ${spec.fields.id} was due for review after ${fresh.freshThrough}`,
      });
    } else if (fresh.state === 'future') {
      reasons.push({ reason: 'StaleSpec', message: `spec ${spec.fields.id} has last_review in the future` });
    }
    const approvals = approvalsOf(spec, config);
    if (spec.fields.status !== 'approved') {
      reasons.push({
        reason: 'Unapproved',
        message: `spec ${spec.fields.id} is ${spec.fields.status}, not approved`,
      });
    } else if (!approvals.ok) {
      reasons.push({ reason: 'Unapproved', message: `spec ${spec.fields.id} ${describeMissing(approvals)}` });
    }
  }
  for (const dep of task.dependsOn ?? []) {
    const d = index.byId.get(dep);
    const phase = d ? phaseOf(d) : undefined;
    if (phase === 'failed' || phase === 'cancelled') {
      reasons.push({ reason: 'DependencyFailed', message: `dependency ${dep} is ${phase}` });
    } else if (phase !== 'done') {
      reasons.push({ reason: 'DependencyNotReady', message: `dependency ${dep} is ${phase ?? 'missing'}` });
    }
  }
  return { ok: reasons.length === 0, reasons };
}

export function describeMissing(a: ReturnType<typeof approvalsOf>): string {
  const parts: string[] = [];
  if (a.missingCount > 0) {
    parts.push(
      `needs ${a.missingCount} more approval${a.missingCount === 1 ? '' : 's'} of its current content`,
    );
  }
  if (a.missingRoles.length > 0) parts.push(`needs an approval in role ${a.missingRoles.join(', ')}`);
  if (a.stale.length > 0) {
    parts.push(
      `approval${a.stale.length === 1 ? '' : 's'} by ${a.stale.map((s) => s.by).join(', ')} signed an older version`,
    );
  }
  if (a.byOwners.length > 0) {
    parts.push(
      `approvals by owners (${a.byOwners.map((s) => s.by).join(', ')}) do not count for ${a.rule.count ? 'this risk' : 'it'}`,
    );
  }
  if (a.unverified.length > 0) {
    parts.push(
      `approval${a.unverified.length === 1 ? '' : 's'} by ${a.unverified.map((u) => u.approval.by).join(', ')} ${a.unverified.length === 1 ? 'is' : 'are'} not signed by the approver`,
    );
  }
  return parts.join('; ');
}
