import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../src/model-server/server.js';
import { parseSse, postJson } from './helpers.js';

// Claude Code's side of the wire, read with a small SSE reader (no Anthropic SDK is installed).
let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({
    scenario: {
      model: 'claude-scripted',
      scripts: [
        {
          name: 'builder',
          when: '# Role: builder',
          steps: [
            { shell: 'npm test', usage: { input_tokens: 300, output_tokens: 12, cached_input_tokens: 50 } },
            { message: 'All tests pass.' },
          ],
        },
      ],
    },
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const TOOLS = ['Bash', 'Read', 'Write', 'Edit'].map((name) => ({
  name,
  description: name,
  input_schema: { type: 'object', properties: {} },
}));
const SYSTEM = [
  {
    type: 'text',
    text: "You are Claude Code, Anthropic's official CLI for Claude.\n<env>\nWorking directory: /tmp/work\n</env>",
  },
];

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

/** Rebuilds the message from its events, as Claude Code does, checking their order on the way. */
function assemble(text: string) {
  const events = parseSse(text);
  const payloads = events.map((e) => {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    expect(e.event).toBe(data.type);
    return data;
  });
  expect(payloads[0].type).toBe('message_start');
  expect(payloads.at(-1)?.type).toBe('message_stop');
  const message = payloads[0].message as Record<string, unknown>;
  const blocks: Block[] = [];
  const json: string[] = [];
  let stopReason: unknown;
  let outputTokens: unknown;
  for (const p of payloads) {
    if (p.type === 'content_block_start') {
      blocks[p.index as number] = { ...(p.content_block as Block) };
      json[p.index as number] = '';
    } else if (p.type === 'content_block_delta') {
      const delta = p.delta as { type: string; text?: string; partial_json?: string };
      const block = blocks[p.index as number];
      if (delta.type === 'text_delta') block.text += delta.text ?? '';
      else json[p.index as number] += delta.partial_json ?? '';
    } else if (p.type === 'content_block_stop') {
      const block = blocks[p.index as number];
      if (block.type === 'tool_use') block.input = JSON.parse(json[p.index as number]);
    } else if (p.type === 'message_delta') {
      stopReason = (p.delta as { stop_reason: string }).stop_reason;
      outputTokens = (p.usage as { output_tokens: number }).output_tokens;
    }
  }
  return { message, blocks, stopReason, outputTokens, types: payloads.map((p) => p.type) };
}

describe('Anthropic Messages', () => {
  it('streams a tool_use Bash block, then an end_turn text once the tool result comes back', async () => {
    const messages: Record<string, unknown>[] = [
      { role: 'user', content: [{ type: 'text', text: '# Role: builder\nMake the change.' }] },
    ];
    const first = await postJson(
      `${server.origin}/v1/messages?beta=true`,
      { model: 'claude-sonnet-4', max_tokens: 1024, stream: true, system: SYSTEM, tools: TOOLS, messages },
      { 'x-api-key': 'sk-ant-secret', 'anthropic-version': '2023-06-01' },
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const one = assemble(await first.text());
    expect(one.types).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(one.blocks).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_/),
        name: 'Bash',
        input: { command: 'npm test' },
      },
    ]);
    expect(one.stopReason).toBe('tool_use');
    expect(one.message).toMatchObject({
      model: 'claude-scripted',
      role: 'assistant',
      usage: { input_tokens: 300, cache_read_input_tokens: 50 },
    });
    expect(one.outputTokens).toBe(12);

    messages.push({ role: 'assistant', content: one.blocks });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: one.blocks[0].id, content: 'Tests: 3 passed' }],
    });
    const second = await postJson(`${server.origin}/v1/messages?beta=true`, {
      model: 'claude-sonnet-4',
      max_tokens: 1024,
      stream: true,
      system: SYSTEM,
      tools: TOOLS,
      messages,
    });
    const two = assemble(await second.text());
    expect(two.blocks).toEqual([{ type: 'text', text: 'All tests pass.' }]);
    expect(two.stopReason).toBe('end_turn');

    expect(server.requests.map((r) => [r.path, r.api, r.script, r.position, r.step, r.tool ?? null])).toEqual(
      [
        ['/v1/messages?beta=true', 'messages', 'builder', 0, 0, 'Bash'],
        ['/v1/messages?beta=true', 'messages', 'builder', 1, 1, null],
      ],
    );
    expect(server.requests[0].headers['x-api-key']).toBe('<redacted>');
    expect(server.requests[0].headers['anthropic-version']).toBe('2023-06-01');
  });

  it('answers plain JSON when not streaming', async () => {
    const res = await postJson(`${server.url}/messages`, {
      model: 'claude-sonnet-4',
      max_tokens: 1024,
      system: '# Role: builder',
      tools: TOOLS,
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(await res.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'tool_use', name: 'Bash', input: { command: 'npm test' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 300, output_tokens: 12 },
    });
  });

  it('reports errors in the Anthropic error shape', async () => {
    const res = await postJson(`${server.url}/messages`, {
      model: 'claude-sonnet-4',
      max_tokens: 1024,
      messages: [{ role: 'user', content: '# Role: builder' }],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining(
          'needs a shell tool (exec_command, shell, Bash or run_command), but the request offered no tools',
        ),
      },
    });
  });
});
