import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/temp-repo.js';

export const SCENARIOS = join(PROJECT_ROOT, 'orchestrator/tests/fixtures/scenarios');

/** The built-in agent's tools, in Responses shape (orchestrator/src/agents/builtin/workspace-tools.ts). */
export const BUILTIN_TOOLS = ['read_file', 'write_file', 'edit_file', 'run_command', 'finish'].map(
  (name) => ({
    type: 'function' as const,
    name,
    description: name,
    parameters: { type: 'object', properties: {}, additionalProperties: true },
    strict: false,
  }),
);

/** The same tools in Chat Completions shape. */
export const BUILTIN_CHAT_TOOLS = BUILTIN_TOOLS.map((t) => ({
  type: 'function' as const,
  function: { name: t.name, description: t.description, parameters: t.parameters },
}));

export interface SseEvent {
  event?: string;
  data: string;
}

/** A small Server-Sent Events reader: blocks separated by a blank line, `event:` and `data:` fields. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    events.push({ event, data: data.join('\n') });
  }
  return events;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
