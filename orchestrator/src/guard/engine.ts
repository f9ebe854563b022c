import type { GuardRuleId } from '../repo/config.js';
import { sortDiagnostics } from '../repo/diagnostics.js';
import type { RepoModel } from '../repo/load-repo.js';
import { approvalRule } from './rules/approval.js';
import { type ChangedFile, diffCoverageRule } from './rules/diff-coverage.js';
import { dispatchGateRule } from './rules/dispatch-gate.js';
import { freshnessRule } from './rules/freshness.js';
import { indexConsistencyRule, type ManifestCheck } from './rules/index-consistency.js';
import { structureRule } from './rules/structure.js';
import type { SignatureProof } from '../repo/signature-proof.js';
import type { Violation } from './types.js';

export interface GuardInput {
  model: RepoModel;
  /** UTC day the guard evaluates freshness on. */
  today: number;
  /** Files changed in the checked range; diff coverage runs only when given. */
  changes?: readonly ChangedFile[];
  /** What was found at each manifest path named by a task in review or done. */
  manifests: Map<string, ManifestCheck>;
  /** What git said about the commits that wrote each spec's approvals (by file, by approval index). */
  approvalProofs?: Map<string, readonly SignatureProof[]>;
}

/**
 * Runs every rule over the repo model and applies the configured severities (`off` drops a
 * rule, `warning` downgrades its errors). Pure: all reading was done by the caller.
 */
export function evaluateGuard(input: GuardInput): Violation[] {
  const { model, today } = input;
  const { config, index, specs } = model;
  const found: Violation[] = [
    ...structureRule(model),
    ...freshnessRule(specs.values(), config, today),
    ...approvalRule(specs, index.tasks, config, input.approvalProofs),
    ...dispatchGateRule(index, specs, config, today),
    ...indexConsistencyRule(index, input.manifests),
    ...(input.changes ? diffCoverageRule(input.changes, specs, config) : []),
  ];
  return applySeverities(found, config.guard.rules);
}

export function applySeverities(
  violations: Violation[],
  rules: Partial<Record<GuardRuleId, 'error' | 'warning' | 'off'>>,
): Violation[] {
  const kept: Violation[] = [];
  for (const v of violations) {
    const setting = rules[v.rule] ?? 'error';
    if (setting === 'off') continue;
    kept.push(setting === 'warning' && v.severity === 'error' ? { ...v, severity: 'warning' } : v);
  }
  return sortDiagnostics(kept);
}
