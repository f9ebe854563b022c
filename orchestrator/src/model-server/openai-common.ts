// Shapes the Responses API and Chat Completions share.

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
