import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent, AgentContext, AgentResult } from '../agent.js';
import { runAppServer } from './app-server-mode.js';
import { runExec } from './exec-mode.js';
import { runMcpServer } from './mcp-server-mode.js';
import type { ResolvedCodexSettings } from './settings.js';

/**
 * The `codex` adapter: the real Codex CLI in the run's worktree, as `codex exec --json`
 * (`codex`, `codex:exec`), `codex app-server` (`codex:app-server`) or, for Codex <= 0.153,
 * `codex mcp-server` (`codex:mcp-server`). The model provider comes from `-c` overrides and a
 * CODEX_HOME of the run's own, so the user's Codex configuration is neither read nor changed.
 */
export class CodexAgent implements Agent {
  constructor(
    readonly spec: string,
    private readonly settings: ResolvedCodexSettings,
  ) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const { settings } = this;
    const home = join(ctx.outputDir, 'agents', 'codex-home');
    await rm(home, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    const env = { ...ctx.env, CODEX_HOME: home, [settings.api_key_env]: settings.apiKey };
    try {
      switch (settings.mode) {
        case 'app-server':
          return await runAppServer({ ctx, settings, env });
        case 'mcp-server':
          return await runMcpServer({ ctx, settings, env });
        default:
          return await runExec({ ctx, settings, env });
      }
    } finally {
      // Codex keeps unredacted logs and session state there, and the run directory is committed
      await rm(home, { recursive: true, force: true }).catch(() => {});
    }
  }
}
