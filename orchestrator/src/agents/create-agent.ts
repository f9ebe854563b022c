import { UsageError } from '../errors.js';
import type { Config } from '../repo/config.js';
import type { Agent } from './agent.js';
import { BuiltinAgent } from './builtin/builtin-agent.js';
import { resolveBuiltinSettings } from './builtin/settings.js';
import { CommandAgent } from './command-adapter.js';
import type { AdapterSpec } from './role-assignment.js';

/**
 * The adapters this version can drive; `none` (skip the role) is handled by the pipeline. `env`
 * is the orchestrator's own environment (where API keys are), not the agents' scrubbed one.
 */
export function createAgent(spec: AdapterSpec, options: { config: Config; env: NodeJS.ProcessEnv }): Agent {
  switch (spec.adapter) {
    case 'command':
      if (!spec.argument?.trim())
        throw new UsageError('the command adapter needs a command: command:<shell command>');
      return new CommandAgent(spec.argument);
    case 'builtin':
      return new BuiltinAgent(spec.raw, resolveBuiltinSettings(options.config, options.env, spec.argument));
    case 'codex':
    case 'claude':
      throw new UsageError(
        `the ${spec.adapter} adapter is not available in this version (it arrives with the agent adapters)`,
        'use command:<shell command> for this role, or none to skip it (--role builder=command:...)',
      );
    default:
      throw new UsageError(
        `unknown adapter "${spec.adapter}"`,
        'adapters: builtin[:MODEL], command:<cmd>, none (codex and claude are coming)',
      );
  }
}
