import type { AgentContext, AgentResult } from '../agent.js';
import type { ResolvedCodexSettings } from './settings.js';

/** What every mode of the codex adapter gets: the run, the settings, the child's environment. */
export interface ModeRun {
  ctx: AgentContext;
  settings: ResolvedCodexSettings;
  /** The scrubbed environment plus CODEX_HOME and the provider's key variable. */
  env: NodeJS.ProcessEnv;
}

export function failed(error: {
  code: string;
  message: string;
}): Pick<AgentResult, 'status' | 'summary' | 'error'> {
  return { status: 'failed', summary: error.message.replace(/^codex adapter: /, ''), error };
}

/** The launcher could not be started: say which one, and how to point at another. */
export function cannotRun(binary: string, reason: string): { code: string; message: string } {
  const notFound = /ENOENT|not found/i.test(reason);
  return {
    code: notFound ? 'AgentNotFound' : 'AdapterFailed',
    message: `codex adapter: cannot run "${binary}": ${notFound ? 'not found; set CXO_CODEX_BIN or agents.codex.binary' : reason}`,
  };
}
