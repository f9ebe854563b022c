import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../src/model-server/server.js';
import { BUILTIN_CHAT_TOOLS, BUILTIN_TOOLS, parseSse, postJson, SCENARIOS } from './helpers.js';

// The real `openai` SDK against the server over loopback HTTP: what it parses is what agents get.
let server: ModelServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startModelServer({ scenario: join(SCENARIOS, 'roles.yaml') });
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test-secret', maxRetries: 0, timeout: 10_000 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const BUILDER_PROMPT = '# Role: builder\nMake the change in this working directory.\n\n# Task t1: Add hello';

/** What a tool returns in these loops: `cat` prints the file the previous step wrote. */
function toolOutput(name: string, args: Record<string, unknown>): string {
  if (name === 'write_file') return `wrote ${String(args.path)}`;
  if (name === 'run_command') return 'exit 0\nhello\n';
  return 'ok';
}

type Input = OpenAI.Responses.ResponseInputItem[];

/** A Responses tool loop like the built-in agent's: function_call → function_call_output → ... → finish. */
async function responsesLoop(stream: boolean) {
  const input: Input = [{ role: 'user', content: BUILDER_PROMPT }];
  const seen: { name: string; args: Record<string, unknown> }[] = [];
  const responses: OpenAI.Responses.Response[] = [];
  for (let turn = 0; turn < 5; turn++) {
    const params = {
      model: 'gpt-test',
      instructions: 'You are a coding agent.',
      input,
      tools: BUILTIN_TOOLS,
    };
    const response: OpenAI.Responses.Response = stream
      ? await client.responses.stream(params).finalResponse()
      : await client.responses.create(params);
    responses.push(response);
    const call = response.output.find((o) => o.type === 'function_call');
    if (!call) break;
    const args = JSON.parse(call.arguments) as Record<string, unknown>;
    seen.push({ name: call.name, args });
    input.push({ type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments });
    if (call.name === 'finish') break;
    input.push({ type: 'function_call_output', call_id: call.call_id, output: toolOutput(call.name, args) });
  }
  return { seen, responses };
}

describe('Responses API through the openai SDK', () => {
  for (const stream of [false, true]) {
    it(`plays the builder script ${stream ? 'streamed' : 'as JSON'}: write, shell, then finish`, async () => {
      const { seen, responses } = await responsesLoop(stream);
      expect(seen).toEqual([
        { name: 'write_file', args: { path: 'hello.txt', content: 'hello\n' } },
        { name: 'run_command', args: { command: 'cat hello.txt' } },
        { name: 'finish', args: { summary: 'wrote hello.txt' } },
      ]);
      expect(responses.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      expect(responses.map((r) => r.model)).toEqual([
        'scripted-builder',
        'scripted-builder',
        'scripted-builder',
      ]);
      // per-step usage over the scenario's default
      expect(
        responses.map((r) => [r.usage?.input_tokens, r.usage?.output_tokens, r.usage?.total_tokens]),
      ).toEqual([
        [120, 30, 150],
        [200, 10, 210],
        [120, 30, 150],
      ]);
      const ids = responses.map((r) => (r.output[0] as OpenAI.Responses.ResponseFunctionToolCall).call_id);
      expect(new Set(ids).size).toBe(3);

      expect(server.requests).toHaveLength(3);
      expect(
        server.requests.map((r) => [r.api, r.stream, r.script, r.position, r.step, r.tool, r.status]),
      ).toEqual([
        ['responses', stream, 'builder', 0, 0, 'write_file', 200],
        ['responses', stream, 'builder', 1, 1, 'run_command', 200],
        ['responses', stream, 'builder', 2, 2, 'finish', 200],
      ]);
      expect(server.requests[2].branch).toBe('then');
      expect(server.requests[0].path).toBe('/v1/responses');
      expect(server.requests[0].headers.authorization).toBe('<redacted>');
      expect(JSON.stringify(server.requests)).not.toContain('sk-test-secret');
      // the logged body is the parsed request: the history grows by two items per step
      expect((server.requests[2].body as { input: unknown[] }).input).toHaveLength(5);
    });
  }

  it('answers the manager with its plan as JSON text, chosen by the role prompt', async () => {
    const response = await client.responses.create({
      model: 'gpt-test',
      input: [{ role: 'user', content: '# Role: manager\nPlan the work.' }],
      tools: BUILTIN_TOOLS,
    });
    expect(response.output[0].type).toBe('message');
    expect(JSON.parse(response.output_text)).toEqual({
      summary: 'Add a greeting file',
      steps: ['Write hello.txt', 'Check it'],
      acceptance: ['test -f hello.txt'],
    });
    expect(response.model).toBe('scripted-gpt');
    expect(server.requests[0]).toMatchObject({ script: 'manager', position: 0, step: 0, played: 'json' });
  });

  it('streams the text deltas and the item events the SDK and Codex rely on', async () => {
    const types: string[] = [];
    let text = '';
    const stream = client.responses.stream({
      model: 'gpt-test',
      input: '# Role: reviewer\nReview the change.',
    });
    stream.on('event', (e) => types.push(e.type));
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.output_item.done');
    expect(types.at(-1)).toBe('response.completed');
    expect(JSON.parse(text)).toEqual({ score: 0.9, findings: [], secret_leak: false });
    expect(final.output_text).toBe(text);
    expect(server.requests[0].script).toBe('reviewer');
  });

  it('takes the else branch when the last tool output does not match', async () => {
    const input: Input = [
      { role: 'user', content: BUILDER_PROMPT },
      { type: 'function_call', call_id: 'c1', name: 'write_file', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'wrote' },
      { type: 'function_call', call_id: 'c2', name: 'run_command', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c2', output: 'cat: No such file or directory' },
    ];
    const response = await client.responses.create({ model: 'm', input, tools: BUILTIN_TOOLS });
    expect(response.output_text).toBe('hello.txt is missing');
    expect(server.requests[0]).toMatchObject({ position: 2, step: 2, branch: 'else', played: 'message' });
  });

  it('refuses with a 400 the SDK reports when no script matches or the script is exhausted', async () => {
    await expect(
      client.responses.create({ model: 'm', input: '# Role: tester\nAdd tests.' }),
    ).rejects.toMatchObject({ status: 400, code: 'no_matching_script' });
    const input: Input = [
      { role: 'user', content: '# Role: manager' },
      { role: 'assistant', content: 'plan' },
    ];
    const error = await client.responses.create({ model: 'm', input }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(
      /script "manager" has 1 action step\(s\), but the request already holds 1/,
    );
    expect(server.requests.map((r) => r.status)).toEqual([400, 400]);
  });
});

describe('Chat Completions through the openai SDK', () => {
  for (const stream of [false, true]) {
    it(`runs the builder tool loop ${stream ? 'streamed' : 'as JSON'}`, async () => {
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a coding agent.' },
        { role: 'user', content: BUILDER_PROMPT },
      ];
      const calls: string[] = [];
      const usage: number[] = [];
      for (let turn = 0; turn < 5; turn++) {
        const params = { model: 'gpt-test', messages, tools: BUILTIN_CHAT_TOOLS };
        const completion = stream
          ? await client.chat.completions.stream(params).finalChatCompletion()
          : await client.chat.completions.create(params);
        const message = completion.choices[0].message;
        usage.push(completion.usage?.prompt_tokens ?? -1);
        messages.push({ role: 'assistant', content: message.content, tool_calls: message.tool_calls });
        const call = message.tool_calls?.[0];
        if (!call || call.type !== 'function') break;
        expect(completion.choices[0].finish_reason).toBe('tool_calls');
        calls.push(`${call.function.name} ${call.function.arguments}`);
        if (call.function.name === 'finish') break;
        const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
        messages.push({ role: 'tool', tool_call_id: call.id, content: toolOutput(call.function.name, args) });
      }
      expect(calls).toEqual([
        'write_file {"path":"hello.txt","content":"hello\\n"}',
        'run_command {"command":"cat hello.txt"}',
        'finish {"summary":"wrote hello.txt"}',
      ]);
      expect(usage).toEqual([120, 200, 120]);
      expect(server.requests.map((r) => [r.api, r.stream, r.script, r.position, r.tool])).toEqual([
        ['chat', stream, 'builder', 0, 'write_file'],
        ['chat', stream, 'builder', 1, 'run_command'],
        ['chat', stream, 'builder', 2, 'finish'],
      ]);
    });
  }

  it('ends a streamed text answer with finish_reason stop, a usage chunk and [DONE]', async () => {
    const chunks = await client.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: '# Role: manager' }],
    });
    let text = '';
    const finishes: (string | null)[] = [];
    let total = 0;
    for await (const chunk of chunks) {
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        finishes.push(choice.finish_reason);
      }
      if (chunk.usage) total = chunk.usage.total_tokens;
    }
    expect(JSON.parse(text).summary).toBe('Add a greeting file');
    expect(finishes.at(-1)).toBe('stop');
    expect(total).toBe(150);
  });

  it('streams tool-call chunks on the wire, with data: [DONE] last', async () => {
    const res = await postJson(`${server.url}/chat/completions`, {
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: BUILDER_PROMPT }],
      tools: BUILTIN_CHAT_TOOLS,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.at(-1)).toEqual({ event: undefined, data: '[DONE]' });
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(new Set(chunks.map((c) => c.object))).toEqual(new Set(['chat.completion.chunk']));
    const deltas = chunks.flatMap(
      (c) => c.choices as { delta: { tool_calls?: { function: { arguments: string } }[] } }[],
    );
    const args = deltas.map((d) => d.delta.tool_calls?.[0].function.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ path: 'hello.txt', content: 'hello\n' });
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 120, completion_tokens: 30 },
    });
  });
});

describe('GET routes', () => {
  it('lists the scenario models and answers health', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['scripted-builder', 'scripted-gpt']);
    const health = await fetch(`${server.origin}/health`);
    expect(await health.json()).toMatchObject({ ok: true });
    const missing = await fetch(`${server.url}/nothing`);
    expect(missing.status).toBe(404);
  });
});
