import { appendFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { PlayedStep } from './player.js';
import type { Api } from './request-view.js';

/** One request as the server saw and answered it. */
export interface LoggedRequest extends Partial<PlayedStep> {
  /** 1-based, in arrival order. */
  seq: number;
  /** ISO time of arrival. */
  time: string;
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Request headers; credentials replaced by `<redacted>`. */
  headers: Record<string, string | string[]>;
  /** The JSON body, or its text when it is not JSON. */
  body: unknown;
  api?: Api;
  stream?: boolean;
  /** The tool call answered, if any. */
  tool?: string;
  /** HTTP status answered; 0 when the connection was dropped without an answer. */
  status: number;
  /** Why the server refused the request (a 400 or 404). */
  error?: string;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie']);

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '<redacted>' : value;
  }
  return out;
}

/** Keeps every request in memory and, with a file, appends it there as one JSON line. */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  constructor(private readonly file?: string) {}

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
