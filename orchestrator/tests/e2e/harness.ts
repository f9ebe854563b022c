/**
 * What the end-to-end tests share: the installed CLIs (vitest.e2e.config.ts names them), a real git worktree and run directory, and an AgentContext that records what
 * the adapter reports, as the pipeline would. Without the config the binaries are missing and the
 * tests fail (binary() says how to run them): they never skip.
 */
import { appendFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AgentContext } from '../../src/agents/agent.js';
import { CodexAgent } from '../../src/agents/codex/codex-agent.js';
import { resolveCodexSettings } from '../../src/agents/codex/settings.js';
import {
  type ModelServer,
  type ModelServerOptions,
  startModelServer,
} from '../../src/model-server/server.js';
import { type Config, defaultConfig } from '../../src/repo/config.js';
import { createRedactor } from '../../src/runs/redaction.js';
import { scrubEnv } from '../../src/runs/scrubbed-env.js';
import { makeRepo } from '../helpers/temp-repo.js';

export const BINARIES = {
  codex: process.env.CXO_E2E_CODEX_BIN,
  codexMcp: process.env.CXO_E2E_CODEX_MCP_BIN,
  claude: process.env.CXO_E2E_CLAUDE_BIN,
};

/** The key the adapters pass on; the model server only checks that one arrives. */
export const KEY_ENV = 'CXO_E2E_MODEL_KEY';
export const ORCHESTRATOR_ENV = { [KEY_ENV]: 'e2e-model-key-0123456789' };

export const MARKER = 'cxo-e2e-task';

export function binary(path: string | undefined): string {
  if (!path) throw new Error('run the end-to-end tests with npm run test:e2e');
  if (!existsSync(path))
    throw new Error(
      `${path} is not installed: run node scripts/install-agent-clis.mjs (npm run test:e2e does)`,
    );
  return path;
}

/** The default config with `agents.<name>` set, as `agents.<name>` in codex.config.yaml sets it. */
export function configWith(name: 'codex' | 'claude', settings: Record<string, unknown>): Config {
  const config = defaultConfig();
  (config.agents as unknown as Record<string, unknown>)[name] = settings;
  return config;
}

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The scripted model server of one test: closed after it, whatever the test did. */
export async function startModel(options: ModelServerOptions): Promise<ModelServer> {
  const server = await startModelServer(options);
  servers.push(server);
  return server;
}

/** The codex adapter in `mode`, against the scripted model, with no retries. */
export function codexAgent(mode: string, settings: Record<string, unknown>): CodexAgent {
  const config = configWith('codex', {
    model: 'cxo-scripted',
    api_key_env: KEY_ENV,
    max_retries: 0,
    ...settings,
  });
  return new CodexAgent(`codex:${mode}`, resolveCodexSettings(config, ORCHESTRATOR_ENV, mode));
}

export interface Harness {
  ctx: AgentContext;
  events: Record<string, unknown>[];
  spawned: number[];
  exited: number[];
  workdir: string;
  outputDir: string;
  abort: AbortController;
  ofType(type: string): Record<string, unknown>[];
}

export function harness(instruction: string, { timeoutMs = 120_000 } = {}): Harness {
  const workdir = makeRepo({ 'README.md': '# E2E\n' }, { git: true });
  const outputDir = mkdtempSync(join(tmpdir(), 'cxo-e2e-run-'));
  const events: Record<string, unknown>[] = [];
  const spawned: number[] = [];
  const exited: number[] = [];
  const abort = new AbortController();
  const prompt = `# Role: builder\n\n${MARKER}: ${instruction}\n`;
  const ctx: AgentContext = {
    role: 'builder',
    task: { id: 'e2e', title: 'End to end' },
    runId: 'e2e-run',
    prompt,
    promptFile: join(outputDir, 'prompts/builder.md'),
    planFile: join(outputDir, 'plan.json'),
    workdir,
    outputDir,
    env: scrubEnv(process.env, { set: { CI: '1', GIT_TERMINAL_PROMPT: '0' } }),
    timeoutMs,
    signal: abort.signal,
    redactor: createRedactor({ env: { ...process.env, ...ORCHESTRATOR_ENV }, patterns: [] }),
    maxLogBytes: 1024 * 1024,
    onEvent: (event) => {
      events.push(JSON.parse(JSON.stringify(event)) as Record<string, unknown>);
      // as the pipeline keeps it, to look at when a test fails
      appendFileSync(join(outputDir, 'transcript.ndjson'), `${JSON.stringify(event)}\n`);
    },
    onSpawn: (pid) => spawned.push(pid),
    onExit: (pid) => exited.push(pid),
  };
  return {
    ctx,
    events,
    spawned,
    exited,
    workdir,
    outputDir,
    abort,
    ofType: (type) => events.filter((e) => e.type === type),
  };
}
