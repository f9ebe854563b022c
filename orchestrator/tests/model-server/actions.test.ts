import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/model-server/scenario.js';
import { type ModelServer, startModelServer } from '../../src/model-server/server.js';
import { parseSse, postJson } from './helpers.js';

// One scenario, three clients: each gets the abstract actions as calls of the tools it offered.
const CONTENT_A = "it's\nCXO_EOF\n";
const CONTENT_B = "no newline $HOME `x` 'quoted'";
const SCENARIO: Scenario = {
  scripts: [
    {
      name: 'builder',
      when: '# Role: builder',
      steps: [
        { shell: 'npm test', workdir: 'pkg' },
        { write: { path: 'dir/a.txt', content: CONTENT_A } },
        { write: { path: 'b.txt', content: CONTENT_B } },
        { edit: { path: 'dir/a.txt', old: "it's", new: 'it is' } },
        { read: 'dir/a.txt' },
        { tool: { name: 'update_plan', arguments: { plan: [] } } },
        { finish: 'done' },
      ],
    },
  ],
};

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ scenario: SCENARIO });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

type Call = { name: string; args: unknown } | { text: string } | { status: number; error: string };

/** Codex: Responses API, streamed, `exec_command` and friends, its context as developer and user items. */
async function codex(position: number): Promise<Call> {
  const input: unknown[] = [
    {
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: '<permissions instructions>' }],
    },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '# Role: builder\nDo it.' }] },
  ];
  for (let i = 0; i < position; i++) {
    input.push({ type: 'reasoning', summary: [] });
    input.push({ type: 'function_call', call_id: `c${i}`, name: 'exec_command', arguments: '{}' });
    input.push({ type: 'function_call_output', call_id: `c${i}`, output: 'Process exited with code 0' });
  }
  const tools = ['exec_command', 'write_stdin', 'update_plan', 'view_image'].map((name) => ({
    type: 'function',
    name,
    parameters: { type: 'object', properties: {} },
  }));
  const res = await postJson(`${server.url}/responses`, {
    model: 'gpt-5-codex',
    instructions: 'You are Codex.',
    input,
    tools,
    stream: true,
  });
  if (res.status !== 200) return { status: res.status, error: JSON.stringify(await res.json()) };
  const events = parseSse(await res.text()).map(
    (e) => JSON.parse(e.data) as { type: string; item?: Record<string, unknown> },
  );
  expect(events.at(-1)?.type).toBe('response.completed');
  const item = events.find((e) => e.type === 'response.output_item.done')?.item ?? {};
  if (item.type === 'function_call')
    return { name: String(item.name), args: JSON.parse(String(item.arguments)) };
  return { text: (item.content as { text: string }[])[0].text };
}

/** Claude Code: Anthropic Messages with Bash, Read, Write, Edit and its working directory in the system prompt. */
async function claude(position: number): Promise<Call> {
  const messages: unknown[] = [
    { role: 'user', content: [{ type: 'text', text: '# Role: builder\nDo it.' }] },
  ];
  for (let i = 0; i < position; i++) {
    messages.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: {} }],
    });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: 'ok' }] });
  }
  const res = await postJson(`${server.url}/messages?beta=true`, {
    model: 'claude-sonnet-4',
    max_tokens: 100,
    system: [{ type: 'text', text: 'You are Claude Code.\nWorking directory: /tmp/work\n' }],
    tools: ['Bash', 'Read', 'Write', 'Edit', 'Glob'].map((name) => ({
      name,
      input_schema: { type: 'object' },
    })),
    messages,
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) return { status: res.status, error: JSON.stringify(body) };
  const block = (body.content as Record<string, unknown>[])[0];
  if (block.type === 'tool_use') return { name: String(block.name), args: block.input };
  return { text: String(block.text) };
}

/** The built-in agent: Chat Completions with the workspace tools. */
async function builtin(position: number): Promise<Call> {
  const messages: unknown[] = [
    { role: 'system', content: 'You are a coding agent.' },
    { role: 'user', content: '# Role: builder\nDo it.' },
  ];
  for (let i = 0; i < position; i++) {
    const call = { id: `k${i}`, type: 'function', function: { name: 'run_command', arguments: '{}' } };
    messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    messages.push({ role: 'tool', tool_call_id: `k${i}`, content: 'exit 0' });
  }
  const tools = ['read_file', 'write_file', 'edit_file', 'run_command', 'finish'].map((name) => ({
    type: 'function',
    function: { name, parameters: { type: 'object' } },
  }));
  const res = await postJson(`${server.url}/chat/completions`, { model: 'local', messages, tools });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) return { status: res.status, error: JSON.stringify(body) };
  const message = (body.choices as { message: Record<string, unknown> }[])[0].message;
  const call = (message.tool_calls as { function: { name: string; arguments: string } }[] | undefined)?.[0];
  if (call) return { name: call.function.name, args: JSON.parse(call.function.arguments) };
  return { text: String(message.content) };
}

function sh(cwd: string, command: string): void {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

describe('abstract actions', () => {
  it('become exec_command calls for Codex, with file writes and edits done through the shell', async () => {
    expect(await codex(0)).toEqual({ name: 'exec_command', args: { cmd: 'npm test', workdir: 'pkg' } });
    const dir = mkdtempSync(join(tmpdir(), 'cxo-model-actions-'));
    mkdirSync(join(dir, 'pkg'));
    const writeA = (await codex(1)) as { name: string; args: { cmd: string } };
    expect(writeA.name).toBe('exec_command');
    sh(dir, writeA.args.cmd);
    expect(readFileSync(join(dir, 'dir/a.txt'), 'utf8')).toBe(CONTENT_A);
    const writeB = (await codex(2)) as { args: { cmd: string } };
    sh(dir, writeB.args.cmd);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe(CONTENT_B);
    const edit = (await codex(3)) as { args: { cmd: string } };
    sh(dir, edit.args.cmd);
    expect(readFileSync(join(dir, 'dir/a.txt'), 'utf8')).toBe('it is\nCXO_EOF\n');
    // the replacement is gone now, so the same edit fails loudly instead of doing nothing
    expect(spawnSync('bash', ['-c', edit.args.cmd], { cwd: dir }).status).toBe(1);
    expect(await codex(4)).toEqual({ name: 'exec_command', args: { cmd: "cat 'dir/a.txt'" } });
    expect(await codex(5)).toEqual({ name: 'update_plan', args: { plan: [] } });
    expect(await codex(6)).toEqual({ text: 'done' });
    expect(server.requests.map((r) => r.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('become Bash, Write, Edit and Read calls for Claude Code, with absolute paths', async () => {
    expect(await claude(0)).toEqual({ name: 'Bash', args: { command: "cd 'pkg' && npm test" } });
    expect(await claude(1)).toEqual({
      name: 'Write',
      args: { file_path: '/tmp/work/dir/a.txt', content: CONTENT_A },
    });
    expect(await claude(2)).toEqual({
      name: 'Write',
      args: { file_path: '/tmp/work/b.txt', content: CONTENT_B },
    });
    expect(await claude(3)).toEqual({
      name: 'Edit',
      args: { file_path: '/tmp/work/dir/a.txt', old_string: "it's", new_string: 'it is' },
    });
    expect(await claude(4)).toEqual({ name: 'Read', args: { file_path: '/tmp/work/dir/a.txt' } });
    expect(await claude(6)).toEqual({ text: 'done' });
  });

  it("finds newer Claude Code's working directory in its environment message", async () => {
    const res = await postJson(`${server.url}/messages?beta=true`, {
      model: 'claude-opus',
      max_tokens: 100,
      system: [{ type: 'text', text: 'You are Claude Code.' }],
      tools: [{ name: 'Write', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: '# Role: builder' }] },
        {
          role: 'system',
          content: [{ type: 'text', text: '# Environment\n - Primary working directory: /srv/w\n' }],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't0', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't0', content: 'ok' }] },
      ],
    });
    const body = (await res.json()) as { content: { name: string; input: unknown }[] };
    expect(body.content[0]).toMatchObject({ name: 'Write', input: { file_path: '/srv/w/dir/a.txt' } });
  });

  it('become the workspace tools for the built-in agent, and finish is its finish tool', async () => {
    expect(await builtin(0)).toEqual({ name: 'run_command', args: { command: "cd 'pkg' && npm test" } });
    expect(await builtin(1)).toEqual({ name: 'write_file', args: { path: 'dir/a.txt', content: CONTENT_A } });
    expect(await builtin(3)).toEqual({
      name: 'edit_file',
      args: { path: 'dir/a.txt', old: "it's", new: 'it is' },
    });
    expect(await builtin(4)).toEqual({ name: 'read_file', args: { path: 'dir/a.txt' } });
    expect(await builtin(6)).toEqual({ name: 'finish', args: { summary: 'done' } });
  });

  it('answers 400 naming the tool when the client did not offer it', async () => {
    const fromClaude = (await claude(5)) as { status: number; error: string };
    expect(fromClaude.status).toBe(400);
    expect(fromClaude.error).toContain(
      'step 5 of script \\"builder\\" (tool) needs the tool \\"update_plan\\"',
    );
    expect(fromClaude.error).toContain('the request offered Bash, Read, Write, Edit, Glob');
    const fromBuiltin = (await builtin(5)) as { status: number; error: string };
    expect(fromBuiltin.status).toBe(400);
    expect(JSON.parse(fromBuiltin.error)).toMatchObject({
      error: { code: 'tool_not_offered', type: 'invalid_request_error' },
    });
    expect(server.requests.map((r) => [r.status, r.error?.includes('update_plan')])).toEqual([
      [400, true],
      [400, true],
    ]);
  });
});
