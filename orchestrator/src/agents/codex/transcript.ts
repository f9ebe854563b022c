/**
 * What a Codex session did, in the transcript's vocabulary (the builtin adapter's, too):
 * command_started / command_finished for the agent's own commands, message, file_change,
 * approval, usage, error, turn_completed / turn_failed. Every mode feeds its own protocol's
 * events in; the adapter reads the outcome from here.
 */
import type { AgentContext } from '../agent.js';

const MAX_OUTPUT_CHARS = 4000;

export class CodexTranscript {
  threadId: string | undefined;
  model: string | undefined;
  lastMessage = '';
  /** Set when the turn failed, with Codex's reason. */
  failure: string | undefined;
  /** The last error Codex reported (not necessarily fatal), for a failure without a reason. */
  lastError: string | undefined;
  completed = false;
  private usage: Record<string, number> = {};
  private turns = 0;

  constructor(private readonly ctx: AgentContext) {}

  emit(event: Record<string, unknown>): void {
    this.ctx.onEvent(event);
  }

  thread(threadId: string, model?: string): void {
    this.threadId = threadId;
    if (model) this.model = model;
    this.emit({ type: 'thread', threadId, ...(model ? { model } : {}) });
  }

  commandStarted(id: string | undefined, command: string): void {
    this.emit({ type: 'command_started', id, command });
  }

  commandFinished(
    id: string | undefined,
    command: string,
    exitCode: number | null | undefined,
    status: string | undefined,
    output: string | null | undefined,
  ): void {
    this.emit({
      type: 'command_finished',
      id,
      command,
      exitCode: exitCode ?? null,
      ...(status ? { status } : {}),
      output: clip(output ?? ''),
    });
  }

  message(text: string): void {
    this.lastMessage = text;
    this.emit({ type: 'message', text });
  }

  fileChange(changes: { path: string; kind?: unknown }[], status?: string): void {
    this.emit({ type: 'file_change', changes, ...(status ? { status } : {}) });
  }

  warning(message: string): void {
    this.emit({ type: 'warning', message });
  }

  error(message: string): void {
    this.lastError = message;
    this.emit({ type: 'error', message });
  }

  /** A snapshot of the session's total usage (app-server, mcp-server). */
  usageTotal(usage: Record<string, unknown>): void {
    this.usage = numbers(usage);
    this.emit({ type: 'usage', usage: this.usage });
  }

  /** A turn's usage, added to the total (exec). */
  usageAdd(usage: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(numbers(usage))) this.usage[k] = (this.usage[k] ?? 0) + v;
  }

  turnCompleted(extra: Record<string, unknown> = {}): void {
    this.turns++;
    this.completed = true;
    this.emit({ type: 'turn_completed', ...extra });
  }

  turnFailed(message: string): void {
    this.turns++;
    this.failure = message;
    this.emit({ type: 'turn_failed', error: message });
  }

  /** Usage for the manifest: token counts plus turns; null when Codex reported none. */
  usageRecord(): Record<string, number> | null {
    return Object.keys(this.usage).length ? { ...this.usage, turns: this.turns } : null;
  }

  summary(extra?: string): string {
    const text = this.lastMessage.trim().replace(/\s+/g, ' ');
    const said = text.length > 500 ? `${text.slice(0, 500)}...` : text || 'done';
    return extra ? `${said} (${extra})` : said;
  }
}

export function clip(text: string, max = MAX_OUTPUT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}\n[cut at ${max} characters]` : text;
}

/** camelCase keys (app-server) become snake_case, as Codex's other interfaces and the manifest spell them. */
function numbers(usage: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(usage)) {
    if (typeof v === 'number' && Number.isFinite(v))
      out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  return out;
}
