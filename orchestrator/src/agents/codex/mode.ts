import { join } from 'node:path';
import type { AgentContext, AgentResult } from '../agent.js';
import { networkFlags, providerFlags } from './provider.js';
import type { ResolvedCodexSettings } from './settings.js';
import { StdioChild } from './stdio-child.js';
import type { CodexTranscript } from './transcript.js';

/** What every mode of the codex adapter gets: the run, the settings, the child's environment. */
export interface ModeRun {
  ctx: AgentContext;
  settings: ResolvedCodexSettings;
  /** The scrubbed environment plus CODEX_HOME and the provider's key variable. */
  env: NodeJS.ProcessEnv;
  /** Whether the commands in Codex's own sandbox may use the network; Codex's default when absent. */
  networkAccess?: boolean;
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

/**
 * Starts a long-lived Codex server (`app-server`, `mcp-server`) in the worktree, its stdout lines
 * going to `onLine` and the last stderr lines kept in `stderrTail`; a failed result when the
 * binary cannot be started.
 */
export async function startCodexServer(
  { ctx, settings, env, networkAccess }: ModeRun,
  subcommand: 'app-server' | 'mcp-server',
  onLine: (line: string) => void,
  stderrTail: string[],
): Promise<StdioChild | AgentResult> {
  try {
    return await StdioChild.start({
      argv: [settings.binary, subcommand, ...providerFlags(settings), ...networkFlags(networkAccess)],
      cwd: ctx.workdir,
      env,
      outputDir: join(ctx.outputDir, 'agents'),
      name: ctx.role,
      maxLogBytes: ctx.maxLogBytes,
      redactor: ctx.redactor,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      onSpawn: ctx.onSpawn,
      onExit: ctx.onExit,
      sandbox: ctx.sandbox,
      onStdoutLine: onLine,
      onStderrLine: (line) => {
        if (line.trim() && stderrTail.push(line) > 10) stderrTail.shift();
      },
    });
  } catch (e) {
    return { ...failed(cannotRun(settings.binary, (e as Error).message)), artifacts: [] };
  }
}

/** How a Codex process ended, as both `runProcess` and `StdioChild` report it. */
export interface ProcessEnd {
  stdout: { truncated?: { bytes: number; sha256: string } };
  stderr: { truncated?: { bytes: number; sha256: string } };
  cancelled: boolean;
  timedOut: boolean;
}

/**
 * What every mode reports once its process is over: the logs as artifacts with the model and
 * usage (`base`), and the result already decided when the run was cancelled or timed out.
 */
export function processEnding(
  { ctx }: ModeRun,
  transcript: CodexTranscript,
  end: ProcessEnd,
  command: string,
): { base: Pick<AgentResult, 'model' | 'usage' | 'artifacts'>; decided?: AgentResult } {
  const artifacts = [
    { name: `agents/${ctx.role}.stdout.log`, truncated: end.stdout.truncated },
    { name: `agents/${ctx.role}.stderr.log`, truncated: end.stderr.truncated },
  ];
  const base = { model: transcript.model ?? null, usage: transcript.usageRecord(), artifacts };
  if (end.cancelled) return { base, decided: { status: 'cancelled', summary: 'cancelled', ...base } };
  if (end.timedOut) {
    const message = `codex adapter: "${command}" timed out after ${ctx.timeoutMs} ms`;
    return { base, decided: { ...failed({ code: 'Timeout', message }), ...base } };
  }
  return { base };
}
