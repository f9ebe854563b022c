import { type ApprovalRule, type Config, DEFAULT_REVIEW_INTERVAL_DAYS } from '../repo/config.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import { specDigest } from '../repo/spec-digest.js';
import type { SignatureProof } from '../repo/signature-proof.js';
import type { Approval, SpecFields } from '../repo/spec-types.js';
import { formatUtcDay, parseUtcDay } from './utc-date.js';

/** How a spec's last_review compares with its review interval on a given UTC day. */
export interface Freshness {
  state: 'fresh' | 'expiring' | 'stale' | 'future' | 'invalid';
  intervalDays: number;
  ageDays: number;
  /** Last day on which the spec is still fresh. */
  freshThrough?: string;
  daysLeft: number;
}

export function reviewIntervalOf(
  fields: Pick<SpecFields, 'review_interval_days' | 'risk'>,
  config: Config,
): number {
  return fields.review_interval_days ?? config.freshness.days[fields.risk] ?? DEFAULT_REVIEW_INTERVAL_DAYS;
}

/** A spec is fresh while `today - last_review <= interval` days; it warns `warn_days_before` days ahead. */
export function freshnessOf(fields: SpecFields, config: Config, today: number): Freshness {
  const intervalDays = reviewIntervalOf(fields, config);
  const reviewed = parseUtcDay(String(fields.last_review));
  if (reviewed === undefined) return { state: 'invalid', intervalDays, ageDays: 0, daysLeft: 0 };
  const ageDays = today - reviewed;
  const daysLeft = intervalDays - ageDays;
  const freshThrough = formatUtcDay(reviewed + intervalDays);
  if (ageDays < 0) return { state: 'future', intervalDays, ageDays, freshThrough, daysLeft };
  if (daysLeft < 0) return { state: 'stale', intervalDays, ageDays, freshThrough, daysLeft };
  const warnAt = config.freshness.warn_days_before;
  return { state: daysLeft < warnAt ? 'expiring' : 'fresh', intervalDays, ageDays, freshThrough, daysLeft };
}

/** Which approvals count for a spec's current content, and what its risk still requires. */
export interface ApprovalCheck {
  rule: ApprovalRule;
  digest: string;
  /** Approvals of the current digest that count toward the rule. */
  valid: Approval[];
  /** Approvals whose digest is of an older version: an edit invalidated them. */
  stale: Approval[];
  /** Current approvals that do not count because the approver owns the spec (distinct_from_owners). */
  byOwners: Approval[];
  /** Current approvals that do not count because require_signature is on and git cannot vouch for them. */
  unverified: { index: number; approval: Approval; proof?: SignatureProof }[];
  missingCount: number;
  missingRoles: string[];
  ok: boolean;
}

export function approvalRuleOf(fields: Pick<SpecFields, 'risk'>, config: Config): ApprovalRule {
  return config.approvals[fields.risk];
}

/**
 * `proofs` (by approval index) are what git said about the commits that wrote the approvals; given
 * them, under `require_signature` an approval counts only when its proof is `verified`. Without
 * them (callers that check content only, like `cxo spec approve` before it signs) signatures are
 * not looked at.
 */
export function approvalsOf(
  spec: Pick<SpecDoc, 'fields'> & { doc: { body: string } },
  config: Config,
  proofs?: readonly (SignatureProof | undefined)[],
): ApprovalCheck {
  const rule = approvalRuleOf(spec.fields, config);
  const digest = specDigest(spec.fields, spec.doc.body);
  const valid: Approval[] = [];
  const stale: Approval[] = [];
  const byOwners: Approval[] = [];
  const unverified: ApprovalCheck['unverified'] = [];
  const seen = new Set<string>();
  for (const [index, approval] of (spec.fields.approvals ?? []).entries()) {
    if (approval.digest !== digest) {
      stale.push(approval);
      continue;
    }
    const proof = proofs?.[index];
    if (proofs && rule.require_signature && proof?.state !== 'verified') {
      unverified.push({ index, approval, ...(proof ? { proof } : {}) });
      continue;
    }
    if (rule.distinct_from_owners && spec.fields.owners.includes(approval.by)) {
      byOwners.push(approval);
      continue;
    }
    if (seen.has(approval.by)) continue; // one person counts once
    seen.add(approval.by);
    valid.push(approval);
  }
  const missingCount = Math.max(0, rule.count - valid.length);
  const missingRoles = rule.roles.filter((role) => !valid.some((a) => a.role === role));
  return {
    rule,
    digest,
    valid,
    stale,
    byOwners,
    unverified,
    missingCount,
    missingRoles,
    ok: missingCount === 0 && missingRoles.length === 0,
  };
}
