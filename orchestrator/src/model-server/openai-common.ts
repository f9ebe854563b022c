/** Shapes the Responses API and Chat Completions share. */
import { asArray, asRecord } from './request-view.js';

/** OpenAI's error body. */
export function openAiError(status: number, message: string, code: string): unknown {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status >= 500
        ? 'server_error'
        : status === 401
          ? 'authentication_error'
          : 'invalid_request_error';
  return { error: { message, type, param: null, code } };
}

/** Tool names offered in Responses (`name`) or Chat Completions (`function.name`) shape. */
export function toolNames(tools: unknown): string[] {
  return asArray(tools)
    .map((t) => {
      const tool = asRecord(t);
      return typeof tool.name === 'string' ? tool.name : asRecord(tool.function).name;
    })
    .filter((n): n is string => typeof n === 'string');
}
