import { join } from 'node:path';
import { runProcess } from '../runs/process-runner.js';
import type { Agent, AgentContext, AgentResult } from './agent.js';

/**
 * The `command` adapter: any program (aider, gemini-cli, a script) run in the worktree through
 * /bin/sh. `{prompt_file}`, `{plan_file}`, `{workdir}`, `{task_id}` and `{run_id}` in the template
 * are replaced (shell-quoted); the same values are in CXO_* environment variables.
 */
export class CommandAgent implements Agent {
  readonly spec: string;

  constructor(readonly template: string) {
    this.spec = `command:${template}`;
  }

  async run(ctx: AgentContext): Promise<AgentResult> {
    const values: Record<string, string> = {
      prompt_file: ctx.promptFile,
      plan_file: ctx.planFile,
      workdir: ctx.workdir,
      task_id: ctx.task.id,
      run_id: ctx.runId,
    };
    const command = this.template.replace(
      /\{(prompt_file|plan_file|workdir|task_id|run_id)\}/g,
      (_, name: string) => shellQuote(values[name]),
    );
    const env = {
      ...ctx.env,
      CXO_ROLE: ctx.role,
      CXO_TASK_ID: ctx.task.id,
      CXO_RUN_ID: ctx.runId,
      CXO_PROMPT_FILE: ctx.promptFile,
      CXO_PLAN_FILE: ctx.planFile,
    };
    const name = `agents/${ctx.role}`;
    const result = await runProcess({
      command,
      cwd: ctx.workdir,
      env,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      outputDir: join(ctx.outputDir, 'agents'),
      name: ctx.role,
      onSpawn: ctx.onSpawn,
      sandbox: ctx.sandbox,
      maxLogBytes: ctx.maxLogBytes,
      redactor: ctx.redactor,
      onLine: (stream, line) => ctx.onEvent({ type: 'output', stream, line }),
    });
    ctx.onExit?.(result.pid);
    const artifacts = [
      { name: `${name}.stdout.log`, truncated: result.stdout.truncated },
      { name: `${name}.stderr.log`, truncated: result.stderr.truncated },
    ];
    if (result.cancelled) return { status: 'cancelled', summary: 'cancelled', artifacts };
    if (result.error) {
      return {
        status: 'failed',
        summary: result.error,
        error: { code: 'AdapterFailed', message: `command adapter: ${result.error}` },
        artifacts,
      };
    }
    if (result.timedOut) {
      return {
        status: 'failed',
        summary: `timed out after ${ctx.timeoutMs} ms`,
        error: {
          code: 'Timeout',
          message: `command adapter: ${command} timed out after ${ctx.timeoutMs} ms`,
        },
        artifacts,
      };
    }
    if (result.exitCode !== 0) {
      return {
        status: 'failed',
        summary: `exited ${result.exitCode ?? result.signal}`,
        error: {
          code: 'AdapterFailed',
          message: `command adapter: ${command} exited with ${result.exitCode ?? result.signal}`,
        },
        artifacts,
      };
    }
    return { status: 'succeeded', summary: `exited 0 in ${Math.round(result.durationMs)} ms`, artifacts };
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
