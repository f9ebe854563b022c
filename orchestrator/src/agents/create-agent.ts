import { UsageError } from '../errors.js';
import type { Config } from '../repo/config.js';
import type { Agent } from './agent.js';
import { BuiltinAgent } from './builtin/builtin-agent.js';
import { ClaudeAgent } from './claude/claude-agent.js';
import { resolveClaudeSettings } from './claude/settings.js';
import { CodexAgent } from './codex/codex-agent.js';
import { resolveCodexSettings } from './codex/settings.js';
import { resolveBuiltinSettings } from './builtin/settings.js';
import { CommandAgent } from './command-adapter.js';
import { PatternAgent } from './pattern-agent.js';
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
    case 'pattern':
      if (!spec.argument?.trim())
        throw new UsageError(
          'the pattern adapter needs a pattern id: pattern:<id>',
          'list them with `cxo patterns list`',
        );
      return new PatternAgent(spec.argument);
    case 'builtin':
      return new BuiltinAgent(spec.raw, resolveBuiltinSettings(options.config, options.env, spec.argument));
    case 'codex':
      return new CodexAgent(spec.raw, resolveCodexSettings(options.config, options.env, spec.argument));
    case 'claude':
      return new ClaudeAgent(spec.raw, resolveClaudeSettings(options.config, options.env, spec.argument));
    default:
      throw new UsageError(
        `unknown adapter "${spec.adapter}"`,
        'adapters: builtin[:MODEL], codex[:exec|app-server|mcp-server], claude[:MODEL], command:<cmd>, pattern:<id>, none',
      );
  }
}
