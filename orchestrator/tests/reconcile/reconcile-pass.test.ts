import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import planCommand from '../../src/cli/commands/plan.js';
import watchCommand from '../../src/cli/commands/watch.js';
import { type ReconcileEvent, reconcileOnce } from '../../src/reconcile/reconcile-pass.js';
import { acquireWatchLock } from '../../src/reconcile/watch-lock.js';
import { loadConfig } from '../../src/repo/repo-files.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { waitFor } from '../helpers/run-repo.js';
import { CLI, cxo, gitIn, indexJson, makeRepo, specText, writeFiles } from '../helpers/temp-repo.js';
import { committedTasks, handlerContext, runsOf } from '../helpers/reconcile-repo.js';

const CONFIG = [
  'guard:',
  '  require_spec: false',
  'timeouts:',
  '  step_seconds: 20',
  '  command_seconds: 20',
  'agents:',
  '  manager: none',
  '  builder: "command:echo {task_id} > {task_id}.txt"',
  '',
].join('\n');

const STALE_SPEC = specText({
  id: 'old',
  title: 'Old',
  status: 'approved',
  owners: ['ada'],
  risk: 'low',
  last_review: '2020-01-01',
});

async function pass(root: string, concurrency = 2) {
  const { config } = await loadConfig(root);
  const events: ReconcileEvent[] = [];
  const summary = await reconcileOnce({
    root,
    config,
    env: process.env,
    concurrency,
    signal: new AbortController().signal,
    progress: (e) => events.push(e),
  });
  return { summary, events };
}

describe('reconcileOnce', () => {
  it('runs due tasks, makes dependents wait for review, and commits blocked statuses', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': CONFIG,
        'specs/0001-old.md': STALE_SPEC,
        'codex.tasks.json': indexJson([
          { id: 'a', title: 'A', request: 'r1' },
          { id: 'b', title: 'B', request: 'r1' },
          { id: 'c', title: 'C', request: 'r1', dependsOn: ['a'] },
          { id: 's', title: 'S', request: 'r1', spec: 'specs/0001-old.md' },
          { id: 'quiet', title: 'Q' },
        ]),
      },
      { git: true },
    );

    const planned = handlerContext(root, { json: true });
    expect(await planCommand(planned.ctx)).toBe(0);
    expect(JSON.parse(planned.text())).toMatchObject({
      concurrency: 2,
      batches: [
        { batch: 1, startsNow: true, chunks: [['a', 'b']] },
        { batch: 2, startsNow: false, tasks: [{ id: 'c', after: ['a'] }] },
      ],
      blocked: [{ id: 's', reasons: [{ reason: 'StaleSpec' }] }],
    });

    const { summary, events } = await pass(root);
    expect(summary.dispatched.map((d) => [d.taskId, d.status]).sort()).toEqual([
      ['a', 'review'],
      ['b', 'review'],
    ]);
    expect(summary.waiting).toEqual([{ taskId: 'c', on: ['a'] }]);
    expect(summary.blocked).toEqual([
      { taskId: 's', reasons: [expect.objectContaining({ reason: 'StaleSpec' })], written: 'committed' },
    ]);
    expect(events[0]).toMatchObject({ type: 'pass', due: 3, blocked: 1, batches: 2 });
    expect(
      events
        .filter((e) => e.type === 'dispatch')
        .map((e) => e.taskId)
        .sort(),
    ).toEqual(['a', 'b']);

    const tasks = committedTasks(root);
    for (const id of ['a', 'b']) {
      expect(tasks[id].status).toMatchObject({ phase: 'review', observedRequest: 'r1' });
      expect(readFileSync(join(root, '.runs', id, runsOf(root, id)[0], 'manifest.json'), 'utf8')).toContain(
        `"request": "r1"`,
      );
    }
    expect(tasks.s.status).toMatchObject({ phase: 'blocked', reason: 'StaleSpec' });
    expect(tasks.s.status).not.toHaveProperty('observedRequest');
    expect(tasks.c.status).toBeUndefined();
    expect(tasks.quiet.status).toBeUndefined();

    // the second pass: nothing to run; s says blocked already; c now waits on a reviewer
    const head = gitIn(root, 'rev-parse', 'HEAD');
    const again = await pass(root);
    expect(again.summary.dispatched).toEqual([]);
    expect(again.summary.blocked).toEqual([
      {
        taskId: 'c',
        reasons: [expect.objectContaining({ reason: 'DependencyNotReady' })],
        written: 'committed',
      },
      { taskId: 's', reasons: [expect.objectContaining({ reason: 'StaleSpec' })], written: 'unchanged' },
    ]);
    expect(gitIn(root, 'rev-list', '--count', `${head.trim()}..HEAD`).trim()).toBe('1');
    expect(committedTasks(root).c.status).toMatchObject({
      phase: 'blocked',
      reason: 'DependencyNotReady',
      message: 'DependencyNotReady: dependency a is in review (a reviewer must approve it)',
    });

    // a reviewer approves a, so c may run; re-reading the stale spec unblocks s
    const approved = cxo(root, ['review', 'a', '--approve', '--by', 'bob']);
    expect(approved.code, approved.stderr).toBe(0);
    const reviewed = cxo(root, ['spec', 'review', 'old', '--commit']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const third = await pass(root);
    expect(third.summary.dispatched.map((d) => [d.taskId, d.status]).sort()).toEqual([
      ['c', 'review'],
      ['s', 'review'],
    ]);
    expect(third.summary.blocked).toEqual([]);
  }, 90_000);

  it('never dispatches the same (task, request) twice, even when the status does not record it', async () => {
    // with write-back off nothing records the request as observed: only the ledger stops a second run
    const root = makeRepo(
      {
        'codex.config.yaml': `${CONFIG}gitops:\n  write_back: false\n`,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    const first = await pass(root);
    expect(first.summary.dispatched).toMatchObject([{ taskId: 't', request: 'r1', status: 'review' }]);
    const runId = first.summary.dispatched[0].runId;

    const second = await pass(root);
    expect(second.summary.dispatched).toEqual([]);
    expect(second.summary.skippedDuplicate).toEqual([{ taskId: 't', request: 'r1', runId }]);
    expect(runsOf(root, 't')).toEqual([runId]);

    writeFiles(root, { 'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r2' }]) });
    const third = await pass(root);
    expect(third.summary.dispatched).toMatchObject([{ taskId: 't', request: 'r2', status: 'review' }]);
    expect(runsOf(root, 't')).toHaveLength(2);
  }, 90_000);

  it('refuses to run while another watcher holds the lock', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': CONFIG,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    const held = await acquireWatchLock(root);
    expect(held.ok).toBe(true);
    await expect(pass(root)).rejects.toThrow(`pid ${process.pid}`);
    expect(runsOf(root, 't')).toEqual([]);
    if (held.ok) held.lock.release();
  });
});

describe('stalled runs', () => {
  it('a run whose process died is resumed once by the pass', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': CONFIG,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    // the first builder hangs (and is killed with its run); the resumed one finds its marker and ends
    const builder =
      "command:sh -c 'if [ -f marker ]; then echo ok > done.txt; else touch marker; sleep 30; fi'";
    const child = spawn(process.execPath, [CLI, 'run', 't', '--role', `builder=${builder}`], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const manifestOf = () => {
      const [run] = runsOf(root, 't');
      const path = run && join(root, '.runs/t', run, 'manifest.json');
      return path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunManifest) : undefined;
    };
    // generous: beside the rest of the suite, a run's start (worktree, sandbox probe) can take 20 s
    await waitFor(() => Boolean(manifestOf()?.run.children?.length), 45_000, 'the builder to start');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const previous = process.env.CXO_STALL_MS;
    process.env.CXO_STALL_MS = '200';
    try {
      await new Promise((r) => setTimeout(r, 400));
      const { summary, events } = await pass(root);
      expect(summary.dispatched).toEqual([]);
      expect(summary.resumed).toMatchObject([{ taskId: 't', status: 'review' }]);
      expect(events.some((e) => e.type === 'resume')).toBe(true);
      expect(manifestOf()?.resumes).toHaveLength(1);
      expect(committedTasks(root).t.status).toMatchObject({ phase: 'review', observedRequest: 'r1' });
    } finally {
      if (previous === undefined) delete process.env.CXO_STALL_MS;
      else process.env.CXO_STALL_MS = previous;
    }
  }, 90_000);
});

describe('cxo watch', () => {
  it('--pull is refused with --once (it is for the long-running watcher)', async () => {
    const repo = makeRepo({ 'codex.tasks.json': indexJson([]) }, { git: true });
    const { ctx } = handlerContext(repo, { once: true, pull: '5' });
    await expect(watchCommand(ctx)).rejects.toMatchObject({ exitCode: 2 });
  });
});
