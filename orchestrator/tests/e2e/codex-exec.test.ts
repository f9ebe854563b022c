/**
 * The codex adapter's exec mode end to end: the real Codex CLI (`codex exec --json`) against the
 * scripted model server, in a real git worktree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARIES, binary, codexAgent, harness, MARKER, startModel } from './harness.js';

const agent = (settings: Record<string, unknown>) => codexAgent('exec', settings);

describe('codex adapter, exec mode (real Codex CLI)', () => {
  it('runs the command the model asks for in the worktree, and records it, the message and the usage', async () => {
    const server = await startModel({
      scenario: {
        model: 'cxo-scripted',
        scripts: [
          {
            when: MARKER,
            steps: [{ shell: 'echo made-by-codex > result.txt' }, { message: 'wrote result.txt' }],
          },
        ],
      },
    });
    const h = harness('write result.txt');
    const started = Date.now();
    const result = await agent({
      binary: binary(BINARIES.codex),
      base_url: server.url,
      prices: { input_per_mtok: 1.25, output_per_mtok: 10 },
    }).run(h.ctx);
    console.log(`codex exec: ${Date.now() - started} ms`);

    expect(result.error ?? null).toBeNull();
    expect(result.status).toBe('succeeded');
    expect(result.summary).toBe('wrote result.txt');
    expect(readFileSync(join(h.workdir, 'result.txt'), 'utf8')).toBe('made-by-codex\n');

    // the agent's own command, in the transcript
    const finished = h.ofType('command_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ exitCode: 0 });
    expect(String(finished[0].command)).toContain('echo made-by-codex > result.txt');
    expect(h.ofType('command_started')).toHaveLength(1);
    expect(h.ofType('message').map((e) => e.text)).toEqual(['wrote result.txt']);
    expect(h.ofType('thread')).toHaveLength(1);

    // two model calls of the scenario's default usage
    expect(result.usage).toMatchObject({ input_tokens: 200, output_tokens: 40, turns: 1 });
    // Codex reports tokens: the cost is them at the configured prices
    expect(result.costUsd).toBeCloseTo((200 * 1.25 + 40 * 10) / 1e6, 12);
    expect(result.model).toBe('cxo-scripted');
    expect(server.requests.map((r) => [r.position, r.played])).toEqual([
      [0, 'shell'],
      [1, 'message'],
    ]);
    expect(server.requests[0].headers.authorization).toBe('<redacted>');

    // logs as artifacts; the process group reported and released; Codex's own state gone
    expect(result.artifacts.map((a) => a.name)).toEqual([
      'agents/builder.stdout.log',
      'agents/builder.stderr.log',
    ]);
    for (const a of result.artifacts) expect(existsSync(join(h.outputDir, a.name))).toBe(true);
    expect(readFileSync(join(h.outputDir, 'agents/builder.stdout.log'), 'utf8')).toContain(
      '"turn.completed"',
    );
    expect(h.spawned).toHaveLength(1);
    expect(h.exited).toEqual(h.spawned);
    expect(existsSync(join(h.outputDir, 'agents/codex-home'))).toBe(false);
  });

  it('fails with the reason when the model endpoint refuses the turn', async () => {
    const server = await startModel({
      scenario: { scripts: [{ when: 'no prompt says this', steps: [{ message: 'never' }] }] },
    });
    const h = harness('anything');
    const result = await agent({ binary: binary(BINARIES.codex), base_url: server.url }).run(h.ctx);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('AdapterFailed');
    expect(result.error?.message).toMatch(/^codex adapter: ".*codex exec" exited with 1: /);
    expect(result.error?.message).toContain('no_matching_script');
    expect(h.ofType('turn_failed')).toHaveLength(1);
  });

  it('names the adapter and the binary when the binary does not exist', async () => {
    const h = harness('anything');
    const missing = join(h.outputDir, 'no-such-codex');
    const result = await agent({ binary: missing, base_url: 'http://127.0.0.1:9/v1' }).run(h.ctx);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'AgentNotFound',
      message: `codex adapter: cannot run "${missing}": not found; set CXO_CODEX_BIN or agents.codex.binary`,
    });
    expect(h.spawned).toEqual([]);
  });
});
