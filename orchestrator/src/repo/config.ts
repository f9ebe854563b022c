import type { Role } from './task-types.js';

export const CONFIG_FILE = 'codex.config.yaml';

export interface ApprovalRule {
  count: number;
  roles: string[];
  distinct_from_owners: boolean;
}

/** The effective configuration: codex.config.yaml over these defaults (schemas/config.schema.json). */
export interface Config {
  base_branch: string;
  files: { tasks: string; prds: string[]; checklists: string[]; specs: string[]; governed_roots: string[] };
  freshness: { days: { low: number; medium: number; high: number }; warn_days_before: number };
  approvals: { low: ApprovalRule; medium: ApprovalRule; high: ApprovalRule };
  agents: Record<Role, string>;
  concurrency: number;
  timeouts: { step_seconds: number; command_seconds: number };
  redaction: { patterns: string[] };
  limits: { max_file_bytes: number };
}

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
    freshness: { days: { low: 90, medium: 60, high: 30 }, warn_days_before: 7 },
    approvals: {
      low: { count: 0, roles: [], distinct_from_owners: false },
      medium: { count: 1, roles: [], distinct_from_owners: false },
      high: { count: 2, roles: [], distinct_from_owners: true },
    },
    agents: { manager: 'builtin', builder: 'builtin', tester: 'none', reviewer: 'none' },
    concurrency: 2,
    timeouts: { step_seconds: 1800, command_seconds: 600 },
    redaction: { patterns: [] },
    limits: { max_file_bytes: 32 * 1024 * 1024 },
  };
}
