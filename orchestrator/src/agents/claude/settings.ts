import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { ClaudeSettings, Prices } from '../../repo/agent-config.js';
import type { Config } from '../../repo/config.js';
import { apiKeyFor } from '../api-key.js';

export interface ResolvedClaudeSettings extends ClaudeSettings {
  apiKey: string;
}

export function defaultClaudeSettings(): ClaudeSettings {
  return {
    binary: 'claude',
    base_url: 'https://api.anthropic.com',
    api_key_env: 'ANTHROPIC_API_KEY',
    allowed_tools: ['Bash', 'Edit', 'Write', 'Read'],
  };
}

/**
 * The claude adapter's settings: defaults, then `agents.claude` in the config, then the
 * environment (CXO_CLAUDE_BIN, CXO_CLAUDE_MODEL, CXO_CLAUDE_BASE_URL), then the adapter's argument
 * (`claude:MODEL`). The key is read from the orchestrator's own environment (agents get a
 * scrubbed one) and passed to the child explicitly.
 */
export function resolveClaudeSettings(
  config: Config,
  env: NodeJS.ProcessEnv,
  argument: string | undefined,
): ResolvedClaudeSettings {
  const raw = (config.agents as unknown as Record<string, unknown>).claude;
  const settings = { ...defaultClaudeSettings(), ...readSettings(raw) };
  if (env.CXO_CLAUDE_BIN) settings.binary = env.CXO_CLAUDE_BIN;
  if (env.CXO_CLAUDE_MODEL) settings.model = env.CXO_CLAUDE_MODEL;
  if (env.CXO_CLAUDE_BASE_URL) settings.base_url = env.CXO_CLAUDE_BASE_URL;
  if (argument?.trim()) settings.model = argument.trim();
  // a relative path means the orchestrator's directory, not the worktree the child starts in
  if (settings.binary.includes('/') && !isAbsolute(settings.binary))
    settings.binary = resolve(settings.binary);
  return { ...settings, apiKey: apiKeyFor('claude', settings, env, /^https:\/\/api\.anthropic\.com\b/) };
}

/** The keys of `agents.claude` this version knows, type-checked (the config schema checks the rest). */
function readSettings(raw: unknown): Partial<ClaudeSettings> {
  if (raw === undefined || raw === null) return {};
  const where = 'agents.claude';
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where} must be a mapping`);
  const r = raw as Record<string, unknown>;
  const out: Partial<ClaudeSettings> = {};
  for (const key of ['binary', 'model', 'base_url', 'api_key_env'] as const) {
    const v = r[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.trim() === '')
      throw new UsageError(`${where}.${key} must be a non-empty string`);
    out[key] = v;
  }
  if (r.allowed_tools !== undefined) {
    const tools = r.allowed_tools;
    if (!Array.isArray(tools) || tools.some((t) => typeof t !== 'string' || !/^[^,\n]+$/.test(t)))
      throw new UsageError(
        `${where}.allowed_tools must be a list of tool names (Bash, Edit, Write, Read ...)`,
      );
    out.allowed_tools = tools as string[];
  }
  if (r.max_turns !== undefined) {
    if (!Number.isInteger(r.max_turns) || (r.max_turns as number) < 1)
      throw new UsageError(`${where}.max_turns must be a whole number >= 1`);
    out.max_turns = r.max_turns as number;
  }
  // the config schema checked its shape
  if (r.prices !== undefined) out.prices = r.prices as Prices;
  return out;
}
