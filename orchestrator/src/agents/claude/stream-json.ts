/**
 * Claude Code's `--output-format stream-json` lines in the transcript's vocabulary (the builtin
 * and codex adapters' too): session, message, tool_call / tool_result, command_started /
 * command_finished for Bash, result. The outcome (model, cost, usage, error) is kept here.
 */
import type { AgentContext } from '../agent.js';

const MAX_OUTPUT_CHARS = 4000;

type Json = Record<string, unknown>;

export interface ClaudeOutcome {
  subtype: string;
  isError: boolean;
  text: string;
  numTurns: number | null;
  costUsd: number | null;
  usage: Record<string, number> | null;
}

export class ClaudeStream {
  model: string | undefined;
  sessionId: string | undefined;
  outcome: ClaudeOutcome | undefined;
  lastMessage = '';
  /** Tool uses by id, to name what a tool_result answers. */
  private readonly tools = new Map<string, { name: string; command?: string }>();

  constructor(private readonly ctx: AgentContext) {}

  /** One stdout line (already redacted). */
  line(line: string): void {
    if (!line.trim()) return;
    let event: Json;
    try {
      event = JSON.parse(line) as Json;
    } catch {
      this.ctx.onEvent({ type: 'output', stream: 'stdout', line: line.slice(0, 2000) });
      return;
    }
    switch (event.type) {
      case 'system':
        return this.system(event);
      case 'assistant':
        return this.assistant(event);
      case 'user':
        return this.user(event);
      case 'result':
        return this.result(event);
      default:
        // stream_event and newer kinds: the log has them
        return;
    }
  }

  private system(e: Json): void {
    if (e.subtype === 'init') {
      this.sessionId = str(e.session_id) || undefined;
      this.model = str(e.model) || this.model;
      this.ctx.onEvent({
        type: 'session',
        sessionId: this.sessionId ?? null,
        model: this.model ?? null,
        cwd: e.cwd ?? null,
        tools: Array.isArray(e.tools) ? e.tools.length : null,
      });
    } else {
      this.ctx.onEvent({ type: 'system', subtype: e.subtype ?? null });
    }
  }

  private assistant(e: Json): void {
    for (const block of blocks(e)) {
      if (block.type === 'text') {
        this.lastMessage = str(block.text);
        this.ctx.onEvent({ type: 'message', text: this.lastMessage });
      } else if (block.type === 'thinking') {
        this.ctx.onEvent({ type: 'reasoning', text: clip(str(block.thinking)) });
      } else if (block.type === 'tool_use') {
        const id = str(block.id);
        const name = str(block.name);
        const input = (block.input ?? {}) as Json;
        const command = name === 'Bash' ? str(input.command) : undefined;
        this.tools.set(id, { name, command });
        this.ctx.onEvent({ type: 'tool_call', id, name, arguments: input });
        if (command !== undefined) this.ctx.onEvent({ type: 'command_started', id, command });
      }
    }
  }

  private user(e: Json): void {
    for (const block of blocks(e)) {
      if (block.type !== 'tool_result') continue;
      const id = str(block.tool_use_id);
      const tool = this.tools.get(id);
      const output = clip(contentText(block.content));
      const isError = block.is_error === true;
      if (tool?.command !== undefined) {
        this.ctx.onEvent({ type: 'command_finished', id, command: tool.command, isError, output });
      } else {
        this.ctx.onEvent({ type: 'tool_result', id, name: tool?.name ?? null, isError, output });
      }
    }
  }

  private result(e: Json): void {
    const usage: Record<string, number> = {};
    for (const [k, v] of Object.entries((e.usage ?? {}) as Json)) {
      if (typeof v === 'number' && Number.isFinite(v)) usage[k] = v;
    }
    const numTurns = typeof e.num_turns === 'number' ? e.num_turns : null;
    if (numTurns !== null) usage.turns = numTurns;
    this.outcome = {
      subtype: str(e.subtype) || 'unknown',
      isError: e.is_error === true,
      text: str(e.result) || (Array.isArray(e.errors) ? e.errors.map(String).join('; ') : ''),
      numTurns,
      costUsd: typeof e.total_cost_usd === 'number' ? e.total_cost_usd : null,
      usage: Object.keys(usage).length ? usage : null,
    };
    this.ctx.onEvent({
      type: 'result',
      subtype: this.outcome.subtype,
      isError: this.outcome.isError,
      numTurns,
      costUsd: this.outcome.costUsd,
      usage: this.outcome.usage,
      durationMs: e.duration_ms ?? null,
      permissionDenials: Array.isArray(e.permission_denials) ? e.permission_denials.length : 0,
    });
  }
}

function blocks(e: Json): Json[] {
  const content = ((e.message ?? {}) as Json).content;
  return Array.isArray(content) ? (content.filter((b) => b && typeof b === 'object') as Json[]) : [];
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => (c && typeof c === 'object' ? str((c as Json).text) : '')).join('\n');
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function clip(text: string): string {
  return text.length > MAX_OUTPUT_CHARS
    ? `${text.slice(0, MAX_OUTPUT_CHARS)}\n[cut at ${MAX_OUTPUT_CHARS} characters]`
    : text;
}
