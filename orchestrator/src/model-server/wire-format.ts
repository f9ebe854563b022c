import type { ServerResponse } from 'node:http';
import type { Answer } from './actions.js';
import type { Api, RequestView } from './request-view.js';
import type { Usage } from './scenario.js';

/** What one wire format answers with: the server chooses, the format writes. */
export interface AnswerContext {
  view: RequestView;
  model: string;
  /** Unique per request; ids of responses, items and tool calls are built from it. */
  tag: string;
  /** Seconds since the epoch, for `created` fields. */
  created: number;
}

export interface WireFormat {
  api: Api;
  /** The request as the server needs it; throws a RequestShapeError when it is not a request of this API. */
  read(body: Record<string, unknown>): RequestView;
  answer(res: ServerResponse, ctx: AnswerContext, answer: Answer, usage: Required<Usage>): void;
  /** A reply that starts well and breaks: a cut SSE stream, or truncated JSON. */
  malformed(res: ServerResponse, ctx: AnswerContext): void;
  /** The body of an HTTP error in this API's own shape. */
  errorBody(status: number, message: string, code: string): unknown;
}

/** The request body is JSON but not a request this endpoint understands. */
export class RequestShapeError extends Error {}

/** Cuts text into at most `parts` pieces, so clients must join streamed deltas. */
export function pieces(text: string, parts = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Tool-call arguments as an object for APIs that carry them parsed (Anthropic `input`). */
export function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
