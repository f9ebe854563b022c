import OpenAI from 'openai';
import type { WorkspaceTool } from './workspace-tools.js';

/** What the model answered in one call. */
export interface ModelTurn {
  text: string;
  calls: { id: string; name: string; arguments: string }[];
  usage: { input: number; output: number };
  model: string;
}

/**
 * One agent's exchange with a model, in the wire format of the API flavour: the history is kept
 * as that API wants it replayed. `next` sends it, appends the answer, and returns it.
 */
export interface Conversation {
  next(model: string, signal: AbortSignal): Promise<ModelTurn>;
  addToolResult(callId: string, output: string): void;
  addUserText(text: string): void;
}

/** A JSON Schema the final answer must follow: sent as the API's structured-output format. */
export interface AnswerFormat {
  name: string;
  schema: Record<string, unknown>;
}

export function createConversation(
  client: OpenAI,
  api: 'responses' | 'chat',
  instructions: string,
  prompt: string,
  tools: WorkspaceTool[],
  format?: AnswerFormat,
): Conversation {
  return api === 'responses'
    ? new ResponsesConversation(client, instructions, prompt, tools, format)
    : new ChatConversation(client, instructions, prompt, tools, format);
}

class ResponsesConversation implements Conversation {
  private readonly input: OpenAI.Responses.ResponseInputItem[];
  private readonly tools: OpenAI.Responses.FunctionTool[];

  constructor(
    private readonly client: OpenAI,
    private readonly instructions: string,
    prompt: string,
    tools: WorkspaceTool[],
    private readonly format?: AnswerFormat,
  ) {
    this.input = [{ role: 'user', content: prompt }];
    this.tools = tools.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      strict: false,
    }));
  }

  async next(model: string, signal: AbortSignal): Promise<ModelTurn> {
    const response = await this.client.responses.create(
      {
        model,
        instructions: this.instructions,
        input: this.input,
        ...(this.tools.length ? { tools: this.tools } : {}),
        // not strict: the project's schemas use optional fields, which strict mode forbids
        ...(this.format
          ? {
              text: {
                format: {
                  type: 'json_schema',
                  name: this.format.name,
                  schema: this.format.schema,
                  strict: false,
                },
              },
            }
          : {}),
      },
      { signal },
    );
    const calls: ModelTurn['calls'] = [];
    let text = '';
    for (const item of response.output) {
      if (item.type === 'function_call') {
        calls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
        this.input.push({
          type: 'function_call',
          call_id: item.call_id,
          name: item.name,
          arguments: item.arguments,
        });
      } else if (item.type === 'message') {
        const said = item.content.map((c) => (c.type === 'output_text' ? c.text : '')).join('');
        text += said;
        this.input.push({ role: 'assistant', content: said });
      }
    }
    return {
      text,
      calls,
      usage: { input: response.usage?.input_tokens ?? 0, output: response.usage?.output_tokens ?? 0 },
      model: response.model ?? model,
    };
  }

  addToolResult(callId: string, output: string): void {
    this.input.push({ type: 'function_call_output', call_id: callId, output });
  }

  addUserText(text: string): void {
    this.input.push({ role: 'user', content: text });
  }
}

class ChatConversation implements Conversation {
  private readonly messages: OpenAI.Chat.ChatCompletionMessageParam[];
  private readonly tools: OpenAI.Chat.ChatCompletionTool[];

  constructor(
    private readonly client: OpenAI,
    instructions: string,
    prompt: string,
    tools: WorkspaceTool[],
    private readonly format?: AnswerFormat,
  ) {
    this.messages = [
      { role: 'system', content: instructions },
      { role: 'user', content: prompt },
    ];
    this.tools = tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }

  async next(model: string, signal: AbortSignal): Promise<ModelTurn> {
    const completion = await this.client.chat.completions.create(
      {
        model,
        messages: this.messages,
        ...(this.tools.length ? { tools: this.tools } : {}),
        ...(this.format
          ? {
              response_format: {
                type: 'json_schema',
                json_schema: { name: this.format.name, schema: this.format.schema, strict: false },
              },
            }
          : {}),
      },
      { signal },
    );
    const message = completion.choices[0]?.message;
    const calls: ModelTurn['calls'] = [];
    for (const call of message?.tool_calls ?? []) {
      if (call.type === 'function')
        calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
    }
    this.messages.push({
      role: 'assistant',
      content: message?.content ?? '',
      ...(message?.tool_calls?.length ? { tool_calls: message.tool_calls } : {}),
    });
    return {
      text: message?.content ?? '',
      calls,
      usage: {
        input: completion.usage?.prompt_tokens ?? 0,
        output: completion.usage?.completion_tokens ?? 0,
      },
      model: completion.model ?? model,
    };
  }

  addToolResult(callId: string, output: string): void {
    this.messages.push({ role: 'tool', tool_call_id: callId, content: output });
  }

  addUserText(text: string): void {
    this.messages.push({ role: 'user', content: text });
  }
}
