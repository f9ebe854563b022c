import {
  asArray,
  asRecord,
  contentText,
  type RequestView,
  toolNames,
  workingDirectoryIn,
} from './request-view.js';
import { openAiError } from './openai-common.js';
import type { Usage } from './scenario.js';
import { sendBrokenEvent, sendEvent, sendJson, startSse } from './sse.js';
import { pieces, RequestShapeError, type WireFormat } from './wire-format.js';

const PROMPT_ROLES = new Set(['user', 'system', 'developer']);

/** POST /v1/chat/completions: OpenAI Chat Completions, plain JSON or chunks ending with `data: [DONE]`. */
export const chatCompletions: WireFormat = {
  api: 'chat',

  read(body): RequestView {
    if (!Array.isArray(body.messages)) throw new RequestShapeError('"messages" must be an array');
    const messages = asArray(body.messages).map(asRecord);
    const prompt: string[] = [];
    let position = 0;
    for (const message of messages) {
      if (message.role === 'assistant') position++;
      else if (position === 0 && PROMPT_ROLES.has(String(message.role)))
        prompt.push(contentText(message.content));
    }
    const promptText = prompt.join('\n');
    return {
      api: 'chat',
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
    const id = `chatcmpl-${ctx.tag}`;
    const head = { id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model };
    const call = answer.kind === 'call' ? { id: `call_${ctx.tag}`, type: 'function' } : undefined;
    const finishReason = call ? 'tool_calls' : 'stop';
    if (!ctx.view.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created: ctx.created,
        model: ctx.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: answer.kind === 'text' ? answer.text : null,
              refusal: null,
              ...(answer.kind === 'call'
                ? { tool_calls: [{ ...call, function: { name: answer.name, arguments: answer.arguments } }] }
                : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: chatUsage(usage),
      });
      return;
    }
    startSse(res);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      sendEvent(res, { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    if (answer.kind === 'call') {
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, ...call, function: { name: answer.name, arguments: '' } }],
      });
      for (const part of pieces(answer.arguments))
        chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] });
    } else {
      chunk({ role: 'assistant', content: '' });
      for (const part of pieces(answer.text)) chunk({ content: part });
    }
    chunk({}, finishReason);
    // the usage chunk OpenAI sends for stream_options.include_usage; sent always so usage is never lost
    sendEvent(res, { ...head, choices: [], usage: chatUsage(usage) });
    sendEvent(res, '[DONE]');
    res.end();
  },

  malformed(res, ctx) {
    if (!ctx.view.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `{"id":"chatcmpl-${ctx.tag}","object":"chat.completion","choices":[{"index":0,"message":{"role":`,
      );
      return;
    }
    startSse(res);
    const head = {
      id: `chatcmpl-${ctx.tag}`,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
    };
    sendEvent(res, {
      ...head,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
    sendBrokenEvent(
      res,
      `{"id":"chatcmpl-${ctx.tag}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`,
    );
  },

  errorBody: openAiError,
};

function chatUsage(usage: Required<Usage>): Record<string, unknown> {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}
