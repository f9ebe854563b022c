import type { BuiltinSettings, ClaudeSettings, CodexSettings } from './agent-config.js';
import { ownValue } from './own-property.js';
import { defaultSandboxConfig, type SandboxConfig } from './sandbox-config.js';
import type { Role } from './task-types.js';

export const CONFIG_FILE = 'codex.config.yaml';

export interface ApprovalRule {
  count: number;
  roles: string[];
  distinct_from_owners: boolean;
  /** Count only approvals added by a commit signed with the approver's key (docs/guard.md "Signed approvals"). */
  require_signature: boolean;
}

/** The effective configuration: codex.config.yaml over these defaults (schemas/config.schema.json). */
export interface Config {
  base_branch: string;
  files: { tasks: string; prds: string[]; checklists: string[]; specs: string[]; governed_roots: string[] };
  freshness: { days: Partial<Record<'low' | 'medium' | 'high', number>>; warn_days_before: number };
  approvals: { low: ApprovalRule; medium: ApprovalRule; high: ApprovalRule };
  agents: Record<Role, string> & {
    builtin: BuiltinSettings;
    codex?: Partial<CodexSettings>;
    claude?: Partial<ClaudeSettings>;
  };
  concurrency: number;
  timeouts: { step_seconds: number; command_seconds: number };
  redaction: { patterns: string[] };
  limits: { max_file_bytes: number; max_log_bytes: number };
  evidence: EvidencePolicy;
  review: { lint_command?: string; max_file_bytes: number };
  env: { pass_through: string[] };
  sandbox: SandboxConfig;
  gitops: {
    write_back: boolean;
    push: boolean;
    remote: string;
    push_attempts: number;
    /** Where statuses, claims and run evidence live: the task index (`inline`) or the state ref (`ref`). */
    state: StateMode;
    /** The branch of the state ref, under refs/heads/ (`ref` mode). */
    state_ref: string;
    /** Whether the state ref is shared through `remote` (when the clone has that remote). */
    share_state: boolean;
    /** When a status on the state ref also lands in the task index on the base branch. */
    state_sync: StateSync;
    /** How long a claim holds without a heartbeat before another machine may take the request over. */
    claim_lease_seconds: number;
  };
  /** Spend caps in USD, checked in the same compare-and-swap as a claim (docs/gitops.md "Spend caps"). */
  budget: Budget;
  watch: { retry: { max_attempts: number; base_seconds: number; cap_seconds: number } };
  github: { repo?: string; api_url: string; token_env: string; labels: string[]; status_context: string };
  guard: {
    rules: Partial<Record<GuardRuleId, GuardSeverity>>;
    require_spec: boolean;
    override_labels: string[];
  };
}

export interface Budget {
  per_run_usd?: number;
  per_task_usd?: number;
  /** All runs claimed on one UTC calendar day. */
  per_day_usd?: number;
}

/** `evidence:` in codex.config.yaml: caps, compression, out-of-tree storage and gc of run artifacts. */
export interface EvidencePolicy {
  max_artifact_bytes: number;
  compress: boolean;
  /** In ref mode, stored files this large or larger go to `refs/cxo/evidence/<task>/<run>`, not the state tree. */
  inline_max_bytes: number;
  gc: { keep: number; older_than_days: number };
}

export const STATE_MODES = ['inline', 'ref'] as const;
export type StateMode = (typeof STATE_MODES)[number];
export const STATE_SYNCS = ['never', 'done', 'pr'] as const;
export type StateSync = (typeof STATE_SYNCS)[number];

export const GUARD_RULES = [
  'structure',
  'freshness',
  'approval',
  'dispatch-gate',
  'diff-coverage',
  'index-consistency',
] as const;
export type GuardRuleId = (typeof GUARD_RULES)[number];
export type GuardSeverity = 'error' | 'warning' | 'off';

/** Freshness interval used when neither the spec nor the config names one. */
export const DEFAULT_REVIEW_INTERVAL_DAYS = 30;

export function defaultConfig(): Config {
  return {
    base_branch: 'main',
    files: {
      tasks: 'codex.tasks.json',
      prds: ['tasks/[0-9][0-9][0-9][0-9]-prd-*.md'],
      checklists: ['tasks/tasks-[0-9][0-9][0-9][0-9]-*.md'],
      specs: ['specs/[0-9][0-9][0-9][0-9]*-*.md'],
      governed_roots: [],
    },
    freshness: { days: {}, warn_days_before: 7 },
    approvals: {
      low: { count: 0, roles: [], distinct_from_owners: false, require_signature: false },
      medium: { count: 1, roles: [], distinct_from_owners: false, require_signature: false },
      high: { count: 2, roles: [], distinct_from_owners: true, require_signature: true },
    },
    agents: {
      manager: 'builtin',
      builder: 'builtin',
      tester: 'none',
      reviewer: 'none',
      builtin: {
        base_url: 'https://api.openai.com/v1',
        api: 'responses',
        model: 'gpt-5-mini',
        api_key_env: 'OPENAI_API_KEY',
        max_turns: 40,
        max_tokens: 2_000_000,
        max_retries: 2,
        repair_attempts: 2,
        structured_output: true,
        // the orchestrator commits and pushes; an agent that does it itself would bypass the evidence
        commands: {
          allow: [],
          deny: ['\\bgit\\s+(commit|push|reset|rebase|checkout)\\b'],
          timeout_seconds: 300,
        },
      },
    },
    concurrency: 2,
    timeouts: { step_seconds: 1800, command_seconds: 600 },
    redaction: { patterns: [] },
    limits: { max_file_bytes: 32 * 1024 * 1024, max_log_bytes: 1024 * 1024 },
    // 200 KB builder logs compress to a few KB and, above inline_max_bytes, stay out of the state tree
    evidence: {
      max_artifact_bytes: 5 * 1024 * 1024,
      compress: true,
      inline_max_bytes: 64 * 1024,
      gc: { keep: 5, older_than_days: 30 },
    },
    review: { max_file_bytes: 1024 * 1024 },
    env: { pass_through: [] },
    sandbox: defaultSandboxConfig(),
    gitops: {
      write_back: true,
      push: false,
      remote: 'origin',
      push_attempts: 8,
      // repositories from before the state ref keep their statuses in the index; `cxo init` writes `ref`
      state: 'inline',
      state_ref: 'cxo/state',
      share_state: true,
      state_sync: 'never',
      claim_lease_seconds: 60,
    },
    budget: {},
    watch: { retry: { max_attempts: 3, base_seconds: 30, cap_seconds: 900 } },
    github: {
      api_url: 'https://api.github.com',
      token_env: 'GITHUB_TOKEN',
      labels: ['codex-orchestrator'],
      status_context: 'cxo/tester',
    },
    guard: { rules: {}, require_spec: true, override_labels: ['spec-guard-override'] },
  };
}

/** A checked config file's value laid over the defaults. */
export function configOver(data: unknown): Config {
  return mergeDeep(defaultConfig(), data) as Config;
}

function mergeDeep(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    // entries, not assignment: a key named `__proto__` stays a plain (ignored) field
    const merged = Object.entries(over).map(([k, v]) => [k, mergeDeep(ownValue(base, k), v)] as const);
    return Object.fromEntries([...Object.entries(base), ...merged]);
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
