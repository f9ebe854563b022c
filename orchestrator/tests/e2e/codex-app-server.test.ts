/**
 * The codex adapter's app-server mode end to end: the real `codex app-server` over JSON-RPC,
 * its approval requests answered by the orchestrator's policy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/runs/process-groups.js';
import { BINARIES, binary, codexAgent, harness, MARKER, startModel } from './harness.js';

const POLICY = { commands: { allow: ['^echo '], deny: ['denied\\.txt'] } };

const agent = (settings: Record<string, unknown>) => codexAgent('app-server', { ...POLICY, ...settings });

describe('codex adapter, app-server mode (real Codex CLI)', () => {
  it('asks the policy before each command: runs the allowed one, declines the denied one, records both', async () => {
    const server = await startModel({
      scenario: {
        model: 'cxo-scripted',
        scripts: [
          {
            when: MARKER,
            steps: [
              { shell: 'echo allowed > allowed.txt' },
              { shell: 'echo denied > denied.txt' },
              { message: 'one written, one refused' },
            ],
          },
        ],
      },
    });
    const h = harness('write two files');
    const started = Date.now();
    const result = await agent({ binary: binary(BINARIES.codex), base_url: server.url }).run(h.ctx);
    console.log(`codex app-server: ${Date.now() - started} ms`);

    expect(result.error ?? null).toBeNull();
    expect(result.status).toBe('succeeded');
    expect(result.summary).toBe('one written, one refused (approvals: 1 approved, 1 declined)');
    expect(readFileSync(join(h.workdir, 'allowed.txt'), 'utf8')).toBe('allowed\n');
    expect(existsSync(join(h.workdir, 'denied.txt'))).toBe(false);

    const approvals = h.ofType('approval');
    expect(approvals).toEqual([
      {
        type: 'approval',
        kind: 'command',
        command: "/bin/bash -lc 'echo allowed > allowed.txt'",
        decision: 'approved',
        rule: 'allow:/^echo /',
      },
      {
        type: 'approval',
        kind: 'command',
        command: "/bin/bash -lc 'echo denied > denied.txt'",
        decision: 'declined',
        rule: 'deny:/denied\\.txt/',
      },
    ]);
    // the agent's own commands: the approved one ran, the declined one did not
    const finished = h.ofType('command_finished');
    expect(finished.map((e) => [String(e.command).includes('allowed.txt'), e.status, e.exitCode])).toEqual([
      [true, 'completed', 0],
      [false, 'declined', null],
    ]);
    expect(h.ofType('message').map((e) => e.text)).toEqual(['one written, one refused']);
    expect(result.usage).toMatchObject({ input_tokens: 300, output_tokens: 60, turns: 1 });
    expect(result.model).toBe('cxo-scripted');

    expect(result.artifacts.map((a) => a.name)).toEqual([
      'agents/builder.stdout.log',
      'agents/builder.stderr.log',
    ]);
    expect(readFileSync(join(h.outputDir, 'agents/builder.stdout.log'), 'utf8')).toContain('turn/completed');
    expect(h.spawned).toHaveLength(1);
    expect(h.exited).toEqual(h.spawned);
    expect(groupAlive(h.spawned[0])).toBe(false);
    expect(existsSync(join(h.outputDir, 'agents/codex-home'))).toBe(false);
  });

  it('kills the server and its process group at the timeout', async () => {
    const server = await startModel({
      scenario: { scripts: [{ when: MARKER, steps: [{ hang: 60_000, message: 'too late' }] }] },
    });
    const h = harness('wait forever', { timeoutMs: 3000 });
    const started = Date.now();
    const result = await agent({ binary: binary(BINARIES.codex), base_url: server.url }).run(h.ctx);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('Timeout');
    expect(result.error?.message).toBe('codex adapter: "codex app-server" timed out after 3000 ms');
    expect(h.exited).toEqual(h.spawned);
    expect(groupAlive(h.spawned[0])).toBe(false);
  });

  it('stops at once when the run is cancelled', async () => {
    const server = await startModel({
      scenario: { scripts: [{ when: MARKER, steps: [{ hang: 60_000, message: 'too late' }] }] },
    });
    const h = harness('wait forever');
    setTimeout(() => h.abort.abort(), 1500);
    const result = await agent({ binary: binary(BINARIES.codex), base_url: server.url }).run(h.ctx);
    expect(result.status).toBe('cancelled');
    expect(h.exited).toEqual(h.spawned);
    expect(groupAlive(h.spawned[0])).toBe(false);
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
  });
});
