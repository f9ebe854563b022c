import { VERSION } from '../../generated/version.js';
import type { AgentResult } from '../agent.js';
import { ApprovalPolicy } from './approval-policy.js';
import { JsonRpcConnection, JsonRpcError } from './json-rpc.js';
import { failed, type ModeRun, processEnding, startCodexServer } from './mode.js';
import { PROVIDER_ID } from './provider.js';
import { StdioChild } from './stdio-child.js';
import { CodexTranscript } from './transcript.js';

type Params = Record<string, unknown>;

/**
 * `codex app-server`: JSON-RPC over stdio. One thread, one turn; Codex asks before it runs a
 * command or changes files (approvalPolicy untrusted or on-request) and the orchestrator's policy
 * answers, each decision recorded in the transcript.
 */
export async function runAppServer(run: ModeRun): Promise<AgentResult> {
  const { ctx, settings } = run;
  const transcript = new CodexTranscript(ctx);
  if (settings.model) transcript.model = settings.model;
  const policy = new ApprovalPolicy(ctx, settings.commands, settings.files);
  const items = new Map<string, Params>();
  const stderrTail: string[] = [];
  let threadId: string | undefined;
  let turnEnded!: () => void;
  const turnOver = new Promise<void>((resolve) => (turnEnded = resolve));

  const rpc: JsonRpcConnection = new JsonRpcConnection((line) => child.write(line), {
    onNotification(method, params) {
      if (params.threadId !== undefined && threadId !== undefined && params.threadId !== threadId) return;
      onNotification(transcript, items, method, params);
      if (method === 'turn/completed') turnEnded();
    },
    async onRequest(method, params) {
      return answer(policy, items, method, params);
    },
    onGarbage(line) {
      transcript.emit({ type: 'output', stream: 'stdout', line: line.slice(0, 2000) });
    },
  });

  const started = await startCodexServer(run, 'app-server', (line) => rpc.handleLine(line), stderrTail);
  if (!(started instanceof StdioChild)) return started;
  const child = started;
  const gone = child.exited.then(({ code, signal }) => {
    const why = new Error(`codex app-server exited (${code ?? signal}) before the turn ended`);
    rpc.close(why);
    throw why;
  });
  gone.catch(() => {});

  let problem: string | undefined;
  try {
    await rpc.request('initialize', {
      clientInfo: { name: 'codex-orchestrator', title: 'codex-orchestrator', version: VERSION },
      capabilities: null,
    });
    rpc.notify('initialized');
    const started = (await rpc.request('thread/start', {
      cwd: ctx.workdir,
      sandbox: settings.sandbox,
      approvalPolicy: settings.approval_policy,
      ...(settings.model ? { model: settings.model } : {}),
      modelProvider: PROVIDER_ID,
      ephemeral: true,
    })) as { thread: { id: string }; model?: string };
    threadId = started.thread.id;
    transcript.thread(threadId, started.model);
    await rpc.request('turn/start', {
      threadId,
      input: [{ type: 'text', text: ctx.prompt, text_elements: [] }],
    });
    await Promise.race([turnOver, gone]);
  } catch (e) {
    problem = (e as Error).message;
  }
  const end = await child.stop();
  rpc.close(new Error('codex app-server stopped'));

  const { base, decided } = processEnding(run, transcript, end, 'codex app-server');
  if (decided) return decided;
  if (problem !== undefined || transcript.failure !== undefined) {
    const why = transcript.failure ?? `${problem}${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}`;
    return {
      ...failed({ code: 'AdapterFailed', message: `codex adapter: "${settings.binary} app-server": ${why}` }),
      ...base,
    };
  }
  return { status: 'succeeded', summary: transcript.summary(policy.summary()), ...base };
}

function onNotification(
  t: CodexTranscript,
  items: Map<string, Params>,
  method: string,
  params: Params,
): void {
  const item = (params.item ?? {}) as Params;
  const id = typeof item.id === 'string' ? item.id : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (method) {
    case 'item/started':
      if (id) items.set(id, item);
      if (item.type === 'commandExecution') t.commandStarted(id, str(item.command));
      return;
    case 'item/completed':
      if (id) items.delete(id);
      switch (item.type) {
        case 'commandExecution':
          return t.commandFinished(
            id,
            str(item.command),
            item.exitCode as number | null,
            str(item.status),
            item.aggregatedOutput as string | null,
          );
        case 'agentMessage':
          return t.message(str(item.text));
        case 'fileChange':
          return t.fileChange(
            ((item.changes ?? []) as Params[]).map((c) => ({ path: str(c.path), kind: c.kind })),
            str(item.status),
          );
        case 'reasoning':
          return t.emit({ type: 'reasoning', summary: item.summary ?? [] });
        case 'userMessage':
          return;
        default:
          return t.emit({ type: 'item', itemType: item.type, id });
      }
    case 'thread/tokenUsage/updated':
      return t.usageTotal(((params.tokenUsage as Params | undefined)?.total ?? {}) as Params);
    case 'turn/completed': {
      const turn = (params.turn ?? {}) as { status?: string; error?: { message?: string } | null };
      if (turn.status === 'completed') return t.turnCompleted();
      return t.turnFailed(turn.error?.message || `turn ${turn.status ?? 'ended'}`);
    }
    case 'error': {
      const message = str((params.error as Params | undefined)?.message) || 'error';
      return params.willRetry ? t.warning(message) : t.error(message);
    }
    case 'warning':
    case 'configWarning':
      return t.warning(str(params.message) || str(params.summary));
    default:
      // deltas, status changes, rate limits: their outcome arrives in the events above
      return;
  }
}

/** Codex's requests to the client: approvals get the policy's answer; anything else is refused. */
async function answer(
  policy: ApprovalPolicy,
  items: Map<string, Params>,
  method: string,
  params: Params,
): Promise<unknown> {
  const item = items.get(String(params.itemId)) ?? {};
  switch (method) {
    case 'item/commandExecution/requestApproval': {
      const command = String(params.command ?? item.command ?? '');
      const actions = ((params.commandActions ?? item.commandActions ?? []) as Params[])
        .map((a) => a.command)
        .filter((c): c is string => typeof c === 'string');
      const decision = policy.command(command, actions);
      return { decision: decision.approved ? 'accept' : 'decline' };
    }
    case 'item/fileChange/requestApproval': {
      const files = ((item.changes ?? []) as Params[]).map((c) => String(c.path));
      const decision = policy.fileChange(files, params.grantRoot as string | null | undefined);
      return { decision: decision.approved ? 'accept' : 'decline' };
    }
    default:
      // permission escalations, user input, tool calls: nobody is there to answer, so no
      policy.unknown(method, { reason: params.reason ?? null });
      throw new JsonRpcError(method, -32601, 'not supported by codex-orchestrator');
  }
}
