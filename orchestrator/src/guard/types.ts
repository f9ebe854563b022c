import type { GuardRuleId } from '../repo/config.js';
import type { Diagnostic } from '../repo/diagnostics.js';

/** One finding of the guard: a diagnostic tagged with the rule that made it. */
export interface Violation extends Diagnostic {
  rule: GuardRuleId;
  task?: string;
  spec?: string;
}

export interface Override {
  reason: string;
  by: string;
  at: string;
  /** Where the override came from: the --override flag, a commit trailer, or a PR label. */
  source: 'flag' | 'trailer' | 'label';
}

/** The versioned shape of `cxo guard --format json` (docs/guard.md). */
export interface GuardReport {
  version: 1;
  /** True when there are no error violations, or they were overridden. */
  passed: boolean;
  now: string;
  range?: { base: string; head: string; changedFiles: number };
  counts: { errors: number; warnings: number; specs: number; tasks: number };
  violations: Violation[];
  /** What the reader should know about how the check ran, e.g. where the allowed signers came from. */
  notes?: string[];
  override?: Override & { violations: number };
}

export function violation(
  rule: GuardRuleId,
  d: Diagnostic,
  extra: { task?: string; spec?: string } = {},
): Violation {
  return { ...d, rule, ...extra };
}
