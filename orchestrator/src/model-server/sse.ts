import type { ServerResponse } from 'node:http';

/** Starts a Server-Sent Events reply. */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/** One event: `event:` line when named (Responses and Anthropic name theirs; Chat Completions does not). */
export function sendEvent(res: ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

/** A data line cut in the middle of its JSON, then the end of the stream. */
export function sendBrokenEvent(res: ServerResponse, truncatedJson: string, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${truncatedJson}\n\n`);
  res.end();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}
