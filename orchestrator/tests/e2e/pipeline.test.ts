/**
 * The real agent CLIs driven through the orchestrator itself: `cxo run` with Codex (exec mode) as
 * the builder and Claude Code as the tester, against the scripted model server. The manifest keeps
 * each agent's own command events in its transcript, apart from the acceptance commands the
 * orchestrator ran itself and from the diff git computed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readArtifact } from '../../src/runs/artifact-store.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { probeBwrap } from '../../src/runs/sandbox/bwrap-probe.js';
import { cxoAsync } from '../helpers/run-repo.js';
import { indexJson, makeRepo, read } from '../helpers/temp-repo.js';
import { BINARIES, binary, KEY_ENV, ORCHESTRATOR_ENV, startModel } from './harness.js';

it('cxo run: codex builds, claude tests, the orchestrator checks and records', async () => {
  const server = await startModel({
    scenario: {
      model: 'cxo-scripted',
      scripts: [
        {
          when: '# Role: builder',
          steps: [{ shell: 'echo "hello from codex" > greeting.txt' }, { message: 'wrote greeting.txt' }],
        },
        {
          when: '# Role: tester',
          steps: [{ shell: 'echo "grep -q hello greeting.txt" > check.sh' }, { message: 'added check.sh' }],
        },
      ],
    },
  });
  const config = [
    'guard:',
    '  require_spec: false',
    'agents:',
    '  manager: none',
    '  builder: codex',
    '  tester: claude',
    '  codex:',
    `    binary: ${JSON.stringify(binary(BINARIES.codex))}`,
    `    base_url: ${JSON.stringify(server.url)}`,
    `    api_key_env: ${KEY_ENV}`,
    '    model: cxo-scripted',
    '    max_retries: 0',
    '  claude:',
    `    binary: ${JSON.stringify(binary(BINARIES.claude))}`,
    `    base_url: ${JSON.stringify(server.origin)}`,
    `    api_key_env: ${KEY_ENV}`,
    '',
  ].join('\n');
  const dir = makeRepo(
    {
      'codex.config.yaml': config,
      'codex.tasks.json': indexJson([{ id: 't', title: 'Greet', acceptance: ['sh check.sh'] }]),
    },
    { git: true },
  );
  const r = await cxoAsync(dir, ['run', 't'], ORCHESTRATOR_ENV);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const runId = readdirSync(join(dir, '.runs/t'))[0];
  const runDir = `.runs/t/${runId}`;
  const manifest = JSON.parse(read(dir, `${runDir}/manifest.json`)) as RunManifest;
  expect(manifest.steps.map((s) => `${s.role}:${s.adapter}:${s.status}`)).toEqual([
    'manager:none:skipped',
    'builder:codex:succeeded',
    'tester:claude:succeeded',
    'reviewer:none:succeeded', // the static review always runs
  ]);
  // Codex and Claude Code ran in the run's sandbox (where bubblewrap works), with the network for their endpoints
  const sandbox = probeBwrap().ok ? 'bwrap' : 'none';
  expect(manifest.steps[1].sandbox).toMatchObject({ mode: sandbox });
  expect(manifest.steps[2].sandbox).toMatchObject({ mode: sandbox });
  if (sandbox === 'bwrap') {
    expect(manifest.steps[1].sandbox).toMatchObject({
      network: 'allow',
      note: expect.stringContaining(
        "its commands run in Codex's own sandbox (workspace-write, network deny)",
      ),
    });
    expect(manifest.commands[0].sandbox).toMatchObject({ mode: 'bwrap', network: 'deny' });
  }
  // the orchestrator's own evidence: only the acceptance command, and git's diff of both agents' work
  expect(manifest.commands.map((c) => [c.role, c.command, c.exitCode])).toEqual([
    ['tester', 'sh check.sh', 0],
  ]);
  expect(manifest.diff?.files.sort()).toEqual(['check.sh', 'greeting.txt']);
  // each agent's own commands, in its transcript
  const transcript = (role: string) =>
    readArtifact(
      dir,
      manifest.artifacts.find((a) => a.path === `${runDir}/transcripts/${role}.ndjson`)!,
    )
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; command?: string });
  expect(
    transcript('builder')
      .filter((e) => e.type === 'command_finished')
      .map((e) => e.command),
  ).toEqual([expect.stringContaining('hello from codex')]);
  expect(transcript('tester').some((e) => JSON.stringify(e).includes('check.sh'))).toBe(true);
  expect(manifest.steps[2].costUsd).not.toBeNull();
  // the key reached the agents but no file of the evidence
  expect(JSON.stringify(manifest)).not.toContain(ORCHESTRATOR_ENV[KEY_ENV]);
});

it('cxo run: a Codex step whose cost (usage x prices) passes budget.per_run_usd fails the run after it', async () => {
  const server = await startModel({
    scenario: {
      model: 'cxo-scripted',
      scripts: [
        {
          when: '# Role: builder',
          steps: [{ shell: 'echo "hello from codex" > greeting.txt' }, { message: 'wrote greeting.txt' }],
        },
      ],
    },
  });
  const config = [
    'guard:',
    '  require_spec: false',
    'agents:',
    '  manager: none',
    '  builder: codex',
    '  codex:',
    `    binary: ${JSON.stringify(binary(BINARIES.codex))}`,
    `    base_url: ${JSON.stringify(server.url)}`,
    `    api_key_env: ${KEY_ENV}`,
    '    model: cxo-scripted',
    '    max_retries: 0',
    // two answers of the scenario's default usage (100 in, 20 out): $0.24
    '    prices: { input_per_mtok: 1000, output_per_mtok: 1000 }',
    'budget:',
    '  per_run_usd: 0.1',
    '',
  ].join('\n');
  const dir = makeRepo(
    {
      'codex.config.yaml': config,
      'codex.tasks.json': indexJson([{ id: 't', title: 'Greet' }]),
    },
    { git: true },
  );
  const r = await cxoAsync(dir, ['run', 't'], ORCHESTRATOR_ENV);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const runId = readdirSync(join(dir, '.runs/t'))[0];
  const manifest = JSON.parse(read(dir, `.runs/t/${runId}/manifest.json`)) as RunManifest;
  const builder = manifest.steps[1];
  expect(builder).toMatchObject({
    status: 'failed',
    error: { code: 'BudgetExceeded', message: expect.stringContaining('over budget.per_run_usd ($0.1)') },
  });
  expect(builder.costUsd).toBeCloseTo(0.24, 9);
  expect(manifest.result).toMatchObject({ status: 'failed', reason: 'BudgetExceeded' });
  // the run stopped there: the tester and the reviewer never ran
  expect(manifest.steps.slice(2).map((s) => s.status)).toEqual(['pending', 'pending']);
});
