import type { Answer } from './actions.js';
import {
  asArray,
  asRecord,
  contentText,
  type RequestView,
  toolNames,
  workingDirectoryIn,
} from './request-view.js';
import type { Usage } from './scenario.js';
import { sendBrokenEvent, sendEvent, sendJson, startSse } from './sse.js';
import {
  type AnswerContext,
  parsedArguments,
  pieces,
  RequestShapeError,
  type WireFormat,
} from './wire-format.js';

/** POST /v1/messages (Claude Code adds `?beta=true`): Anthropic Messages, SSE or plain JSON. */
export const anthropicMessages: WireFormat = {
  api: 'messages',

  read(body): RequestView {
    if (!Array.isArray(body.messages)) throw new RequestShapeError('"messages" must be an array');
    const messages = asArray(body.messages).map(asRecord);
    const prompt: string[] = [contentText(body.system)];
    let position = 0;
    for (const message of messages) {
      if (message.role === 'assistant') position++;
      // Claude Code puts its environment in a `system` message among the others
      else if (position === 0 && (message.role === 'user' || message.role === 'system'))
        prompt.push(contentText(message.content));
    }
    const promptText = prompt.filter(Boolean).join('\n');
    return {
      api: 'messages',
      stream: body.stream === true,
      model: typeof body.model === 'string' ? body.model : undefined,
      promptText,
      position,
      lastText: contentText(messages[messages.length - 1]?.content),
      tools: toolNames(body.tools),
      cwd: workingDirectoryIn(promptText),
    };
  },

  answer(res, ctx, answer, usage) {
    const stopReason = answer.kind === 'call' ? 'tool_use' : 'end_turn';
    if (!ctx.view.stream) {
      sendJson(res, 200, {
        ...message(ctx, usage, usage.output_tokens),
        content: [block(answer, ctx.tag, true)],
        stop_reason: stopReason,
      });
      return;
    }
    startSse(res);
    const emit = (type: string, fields: Record<string, unknown>) => sendEvent(res, { type, ...fields }, type);
    emit('message_start', { message: message(ctx, usage, 1) });
    emit('content_block_start', { index: 0, content_block: block(answer, ctx.tag, false) });
    emit('ping', {});
    if (answer.kind === 'call') {
      for (const partial_json of pieces(answer.arguments))
        emit('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json } });
    } else {
      for (const text of pieces(answer.text))
        emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
    }
    emit('content_block_stop', { index: 0 });
    emit('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    emit('message_stop', {});
    res.end();
  },

  malformed(res, ctx) {
    if (!ctx.view.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"msg_${ctx.tag}","type":"message","role":"assistant","content":[{"type":`);
      return;
    }
    startSse(res);
    sendEvent(
      res,
      {
        type: 'message_start',
        message: message(ctx, { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 }, 1),
      },
      'message_start',
    );
    sendBrokenEvent(
      res,
      '{"type":"content_block_start","index":0,"content_block":{"type":"te',
      'content_block_start',
    );
  },

  errorBody(status, message) {
    return { type: 'error', error: { type: errorType(status), message } };
  },
};

function message(ctx: AnswerContext, usage: Required<Usage>, outputTokens: number): Record<string, unknown> {
  return {
    id: `msg_${ctx.tag}`,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: usage.cached_input_tokens,
    },
  };
}

/** The content block: complete for a JSON reply, empty (filled by deltas) when streamed. */
function block(answer: Answer, tag: string, complete: boolean): Record<string, unknown> {
  if (answer.kind === 'call') {
    return {
      type: 'tool_use',
      id: `toolu_${tag}`,
      name: answer.name,
      input: complete ? parsedArguments(answer.arguments) : {},
    };
  }
  return { type: 'text', text: complete ? answer.text : '' };
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  return 'invalid_request_error';
}
