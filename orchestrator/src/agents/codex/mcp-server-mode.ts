import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../../generated/version.js';
import type { AgentResult } from '../agent.js';
import { ApprovalPolicy, joinArgv } from './approval-policy.js';
import { LineTransport } from './mcp-transport.js';
import { failed, type ModeRun, processEnding, startCodexServer } from './mode.js';
import { providerConfig } from './provider.js';
import { StdioChild } from './stdio-child.js';
import { CodexTranscript } from './transcript.js';

type Params = Record<string, unknown>;
/** setTimeout's ceiling. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `codex mcp-server` (Codex <= 0.153): the `codex` tool runs one session; progress arrives as
 * `codex/event` notifications, approvals as `elicitation/create` requests that the policy answers.
 * That server only knows the on-request approval policy: Codex asks when a command wants to leave
 * the sandbox, and the sandbox confines the rest.
 */
export async function runMcpServer(run: ModeRun): Promise<AgentResult> {
  const { ctx, settings } = run;
  // the SDK is loaded only when this mode runs: read commands must not pay for it
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const transcript = new CodexTranscript(ctx);
  if (settings.model) transcript.model = settings.model;
  const policy = new ApprovalPolicy(ctx, settings.commands, settings.files);
  const stderrTail: string[] = [];
  const transport: LineTransport = new LineTransport((line) => child.write(line));

  const started = await startCodexServer(run, 'mcp-server', (line) => transport.handleLine(line), stderrTail);
  if (!(started instanceof StdioChild)) return started;
  const child = started;
  void child.exited.then(() => transport.ended());

  const client = new Client(
    { name: 'codex-orchestrator', version: VERSION },
    { capabilities: { elicitation: {} } },
  );
  // Codex's notifications and elicitations carry fields the SDK's schemas would strip, and its
  // answer needs `decision` besides MCP's `action`: both go through the raw fallback handlers
  client.fallbackNotificationHandler = async (n) => {
    if (n.method === 'codex/event') onCodexEvent(transcript, ((n.params ?? {}) as Params).msg as Params);
  };
  client.fallbackRequestHandler = async (request: JSONRPCRequest) => elicit(policy, request);

  let problem: string | undefined;
  let toolResult: { isError?: boolean; content?: unknown } | undefined;
  try {
    await client.connect(transport);
    toolResult = (await client.callTool(
      {
        name: 'codex',
        arguments: {
          prompt: ctx.prompt,
          cwd: ctx.workdir,
          sandbox: settings.sandbox,
          'approval-policy': 'on-request',
          ...(settings.model ? { model: settings.model } : {}),
          config: providerConfig(settings, run.networkAccess),
        },
      },
      undefined,
      // our own timeout (the child's) is the one that counts
      { timeout: ctx.timeoutMs > 0 ? Math.min(ctx.timeoutMs + 60_000, MAX_TIMER_MS) : MAX_TIMER_MS },
    )) as typeof toolResult;
  } catch (e) {
    problem = (e as Error).message;
  }
  const end = await child.stop();
  await client.close().catch(() => {});

  const { base, decided } = processEnding(run, transcript, end, 'codex mcp-server');
  if (decided) return decided;
  const text = contentText(toolResult?.content);
  if (problem !== undefined || toolResult?.isError || transcript.failure !== undefined) {
    const why =
      transcript.failure ??
      (toolResult?.isError ? text : `${problem}${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}`);
    return {
      ...failed({ code: 'AdapterFailed', message: `codex adapter: "${settings.binary} mcp-server": ${why}` }),
      ...base,
    };
  }
  if (!transcript.lastMessage && text) transcript.lastMessage = text;
  return { status: 'succeeded', summary: transcript.summary(policy.summary()), ...base };
}

/** Answers an elicitation with the policy's decision; refuses any other request. */
function elicit(policy: ApprovalPolicy, request: JSONRPCRequest): Params {
  if (request.method !== 'elicitation/create') {
    policy.unknown(request.method, {});
    throw Object.assign(new Error(`${request.method} is not supported by codex-orchestrator`), {
      code: -32601,
    });
  }
  const p = (request.params ?? {}) as Params;
  let decision;
  switch (p.codex_elicitation) {
    case 'exec-approval': {
      const argv = Array.isArray(p.codex_command) ? (p.codex_command as unknown[]).map(String) : [];
      const parsed = ((p.codex_parsed_cmd ?? []) as Params[])
        .map((c) => c.cmd)
        .filter((c): c is string => typeof c === 'string');
      decision = policy.command(joinArgv(argv), [...argv.slice(-1), ...parsed]);
      break;
    }
    case 'patch-approval': {
      const changes = (p.codex_changes ?? {}) as Params;
      decision = policy.fileChange(Object.keys(changes), p.codex_grant_root as string | null | undefined);
      break;
    }
    default:
      policy.unknown(`elicitation:${String(p.codex_elicitation ?? 'other')}`, { message: p.message ?? null });
      return { action: 'decline' };
  }
  // 0.153 refuses a bare "denied": its Denied variant carries the reason the model is told
  return {
    action: 'accept',
    content: {},
    decision: decision.approved
      ? 'approved'
      : { denied: { rejection: `refused by the codex-orchestrator policy (${decision.rule})` } },
  };
}

/** One `codex/event` message into the transcript; the noisy ones (deltas, raw items) are left to the log. */
function onCodexEvent(t: CodexTranscript, msg: Params | undefined): void {
  if (!msg) return;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const command = (v: unknown) => (Array.isArray(v) ? joinArgv(v.map(String)) : str(v));
  switch (msg.type) {
    case 'session_configured':
      return t.thread(str(msg.session_id), str(msg.model) || undefined);
    case 'exec_command_begin':
      return t.commandStarted(str(msg.call_id), command(msg.command));
    case 'exec_command_end':
      return t.commandFinished(
        str(msg.call_id),
        command(msg.command),
        msg.exit_code as number | null,
        undefined,
        (msg.aggregated_output ?? msg.formatted_output) as string | null,
      );
    case 'agent_message':
      return t.message(str(msg.message));
    case 'patch_apply_begin':
      return t.fileChange(Object.keys((msg.changes ?? {}) as Params).map((path) => ({ path })));
    case 'token_count': {
      const total = ((msg.info ?? {}) as Params).total_token_usage;
      if (total) t.usageTotal(total as Params);
      return;
    }
    case 'task_complete':
      return t.turnCompleted();
    case 'turn_aborted':
      return t.turnFailed(`turn aborted: ${str(msg.reason) || 'unknown reason'}`);
    case 'error':
      return t.error(str(msg.message));
    case 'stream_error':
    case 'warning':
      return t.warning(str(msg.message));
    default:
      return;
  }
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((c) =>
      c && typeof c === 'object' && typeof (c as Params).text === 'string' ? (c as Params).text : '',
    )
    .join('\n')
    .trim();
}
