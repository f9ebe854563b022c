/**
 * Spend caps (`budget:`), enforced where claims are made: two clones of one remote racing for the
 * day's last reservation run one task between them; a builtin run stops mid-step at
 * `budget.per_run_usd` and its cost lands in the state ref's ledger; a task over `per_task_usd`
 * is refused while another task runs; a bad budget is a positioned config error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer } from '../../src/model-server/server.js';
import type { Scenario } from '../../src/model-server/scenario.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { costPathOf, readCostLedger, utcDayText } from '../../src/state/cost-ledger.js';
import { claimPathOf, shardOf } from '../../src/state/state-layout.js';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses } from '../../src/state/state-statuses.js';
import { cxoAsync, readManifest, runDirs, waitFor } from '../helpers/run-repo.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { cxo, gitIn, indexJson, makeRepo, read, writeFiles } from '../helpers/temp-repo.js';

type Server = Awaited<ReturnType<typeof startModelServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const stateOf = (root: string) => new StateRef({ root, ref: 'refs/heads/cxo/state' }).snapshot();

describe('spend caps (budget:)', () => {
  it('two clones racing for the last reservation of the day: one run, the other task blocked BudgetExceeded', async () => {
    // a builder that holds its run open until the test releases it, so the race is decided by the ledger
    const builder = [
      '#!/bin/sh',
      'i=0',
      'while [ ! -f "$(git rev-parse --git-common-dir)/release" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done',
      'printf "hello\\n" > greeting.txt',
      '',
    ].join('\n');
    const { bare, clone } = sharedRemote(
      {
        'codex.config.yaml': `guard:
  require_spec: false
concurrency: 2
agents:
  manager: none
  builder: "command:sh build.sh"
gitops:
  state: ref
  push: true
budget:
  per_run_usd: 1
  per_day_usd: 1.5
`,
        'codex.tasks.json': indexJson(
          ['t1', 't2'].map((id) => ({ id, title: `Greeting ${id}`, request: 'r1' })),
        ),
        'build.sh': builder,
        '.gitignore': '.runs/\n',
      },
      'cxo-budget-',
    );
    const a = clone('a');
    const b = clone('b');
    const exited: string[] = [];
    const watch = (dir: string, name: string) =>
      cxoAsync(dir, ['watch', '--once']).then((r) => {
        exited.push(name);
        return r;
      });
    const runs = [watch(a, 'a'), watch(b, 'b')];
    // the clone without a run is done once its pass is; the other waits in its builder
    await waitFor(() => exited.length > 0, 60_000, 'one watcher to finish its pass without a run');
    expect(exited).toHaveLength(1);
    for (const dir of [a, b]) writeFileSync(join(dir, '.git', 'release'), '');
    const [ra, rb] = await Promise.all(runs);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);

    const out = ra.stdout + rb.stdout;
    const dispatched = [...out.matchAll(/^dispatch ([^:\s]+):/gm)].map((m) => m[1]);
    expect(dispatched, out).toHaveLength(1);
    const [winner] = dispatched;
    const loser = winner === 't1' ? 't2' : 't1';
    const state = stateOf(bare);
    const statuses = readStatuses(state).byTask;
    expect(statuses.get(winner)?.phase).toBe('review');
    expect(statuses.get(loser)).toMatchObject({
      phase: 'blocked',
      reason: 'BudgetExceeded',
      message: expect.stringContaining('budget.per_day_usd ($1.5)'),
    });
    expect(statuses.get(loser)?.message).toContain('$1 of');
    // the loser claimed nothing; the ledger on the remote holds the one run, at its observed cost
    expect(state.read(claimPathOf(loser))).toBeUndefined();
    const ledger = readCostLedger(state);
    const today = [...ledger.byDay.values()].flat();
    expect(ledger.problems).toEqual([]);
    expect(today).toEqual([expect.objectContaining({ task: winner, usd: 0, state: 'spent' })]);
    expect([...ledger.byDay.keys()]).toEqual([utcDayText(new Date())]);
    // cxo state show: the day's spend against the cap
    gitIn(a, 'fetch', '-q', 'origin', '+refs/heads/cxo/state:refs/remotes/origin/cxo/state');
    expect(cxo(a, ['state', 'show']).stdout).toContain(
      `spend:    ${utcDayText(new Date())} (UTC): 1 run(s), $0 spent, $0 reserved of budget.per_day_usd $1.5`,
    );
  }, 180_000);

  it('ledger files that are not valid are ignored and listed, and an entry counts only in its own shard', async () => {
    const dir = makeRepo(
      {
        'codex.config.yaml': `guard:
  require_spec: false
agents:
  manager: none
  builder: "command:printf 'hello\\n' > greeting.txt"
gitops:
  state: ref
budget:
  per_day_usd: 1
`,
        'codex.tasks.json': indexJson([{ id: 't1', title: 'Greet', request: 'r1' }]),
        '.gitignore': '.runs/\n',
      },
      { git: true },
    );
    const day = utcDayText(new Date());
    const other = ['u1', 'u2', 'u3', 'u4'].find((id) => shardOf(id) !== shardOf('t1'))!;
    const hostile = { task: 't1', runId: 'planted', usd: 50, state: 'spent', at: new Date().toISOString() };
    await new StateRef({ root: dir, ref: 'refs/heads/cxo/state' }).update('seed', () => [
      { path: costPathOf(day, 't1'), content: '{"runs": "not a list"}\n' },
      // t1's spend, filed in another task's shard: it does not count
      { path: costPathOf(day, other), content: `${JSON.stringify({ runs: [hostile] })}\n` },
    ]);
    const before = cxo(dir, ['state', 'show']).stdout;
    expect(before).toContain(
      `ignored:  refs/heads/cxo/state:${costPathOf(day, 't1')}: not a cost ledger file`,
    );
    expect(before).toContain('(UTC): 0 run(s), $0 spent');
    const r = await cxoAsync(dir, ['watch', '--once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dispatch t1:/m);
    // the claim replaced the file it could not read with one that holds its run
    const after = cxo(dir, ['state', 'show']).stdout;
    expect(after).not.toContain('ignored:');
    expect(after).toContain('(UTC): 1 run(s), $0 spent, $0 reserved of budget.per_day_usd $1');
  }, 60_000);

  it('a builtin run stops mid-step at budget.per_run_usd, and its cost goes into the ledger', async () => {
    server = await startModelServer({
      scenario: {
        // $0.10 a turn at the prices below
        usage: { input_tokens: 1000, output_tokens: 0 },
        scripts: [{ when: '# Role: builder', steps: [{ repeat: true, shell: 'true' }] }],
      },
    });
    const dir = makeRepo(
      {
        'codex.config.yaml': `guard:
  require_spec: false
agents:
  manager: none
  builder: builtin
  builtin:
    base_url: ${JSON.stringify(server.url)}
    model: scripted-1
    prices: { input_per_mtok: 100, output_per_mtok: 100 }
gitops:
  state: ref
budget:
  per_run_usd: 0.25
`,
        'codex.tasks.json': indexJson([{ id: 't1', title: 'Greet', description: 'Say hello.' }]),
        '.gitignore': '.runs/\n',
      },
      { git: true },
    );
    const r = await cxoAsync(dir, ['run', 't1']);
    expect(r.code, r.stderr).toBe(1);
    const manifest: RunManifest = readManifest(dir, runDirs(dir)[0]);
    const step = manifest.steps.find((s) => s.role === 'builder')!;
    expect(step).toMatchObject({
      status: 'failed',
      usage: expect.objectContaining({ turns: 3 }),
      error: expect.objectContaining({
        code: 'BudgetExceeded',
        message: expect.stringContaining('over budget.per_run_usd ($0.25)'),
      }),
    });
    expect(step.costUsd).toBeCloseTo(0.3, 9);
    expect(manifest.result).toMatchObject({ status: 'failed', reason: 'BudgetExceeded' });
    // run by hand (no claim): the final status records its cost on the day it started
    const ledger = readCostLedger(stateOf(dir));
    const entries = ledger.byDay.get(utcDayText(new Date(manifest.run.createdAt))) ?? [];
    expect(entries).toEqual([
      expect.objectContaining({
        task: 't1',
        runId: manifest.run.id,
        state: 'spent',
        usd: expect.closeTo(0.3, 9),
      }),
    ]);
  }, 60_000);

  it('per_task_usd refuses the next request of the task over it, and only that task (inline: the clone’s own runs)', async () => {
    const scenario: Scenario = {
      usage: { input_tokens: 1000, output_tokens: 0 },
      scripts: [
        {
          when: '# Role: builder',
          steps: [
            { write: { path: 'greeting.txt', content: 'hello\n' } },
            { shell: 'true' },
            { finish: 'wrote greeting.txt' },
          ],
        },
      ],
    };
    server = await startModelServer({ scenario });
    const config = `guard:
  require_spec: false
agents:
  manager: none
  builder: builtin
  builtin:
    base_url: ${JSON.stringify(server.url)}
    model: scripted-1
    prices: { input_per_mtok: 100, output_per_mtok: 100 }
budget:
  per_task_usd: 0.25
`;
    const dir = makeRepo(
      {
        'codex.config.yaml': config,
        'codex.tasks.json': indexJson([
          { id: 'a', title: 'A', request: 'r1' },
          { id: 'b', title: 'B' },
        ]),
      },
      { git: true },
    );
    const first = await cxoAsync(dir, ['watch', '--once']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^dispatch a\b/m);
    // a spent $0.30 (three turns), over its cap; b has spent nothing
    const index = JSON.parse(read(dir, 'codex.tasks.json')) as {
      version: number;
      tasks: Record<string, unknown>[];
    };
    index.tasks[0].request = 'r2';
    index.tasks[1].request = 'r1';
    writeFiles(dir, { 'codex.tasks.json': `${JSON.stringify(index, null, 2)}\n` });
    gitIn(dir, 'commit', '-qam', 'request a again, and b');

    const second = await cxoAsync(dir, ['watch', '--once']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^dispatch b\b/m);
    expect(second.stdout).not.toMatch(/^dispatch a\b/m);
    const tasks = (JSON.parse(read(dir, 'codex.tasks.json')) as typeof index).tasks;
    expect(tasks[0].status).toMatchObject({
      phase: 'blocked',
      reason: 'BudgetExceeded',
      message: expect.stringContaining(
        'task a has spent or reserved $0.3 of its budget.per_task_usd ($0.25)',
      ),
    });
    expect(tasks[1].status).toMatchObject({ phase: 'review', observedRequest: 'r1' });
  }, 90_000);

  it('cxo state migrate enters the runs of an inline repository in the ledger at their cost', async () => {
    server = await startModelServer({
      scenario: {
        usage: { input_tokens: 1000, output_tokens: 0 },
        scripts: [{ when: '# Role: builder', steps: [{ shell: 'true' }, { finish: 'done' }] }],
      },
    });
    const dir = makeRepo(
      {
        'codex.config.yaml': `guard:
  require_spec: false
agents:
  manager: none
  builder: builtin
  builtin:
    base_url: ${JSON.stringify(server.url)}
    model: scripted-1
    prices: { input_per_mtok: 100, output_per_mtok: 100 }
`,
        'codex.tasks.json': indexJson([{ id: 't1', title: 'Greet' }]),
      },
      { git: true },
    );
    const r = await cxoAsync(dir, ['run', 't1']);
    expect(r.code, r.stderr).toBe(0);
    const migrated = cxo(dir, ['state', 'migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const manifest = readManifest(dir, runDirs(dir)[0]);
    const entries = readCostLedger(stateOf(dir)).byDay.get(utcDayText(new Date(manifest.run.createdAt)));
    // two turns at $0.10
    expect(entries).toEqual([
      expect.objectContaining({
        task: 't1',
        runId: manifest.run.id,
        state: 'spent',
        usd: expect.closeTo(0.2, 9),
      }),
    ]);
  }, 60_000);

  it('a bad budget is a config error at its line and column, and nothing runs', () => {
    const dir = makeRepo(
      {
        'codex.config.yaml':
          'guard:\n  require_spec: false\nbudget:\n  per_run_usd: 0\n  per_day_usd: "5"\n  per_week_usd: 3\n',
        'codex.tasks.json': indexJson([{ id: 't1', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    const r = cxo(dir, ['validate']);
    expect(r.code).not.toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/codex\.config\.yaml:4:\d+.*per_run_usd/);
    expect(text).toMatch(/codex\.config\.yaml:5:\d+.*per_day_usd/);
    expect(text).toMatch(/codex\.config\.yaml:6:\d+.*per_week_usd/);
    const watch = cxo(dir, ['watch', '--once']);
    expect(watch.code).not.toBe(0);
    expect(watch.stdout).not.toMatch(/^dispatch /m);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });
});
