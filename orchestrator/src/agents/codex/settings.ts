import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { CodexMode, CodexSettings, PolicyLists, Prices } from '../../repo/agent-config.js';
import type { Config } from '../../repo/config.js';
import { apiKeyFor } from '../api-key.js';

export const CODEX_MODES = ['exec', 'app-server', 'mcp-server'] as const satisfies readonly CodexMode[];

export interface ResolvedCodexSettings extends CodexSettings {
  apiKey: string;
}

export function defaultCodexSettings(): CodexSettings {
  return {
    binary: 'codex',
    mode: 'exec',
    base_url: 'https://api.openai.com/v1',
    api_key_env: 'OPENAI_API_KEY',
    sandbox: 'workspace-write',
    approval_policy: 'untrusted',
    max_retries: 2,
    // the orchestrator commits and pushes; an agent that does it itself would bypass the evidence
    commands: { allow: [], deny: ['\\bgit\\s+(commit|push|reset|rebase|checkout)\\b'] },
    files: { allow: [], deny: [] },
  };
}

/**
 * The codex adapter's settings: defaults, then `agents.codex` in the config, then the environment
 * (CXO_CODEX_BIN, CXO_CODEX_MODEL, CXO_CODEX_BASE_URL), then the adapter's argument (`codex:MODE`).
 * The key comes from the variable `api_key_env` names, read here from the orchestrator's own
 * environment because agents get a scrubbed one.
 */
export function resolveCodexSettings(
  config: Config,
  env: NodeJS.ProcessEnv,
  argument: string | undefined,
): ResolvedCodexSettings {
  const raw = (config.agents as unknown as Record<string, unknown>).codex;
  const settings = { ...defaultCodexSettings(), ...readSettings(raw) };
  if (env.CXO_CODEX_BIN) settings.binary = env.CXO_CODEX_BIN;
  if (env.CXO_CODEX_MODEL) settings.model = env.CXO_CODEX_MODEL;
  if (env.CXO_CODEX_BASE_URL) settings.base_url = env.CXO_CODEX_BASE_URL;
  const mode = argument?.trim();
  if (mode) {
    if (!(CODEX_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(
        `codex adapter: unknown mode "${mode}"`,
        `use codex, or codex:MODE with MODE one of ${CODEX_MODES.join(', ')}`,
      );
    }
    settings.mode = mode as CodexMode;
  }
  // a relative path means the orchestrator's directory, not the worktree the child starts in
  if (settings.binary.includes('/') && !isAbsolute(settings.binary))
    settings.binary = resolve(settings.binary);
  return { ...settings, apiKey: apiKeyFor('codex', settings, env, /^https:\/\/api\.openai\.com\b/) };
}

/** The keys of `agents.codex` this version knows, type-checked (the config schema checks the rest). */
function readSettings(raw: unknown): Partial<CodexSettings> {
  if (raw === undefined || raw === null) return {};
  const where = 'agents.codex';
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where} must be a mapping`);
  const r = raw as Record<string, unknown>;
  const out: Partial<CodexSettings> = {};
  const text = (key: string): string | undefined => {
    const v = r[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '')
      throw new UsageError(`${where}.${key} must be a non-empty string`);
    return v;
  };
  const oneOf = <T extends string>(key: string, values: readonly T[]): T | undefined => {
    const v = text(key);
    if (v !== undefined && !values.includes(v as T))
      throw new UsageError(`${where}.${key} is "${v}"`, `use one of ${values.join(', ')}`);
    return v as T | undefined;
  };
  const binary = text('binary');
  if (binary !== undefined) out.binary = binary;
  const mode = oneOf('mode', CODEX_MODES);
  if (mode) out.mode = mode;
  const model = text('model');
  if (model !== undefined) out.model = model;
  const baseUrl = text('base_url');
  if (baseUrl !== undefined) out.base_url = baseUrl;
  const keyEnv = text('api_key_env');
  if (keyEnv !== undefined) out.api_key_env = keyEnv;
  const sandbox = oneOf('sandbox', ['read-only', 'workspace-write', 'danger-full-access'] as const);
  if (sandbox) out.sandbox = sandbox;
  const policy = oneOf('approval_policy', ['untrusted', 'on-request'] as const);
  if (policy) out.approval_policy = policy;
  if (r.max_retries !== undefined) {
    if (!Number.isInteger(r.max_retries) || (r.max_retries as number) < 0)
      throw new UsageError(`${where}.max_retries must be a whole number >= 0`);
    out.max_retries = r.max_retries as number;
  }
  const defaults = defaultCodexSettings();
  if (r.commands !== undefined) out.commands = readLists(r.commands, `${where}.commands`, defaults.commands);
  if (r.files !== undefined) out.files = readLists(r.files, `${where}.files`, defaults.files);
  // the config schema checked its shape
  if (r.prices !== undefined) out.prices = r.prices as Prices;
  return out;
}

/** `{allow, deny}` lists of regular expressions; each must compile. */
export function readLists(raw: unknown, where: string, defaults: PolicyLists): PolicyLists {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${where} must be a mapping with allow and deny lists`);
  const r = raw as Record<string, unknown>;
  const list = (key: 'allow' | 'deny'): string[] => {
    const v = r[key];
    if (v === undefined) return defaults[key];
    if (!Array.isArray(v) || v.some((p) => typeof p !== 'string'))
      throw new UsageError(`${where}.${key} must be a list of regular expressions`);
    for (const pattern of v as string[]) {
      try {
        new RegExp(pattern);
      } catch (e) {
        throw new UsageError(
          `${where}.${key}: /${pattern}/ is not a regular expression: ${(e as Error).message}`,
        );
      }
    }
    return v as string[];
  };
  return { allow: list('allow'), deny: list('deny') };
}
