/**
 * The claude adapter end to end: the real Claude Code (`claude -p --output-format stream-json`)
 * against the scripted model server's Anthropic Messages endpoint, in a real git worktree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaudeAgent } from '../../src/agents/claude/claude-agent.js';
import { resolveClaudeSettings } from '../../src/agents/claude/settings.js';
import {
  BINARIES,
  binary,
  configWith,
  harness,
  KEY_ENV,
  MARKER,
  ORCHESTRATOR_ENV,
  startModel,
} from './harness.js';

function agent(settings: Record<string, unknown>): ClaudeAgent {
  const config = configWith('claude', { api_key_env: KEY_ENV, ...settings });
  return new ClaudeAgent('claude', resolveClaudeSettings(config, ORCHESTRATOR_ENV, undefined));
}

describe('claude adapter (real Claude Code)', () => {
  it('runs the command the model asks for in the worktree, and records it, the cost and the usage', async () => {
    const server = await startModel({
      scenario: {
        model: 'cxo-scripted',
        scripts: [
          {
            name: 'task',
            when: MARKER,
            steps: [{ shell: 'echo made-by-claude > result.txt' }, { message: 'wrote result.txt' }],
          },
          // side requests (titles, checks) carry other prompts
          { name: 'side', steps: [{ message: 'ok', repeat: true }] },
        ],
      },
    });
    const h = harness('write result.txt');
    const started = Date.now();
    const result = await agent({ binary: binary(BINARIES.claude), base_url: server.origin }).run(h.ctx);
    console.log(`claude: ${Date.now() - started} ms`);

    expect(result.error ?? null).toBeNull();
    expect(result.status).toBe('succeeded');
    expect(result.summary).toBe('wrote result.txt');
    expect(readFileSync(join(h.workdir, 'result.txt'), 'utf8')).toBe('made-by-claude\n');

    // the agent's own command, in the transcript
    expect(h.ofType('command_started').map((e) => e.command)).toEqual(['echo made-by-claude > result.txt']);
    const finished = h.ofType('command_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ command: 'echo made-by-claude > result.txt', isError: false });
    expect(h.ofType('tool_call')[0]).toMatchObject({ name: 'Bash' });
    expect(h.ofType('session')).toHaveLength(1);
    expect(h.ofType('result')[0]).toMatchObject({ subtype: 'success', isError: false, numTurns: 2 });

    // usage and cost from the result line
    expect(result.usage).toMatchObject({ input_tokens: 200, output_tokens: 40, turns: 2 });
    expect(typeof result.costUsd).toBe('number');
    expect(typeof result.model).toBe('string');
    const task = server.requests.filter((r) => r.script === 'task');
    expect(task.map((r) => r.played)).toEqual(['shell', 'message']);
    expect(task[0].headers['x-api-key'] ?? task[0].headers.authorization).toBe('<redacted>');

    expect(result.artifacts.map((a) => a.name)).toEqual([
      'agents/builder.stdout.log',
      'agents/builder.stderr.log',
    ]);
    expect(readFileSync(join(h.outputDir, 'agents/builder.stdout.log'), 'utf8')).toContain('"type":"result"');
    expect(h.spawned).toHaveLength(1);
    expect(h.exited).toEqual(h.spawned);
    expect(existsSync(join(h.outputDir, 'agents/claude-config'))).toBe(false);
  });

  it('fails with the reason when Claude Code reports an error', async () => {
    const server = await startModel({
      scenario: { scripts: [{ steps: [{ error: { status: 400 }, repeat: true }] }] },
    });
    const h = harness('anything');
    const result = await agent({ binary: binary(BINARIES.claude), base_url: server.origin }).run(h.ctx);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('AdapterFailed');
    expect(result.error?.message).toMatch(/^claude adapter: /);
    expect(h.ofType('result')[0]).toMatchObject({ isError: true });
  });

  it('names the adapter and the binary when the binary does not exist', async () => {
    const h = harness('anything');
    const missing = join(h.outputDir, 'no-such-claude');
    const result = await agent({ binary: missing, base_url: 'http://127.0.0.1:9' }).run(h.ctx);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'AgentNotFound',
      message: `claude adapter: cannot run "${missing}": not found; set CXO_CLAUDE_BIN or agents.claude.binary`,
    });
    expect(h.spawned).toEqual([]);
  });
});
