import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../../runs/sandbox/sandbox.js';
import type { Agent, AgentContext, AgentResult } from '../agent.js';
import { costOfUsage } from '../usage-cost.js';
import { runAppServer } from './app-server-mode.js';
import { runExec } from './exec-mode.js';
import { runMcpServer } from './mcp-server-mode.js';
import type { ResolvedCodexSettings } from './settings.js';

/**
 * The `codex` adapter: the real Codex CLI in the run's worktree, as `codex exec --json`
 * (`codex`, `codex:exec`), `codex app-server` (`codex:app-server`) or, for Codex <= 0.153,
 * `codex mcp-server` (`codex:mcp-server`). The model provider comes from `-c` overrides and a
 * CODEX_HOME of the run's own, so the user's Codex configuration is neither read nor changed.
 *
 * Inside the run's sandbox Codex reaches its model endpoint (the network is allowed for it) and
 * runs the model's commands in its own sandbox (`sandbox`, workspace-write by default), whose
 * network follows `sandbox.network`.
 */
export class CodexAgent implements Agent {
  constructor(
    readonly spec: string,
    private readonly settings: ResolvedCodexSettings,
  ) {}

  sandboxFor(sandbox: Sandbox): Sandbox {
    const commands = `${this.settings.sandbox}, network ${sandbox.commandNetwork}`;
    return sandbox.with({
      network: 'allow',
      note: `codex: the network is allowed for Codex's model endpoint; its commands run in Codex's own sandbox (${commands})`,
    });
  }

  async run(ctx: AgentContext): Promise<AgentResult> {
    const { settings } = this;
    const home = codexHome(ctx);
    await rm(home, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    const env = { ...ctx.env, CODEX_HOME: home, [settings.api_key_env]: settings.apiKey };
    const run = {
      ctx: { ...ctx, sandbox: ctx.sandbox?.with({ writable: [home] }) },
      settings,
      env,
      networkAccess: ctx.sandbox ? ctx.sandbox.commandNetwork === 'allow' : undefined,
    };
    try {
      const result = await (settings.mode === 'app-server'
        ? runAppServer(run)
        : settings.mode === 'mcp-server'
          ? runMcpServer(run)
          : runExec(run));
      // Codex reports tokens, not money: the cost is what the config's prices make of them
      return { ...result, costUsd: costOfUsage(result.usage, settings.prices) };
    } finally {
      // Codex keeps unredacted logs and session state there, and the run directory is committed
      await rm(home, { recursive: true, force: true }).catch(() => {});
    }
  }
}

/**
 * Codex's home for one step: not under the temp directory, where Codex refuses to create the
 * helper links its sandbox runs commands through (with bubblewrap installed every sandboxed
 * command then fails), nor in the run directory, which is committed: in the per-user cache.
 */
function codexHome(ctx: AgentContext): string {
  const cache = ctx.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const name = `${ctx.runId}-${ctx.role}-${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return join(cache, 'codex-orchestrator', 'codex-home', name);
}
