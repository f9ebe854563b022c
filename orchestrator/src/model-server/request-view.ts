/** The three wire formats the server speaks. */
export type Api = 'responses' | 'chat' | 'messages';

/**
 * What the server needs from a request, whatever its wire format. Clients replay the whole
 * history on every request, so everything here comes from the request itself.
 */
export interface RequestView {
  api: Api;
  stream: boolean;
  /** The model the client asked for. */
  model?: string;
  /** Instructions, system and user text before the first assistant action: what `when` matches. */
  promptText: string;
  /** Assistant actions already in the history: the position of the step to play. */
  position: number;
  /** Text of the last input item: the last tool output, or the user's prompt on a first request. */
  lastText: string;
  /** Names of the tools the client offered. */
  tools: string[];
  /** The client's working directory when its prompt says it (Claude Code does), for absolute paths. */
  cwd?: string;
}

/** Joins the text of a message's content: a string, or parts carrying `text` (or nested `content`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part === null || typeof part !== 'object') return '';
      const p = part as { text?: unknown; content?: unknown; output?: unknown };
      if (typeof p.text === 'string') return p.text;
      if (p.content !== undefined) return contentText(p.content);
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

/**
 * Claude Code states its directory (`Working directory: /path`, or ` - Primary working directory: /path`
 * in newer versions); relative file paths are resolved there.
 */
export function workingDirectoryIn(text: string): string | undefined {
  return /^[\s-]*(?:primary )?working directory: (\/\S.*?)\s*$/im.exec(text)?.[1];
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Tool names a client offered: `name` (Responses, Anthropic Messages) or `function.name` (Chat Completions). */
export function toolNames(tools: unknown): string[] {
  return asArray(tools)
    .map((t) => {
      const tool = asRecord(t);
      return typeof tool.name === 'string' ? tool.name : asRecord(tool.function).name;
    })
    .filter((n): n is string => typeof n === 'string');
}
