import { validateConfig } from '../generated/validators.js';
import type { Diagnostic } from './diagnostics.js';
import { parseYamlBlock } from './front-matter.js';
import { validateWithSchema } from './schema-validation.js';
import type { SourceText } from './source-text.js';
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

/** Parses codex.config.yaml and lays it over the defaults; invalid regexes in redaction are errors too. */
export function parseConfig(source: SourceText): { config?: Config; diagnostics: Diagnostic[] } {
  const parsed = parseYamlBlock(source, { yamlStart: 0, yamlEnd: source.text.length, bodyStart: source.text.length });
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics = [...parsed.diagnostics, ...validateWithSchema(validateConfig, doc.data, doc.locate)];
  const data = doc.data as Record<string, unknown>;
  const patterns = ((data.redaction as { patterns?: unknown[] } | undefined)?.patterns ?? []) as unknown[];
  patterns.forEach((pattern, i) => {
    if (typeof pattern !== 'string') return;
    try {
      new RegExp(pattern);
    } catch (e) {
      diagnostics.push(doc.locate(['redaction', 'patterns', i], 'error', 'schema', `invalid regular expression: ${(e as Error).message}`));
    }
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { config: mergeDeep(defaultConfig(), data) as Config, diagnostics };
}

function mergeDeep(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeDeep(base[k], v);
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
