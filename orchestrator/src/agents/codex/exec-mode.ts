import { join } from 'node:path';
import { runProcess } from '../../runs/process-runner.js';
import type { AgentResult } from '../agent.js';
import { cannotRun, failed, type ModeRun, processEnding } from './mode.js';
import { networkFlags, providerFlags } from './provider.js';
import { CodexTranscript } from './transcript.js';

/**
 * `codex exec --json`: one turn, no approvals (the sandbox is the policy), the prompt on stdin
 * (no argv length limit), JSON events on stdout.
 */
export async function runExec(run: ModeRun): Promise<AgentResult> {
  const { ctx, settings, env } = run;
  const argv = [
    settings.binary,
    'exec',
    '--json',
    '-C',
    ctx.workdir,
    '--skip-git-repo-check',
    '-s',
    settings.sandbox,
    '--ephemeral',
    '--ignore-user-config',
    '-c',
    'approval_policy="never"',
    ...providerFlags(settings),
    ...networkFlags(run.networkAccess),
    ...(settings.model ? ['-m', settings.model] : []),
    '-',
  ];
  const transcript = new CodexTranscript(ctx);
  if (settings.model) transcript.model = settings.model;
  const stderrTail: string[] = [];
  const result = await runProcess({
    command: argv,
    cwd: ctx.workdir,
    env,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    stdin: ctx.prompt,
    outputDir: join(ctx.outputDir, 'agents'),
    name: ctx.role,
    maxLogBytes: ctx.maxLogBytes,
    redactor: ctx.redactor,
    onSpawn: ctx.onSpawn,
    sandbox: ctx.sandbox,
    onLine: (stream, line) => {
      if (stream === 'stdout') onExecLine(transcript, line);
      else if (line.trim() && stderrTail.push(line) > 10) stderrTail.shift();
    },
  });
  if (result.pid) ctx.onExit?.(result.pid);
  const { base, decided } = processEnding(run, transcript, result, 'codex exec');
  if (result.pid === 0)
    return { ...failed(cannotRun(settings.binary, result.error ?? 'not started')), ...base };
  if (decided) return decided;
  if (transcript.failure || result.exitCode !== 0) {
    const why =
      transcript.failure ??
      transcript.lastError ??
      stderrTail.at(-1) ??
      `exit ${result.exitCode ?? result.signal}`;
    return {
      ...failed({
        code: 'AdapterFailed',
        message: `codex adapter: "${settings.binary} exec" exited with ${result.exitCode ?? result.signal}: ${why}`,
      }),
      ...base,
    };
  }
  return { status: 'succeeded', summary: transcript.summary(), ...base };
}

/** One line of `codex exec --json` (already redacted) into the transcript. */
export function onExecLine(t: CodexTranscript, line: string): void {
  if (!line.trim()) return;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line) as Record<string, unknown>;
  } catch {
    t.emit({ type: 'output', stream: 'stdout', line: line.slice(0, 2000) });
    return;
  }
  const item = (event.item ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (event.type) {
    case 'thread.started':
      return t.thread(str(event.thread_id));
    case 'turn.started':
      return;
    case 'turn.completed':
      t.usageAdd((event.usage ?? {}) as Record<string, unknown>);
      return t.turnCompleted({ usage: event.usage ?? null });
    case 'turn.failed':
      return t.turnFailed(str((event.error as { message?: unknown } | undefined)?.message) || 'turn failed');
    case 'error':
      return t.error(str(event.message));
    case 'item.started':
      if (item.type === 'command_execution') t.commandStarted(str(item.id), str(item.command));
      return;
    case 'item.completed':
      switch (item.type) {
        case 'command_execution':
          return t.commandFinished(
            str(item.id),
            str(item.command),
            item.exit_code as number | null,
            str(item.status),
            item.aggregated_output as string | null,
          );
        case 'agent_message':
          return t.message(str(item.text));
        case 'file_change':
          return t.fileChange((item.changes ?? []) as { path: string }[], str(item.status));
        case 'error':
          return t.warning(str(item.message));
        case 'reasoning':
          return t.emit({ type: 'reasoning', text: str(item.text) });
        default:
          return t.emit({ type: 'item', item });
      }
    case 'item.updated':
      return; // progress of an item whose completion follows
    default:
      t.emit({ type: 'codex_event', event });
  }
}
