import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../src/model-server/server.js';
import { BUILTIN_TOOLS, parseSse, postJson } from './helpers.js';

// Failures a client must survive: HTTP errors, broken bodies, slow and silent servers, endless loops.
let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({
    scenario: {
      scripts: [
        {
          name: 'flaky',
          when: 'flaky',
          steps: [
            { error: { status: 500 } },
            { error: { status: 429, retry_after: 0.3 } },
            { message: 'recovered' },
          ],
        },
        { name: 'broken', when: 'broken', steps: [{ malformed: true, repeat: true }] },
        { name: 'slow', when: 'slow', steps: [{ hang: 5000 }, { message: 'late', hang: 300 }] },
        { name: 'silent', when: 'silent', steps: [{ hang: 20, repeat: true }] },
        { name: 'loop', when: 'loop', steps: [{ shell: 'echo again', repeat: true }] },
        {
          name: 'down',
          when: 'down',
          steps: [{ error: { status: 503, body: 'upstream down' }, repeat: true }],
        },
      ],
    },
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const sdk = (options: { maxRetries?: number; timeout?: number } = {}) =>
  new OpenAI({
    baseURL: server.url,
    apiKey: 'k',
    maxRetries: 0,
    timeout: 10_000,
    logLevel: 'off',
    ...options,
  });

describe('HTTP errors', () => {
  it('answers 500, then 429 with retry-after, then the action; the SDK retries through both', async () => {
    const started = Date.now();
    const response = await sdk({ maxRetries: 2 }).responses.create({ model: 'm', input: 'flaky' });
    expect(response.output_text).toBe('recovered');
    expect(server.requests.map((r) => [r.status, r.played, r.step, r.position])).toEqual([
      [500, 'error', 0, 0],
      [429, 'error', 1, 0],
      [200, 'message', 2, 0],
    ]);
    // the SDK honoured retry-after: 0.3 before its third attempt
    const gap = Date.parse(server.requests[2].time) - Date.parse(server.requests[1].time);
    expect(gap).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('sends the status, the retry-after header and an error body of the API', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'flaky' }] };
    const first = await postJson(`${server.url}/chat/completions`, body);
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({
      error: { message: 'scripted error 500', type: 'server_error', param: null, code: 'scripted_error' },
    });
    const second = await postJson(`${server.url}/messages`, { ...body, max_tokens: 10 });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('0.3');
    expect(await second.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'scripted error 429' },
    });
  });

  it('gives a string body verbatim, every time when the step repeats', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${server.url}/responses`, { model: 'm', input: 'down' });
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('upstream down');
    }
  });
});

describe('malformed answers', () => {
  it('breaks a Responses stream after response.created, and the SDK fails', async () => {
    const stream = sdk().responses.stream({ model: 'm', input: 'broken' });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    const error = await stream.finalResponse().catch((e: unknown) => e);
    // the helper wraps the JSON.parse failure of the cut event
    expect(error).toBeInstanceOf(OpenAI.OpenAIError);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect(types).toEqual(['response.created']);
    expect(server.requests[0]).toMatchObject({ status: 200, played: 'malformed', stream: true });
  });

  it('truncates the JSON of a plain answer and a Chat Completions stream', async () => {
    await expect(sdk().responses.create({ model: 'm', input: 'broken' })).rejects.toThrow(SyntaxError);
    const chunks = await sdk().chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'broken' }],
    });
    await expect(
      (async () => {
        for await (const chunk of chunks) void chunk;
      })(),
    ).rejects.toThrow(SyntaxError);
  });

  it('cuts an Anthropic stream in the middle of a content block', async () => {
    const res = await postJson(`${server.url}/messages`, {
      model: 'm',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'broken' }],
    });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start']);
    expect(() => JSON.parse(events[1].data)).toThrow();
  });
});

describe('hangs and loops', () => {
  it('hangs past the client timeout, then answers the next attempt late', async () => {
    const error = await sdk({ timeout: 200 })
      .responses.create({ model: 'm', input: 'slow' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(server.requests[0]).toMatchObject({ played: 'hang', status: 0, step: 0 });
    const started = Date.now();
    const response = await sdk().responses.create({ model: 'm', input: 'slow' });
    expect(response.output_text).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('drops the connection after a bare hang', async () => {
    const error = await sdk()
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'silent' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(server.requests[0]).toMatchObject({ played: 'hang', status: 0 });
  });

  it('repeats a step forever: the loop never gets a finish', async () => {
    for (const position of [0, 1, 7, 50]) {
      const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: 'loop' }];
      for (let i = 0; i < position; i++) {
        input.push({ type: 'function_call', call_id: `c${i}`, name: 'run_command', arguments: '{}' });
        input.push({ type: 'function_call_output', call_id: `c${i}`, output: 'again' });
      }
      const response = await sdk().responses.create({ model: 'm', input, tools: BUILTIN_TOOLS });
      const call = response.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
      expect([call.name, call.arguments]).toEqual(['run_command', '{"command":"echo again"}']);
    }
    expect(server.requests.map((r) => [r.position, r.step])).toEqual([
      [0, 0],
      [1, 0],
      [7, 0],
      [50, 0],
    ]);
  });
});
