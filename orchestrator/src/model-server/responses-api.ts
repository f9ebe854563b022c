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
import { openAiError } from './openai-common.js';
import { sendBrokenEvent, sendEvent, sendJson, startSse } from './sse.js';
import { type AnswerContext, pieces, RequestShapeError, type WireFormat } from './wire-format.js';

/** Input items a model produced; each is one assistant action (reasoning items ride along with one). */
const ASSISTANT_ITEMS = new Set(['function_call', 'custom_tool_call', 'local_shell_call']);
const PROMPT_ROLES = new Set(['user', 'system', 'developer']);

/** POST /v1/responses: the OpenAI Responses API, as the `openai` SDK and the Codex CLI use it. */
export const responsesApi: WireFormat = {
  api: 'responses',

  read(body): RequestView {
    const input =
      typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : asArray(body.input);
    if (typeof body.input !== 'string' && !Array.isArray(body.input))
      throw new RequestShapeError('"input" must be a string or an array of items');
    const prompt: string[] = typeof body.instructions === 'string' ? [body.instructions] : [];
    let position = 0;
    for (const raw of input) {
      const item = asRecord(raw);
      const type = typeof item.type === 'string' ? item.type : 'message';
      if (ASSISTANT_ITEMS.has(type) || (type === 'message' && item.role === 'assistant')) position++;
      else if (position === 0 && type === 'message' && PROMPT_ROLES.has(String(item.role)))
        prompt.push(contentText(item.content));
    }
    const last = asRecord(input[input.length - 1]);
    const lastText =
      last.output !== undefined
        ? typeof last.output === 'string'
          ? last.output
          : contentText(last.output)
        : contentText(last.content);
    const promptText = prompt.join('\n');
    return {
      api: 'responses',
      stream: body.stream === true,
      model: typeof body.model === 'string' ? body.model : undefined,
      promptText,
      position,
      lastText,
      tools: toolNames(body.tools),
      cwd: workingDirectoryIn(promptText),
    };
  },

  answer(res, ctx, answer, usage) {
    const item = outputItem(answer, ctx.tag);
    const done = responseObject(ctx, 'completed', [item], usage);
    if (!ctx.view.stream) {
      sendJson(res, 200, done);
      return;
    }
    startSse(res);
    let sequence = 0;
    const emit = (type: string, fields: Record<string, unknown>) =>
      sendEvent(res, { type, sequence_number: sequence++, ...fields }, type);
    const started = responseObject(ctx, 'in_progress', [], null);
    emit('response.created', { response: started });
    emit('response.in_progress', { response: started });
    const at = { item_id: item.id, output_index: 0 };
    if (answer.kind === 'call') {
      emit('response.output_item.added', {
        output_index: 0,
        item: { ...item, arguments: '', status: 'in_progress' },
      });
      for (const delta of pieces(answer.arguments))
        emit('response.function_call_arguments.delta', { ...at, delta });
      emit('response.function_call_arguments.done', {
        ...at,
        name: answer.name,
        arguments: answer.arguments,
      });
    } else {
      emit('response.output_item.added', {
        output_index: 0,
        item: { ...item, content: [], status: 'in_progress' },
      });
      const part = { type: 'output_text', text: '', annotations: [] };
      emit('response.content_part.added', { ...at, content_index: 0, part });
      for (const delta of pieces(answer.text))
        emit('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
      emit('response.output_text.done', { ...at, content_index: 0, text: answer.text, logprobs: [] });
      emit('response.content_part.done', { ...at, content_index: 0, part: { ...part, text: answer.text } });
    }
    emit('response.output_item.done', { output_index: 0, item });
    emit('response.completed', { response: done });
    res.end();
  },

  malformed(res, ctx) {
    if (!ctx.view.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"resp_${ctx.tag}","object":"response","status":"completed","output":[{"type":`);
      return;
    }
    startSse(res);
    sendEvent(
      res,
      {
        type: 'response.created',
        sequence_number: 0,
        response: responseObject(ctx, 'in_progress', [], null),
      },
      'response.created',
    );
    sendBrokenEvent(
      res,
      '{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"mess',
      'response.output_item.added',
    );
  },

  errorBody: openAiError,
};

function outputItem(answer: Answer, tag: string): Record<string, unknown> & { id: string } {
  if (answer.kind === 'call') {
    return {
      type: 'function_call',
      id: `fc_${tag}`,
      call_id: `call_${tag}`,
      name: answer.name,
      arguments: answer.arguments,
      status: 'completed',
    };
  }
  return {
    type: 'message',
    id: `msg_${tag}`,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }],
  };
}

function responseObject(
  ctx: AnswerContext,
  status: 'in_progress' | 'completed',
  output: unknown[],
  usage: Required<Usage> | null,
): Record<string, unknown> {
  return {
    id: `resp_${ctx.tag}`,
    object: 'response',
    created_at: ctx.created,
    status,
    model: ctx.model,
    output,
    usage: usage && {
      input_tokens: usage.input_tokens,
      input_tokens_details: { cached_tokens: usage.cached_input_tokens },
      output_tokens: usage.output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input_tokens + usage.output_tokens,
    },
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: false,
    temperature: null,
    top_p: null,
    tool_choice: 'auto',
    tools: [],
    text: { format: { type: 'text' } },
  };
}
