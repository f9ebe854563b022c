import { UsageError } from '../errors.js';

/**
 * The API key an adapter passes on, from `api_key_env`. The vendor's own endpoint needs one: its
 * absence is a usage error before the run starts. Other servers (the scripted model, Ollama) may
 * ignore it, but the clients refuse an empty key, so they get a placeholder.
 */
export function apiKeyFor(
  adapter: 'builtin' | 'codex' | 'claude',
  settings: { base_url: string; api_key_env: string },
  env: NodeJS.ProcessEnv,
  vendorEndpoint: RegExp,
): string {
  const apiKey = env[settings.api_key_env]?.trim() ?? '';
  if (!apiKey && vendorEndpoint.test(settings.base_url)) {
    throw new UsageError(
      `the ${adapter} adapter needs an API key for ${settings.base_url}: ${settings.api_key_env} is not set`,
      `export ${settings.api_key_env}=..., or point agents.${adapter}.base_url (or CXO_${adapter.toUpperCase()}_BASE_URL) at another endpoint`,
    );
  }
  return apiKey || 'not-needed';
}
