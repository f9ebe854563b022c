import { UsageError } from '../../errors.js';
import type { BuiltinSettings } from '../../repo/agent-config.js';
import type { Config } from '../../repo/config.js';
import { apiKeyFor } from '../api-key.js';

export interface ResolvedBuiltinSettings extends BuiltinSettings {
  apiKey: string;
}

/**
 * The built-in agent's settings: `agents.builtin` in the config, then the environment
 * (CXO_BUILTIN_BASE_URL, CXO_BUILTIN_MODEL, CXO_BUILTIN_API), then the adapter's argument
 * (`builtin:MODEL`). The key comes from the variable `api_key_env` names; a local server
 * (Ollama, a scripted model server) needs none, so a missing key is only refused for the
 * default OpenAI endpoint.
 */
export function resolveBuiltinSettings(
  config: Config,
  env: NodeJS.ProcessEnv,
  argument: string | undefined,
): ResolvedBuiltinSettings {
  const base = config.agents.builtin;
  const api = env.CXO_BUILTIN_API ?? base.api;
  if (api !== 'responses' && api !== 'chat') {
    throw new UsageError(`CXO_BUILTIN_API is "${api}"`, 'use responses or chat');
  }
  const settings = {
    ...base,
    base_url: env.CXO_BUILTIN_BASE_URL || base.base_url,
    model: argument?.trim() || env.CXO_BUILTIN_MODEL || base.model,
    api,
  } satisfies BuiltinSettings;
  return { ...settings, apiKey: apiKeyFor('builtin', settings, env, /^https:\/\/api\.openai\.com\b/) };
}
