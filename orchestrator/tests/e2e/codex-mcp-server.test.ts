/**
 * The codex adapter's mcp-server mode end to end: the real `codex mcp-server` of Codex 0.153.4
 * through the MCP SDK client, its elicitations answered by the orchestrator's policy.
 *
 * That server only knows the on-request approval policy: a command inside the sandbox runs without
 * asking, and Codex asks when the model wants a command to run outside it (sandbox_permissions
 * require_escalated), which is what the scenario's second and third calls do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/model-server/scenario.js';
import { groupAlive } from '../../src/runs/process-groups.js';
import { BINARIES, binary, codexAgent, harness, MARKER, startModel } from './harness.js';

const POLICY = { commands: { allow: ['^echo '], deny: ['denied\\.txt'] } };

const agent = (settings: Record<string, unknown>) => codexAgent('mcp-server', { ...POLICY, ...settings });

const escalated = (cmd: string): Step => ({
  tool: {
    name: 'exec_command',
    arguments: { cmd, sandbox_permissions: 'require_escalated', justification: 'needs to run unsandboxed' },
  },
});

describe('codex adapter, mcp-server mode (real Codex 0.153.4)', () => {
  it('runs the sandboxed command, asks the policy about the escalations: one approved, one declined', async () => {
    const server = await startModel({
      scenario: {
        model: 'cxo-scripted',
        scripts: [
          {
            when: MARKER,
            steps: [
              { shell: 'echo made-by-codex > result.txt' },
              escalated('echo allowed > allowed.txt'),
              escalated('echo denied > denied.txt'),
              { message: 'three tries, two files' },
            ],
          },
        ],
      },
    });
    const h = harness('write three files');
    const started = Date.now();
    const result = await agent({ binary: binary(BINARIES.codexMcp), base_url: server.url }).run(h.ctx);
    console.log(`codex mcp-server: ${Date.now() - started} ms`);

    expect(result.error ?? null).toBeNull();
    expect(result.status).toBe('succeeded');
    expect(result.summary).toBe('three tries, two files (approvals: 1 approved, 1 declined)');
    expect(readFileSync(join(h.workdir, 'result.txt'), 'utf8')).toBe('made-by-codex\n');
    expect(readFileSync(join(h.workdir, 'allowed.txt'), 'utf8')).toBe('allowed\n');
    expect(existsSync(join(h.workdir, 'denied.txt'))).toBe(false);

    expect(h.ofType('approval')).toEqual([
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
    // the agent's own commands that ran
    const ran = h.ofType('command_finished').map((e) => [String(e.command), e.exitCode]);
    expect(ran).toEqual([
      ["/bin/bash -lc 'echo made-by-codex > result.txt'", 0],
      ["/bin/bash -lc 'echo allowed > allowed.txt'", 0],
    ]);
    expect(h.ofType('message').map((e) => e.text)).toEqual(['three tries, two files']);
    expect(h.ofType('thread')[0]).toMatchObject({ model: 'cxo-scripted' });
    expect(result.usage).toMatchObject({ input_tokens: 400, output_tokens: 80, turns: 1 });

    expect(result.artifacts.map((a) => a.name)).toEqual([
      'agents/builder.stdout.log',
      'agents/builder.stderr.log',
    ]);
    expect(readFileSync(join(h.outputDir, 'agents/builder.stdout.log'), 'utf8')).toContain('codex/event');
    // Codex understood both answers (a bare "denied" would fail to deserialize, and merely error out)
    expect(readFileSync(join(h.outputDir, 'agents/builder.stderr.log'), 'utf8')).not.toContain('deserialize');
    expect(h.spawned).toHaveLength(1);
    expect(h.exited).toEqual(h.spawned);
    expect(groupAlive(h.spawned[0])).toBe(false);
  });

  it('kills the server and its process group at the timeout', async () => {
    const server = await startModel({
      scenario: { scripts: [{ when: MARKER, steps: [{ hang: 60_000, message: 'too late' }] }] },
    });
    const h = harness('wait forever', { timeoutMs: 3000 });
    const started = Date.now();
    const result = await agent({ binary: binary(BINARIES.codexMcp), base_url: server.url }).run(h.ctx);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('Timeout');
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
