import type { Config } from '../repo/config.js';
import { createRedactor, type Redactor } from './redaction.js';

/**
 * The redactor of a run: the configuration's patterns, the environment's secret-looking variables,
 * and the variables the configuration names as credentials (the adapters' `api_key_env`, the
 * GitHub `token_env`), whatever they are called.
 */
export function createRunRedactor(config: Config, env: NodeJS.ProcessEnv): Redactor {
  const names = [
    config.agents.builtin.api_key_env,
    config.agents.codex?.api_key_env,
    config.agents.claude?.api_key_env,
    config.github.token_env,
  ].filter((name): name is string => typeof name === 'string' && name !== '');
  return createRedactor({ env, patterns: config.redaction.patterns, names });
}
