/**
 * Five long-running watchers in five clones of one bare remote, sharing claims through the state
 * ref, with 50 due tasks in dependency levels and a person approving what reaches review: every
 * request runs exactly once, no dependent starts before its dependency was approved, every status
 * ends `done`, and a watcher killed with -9 mid-run loses its task to another once its lease ends.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { claimPathOf } from '../../src/state/state-layout.js';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses } from '../../src/state/state-statuses.js';
import { cxoAsync, sleep, waitFor } from '../helpers/run-repo.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { indexJson } from '../helpers/temp-repo.js';
import { startWatchProcess, type WatchProcess } from '../helpers/watch-process.js';

const TASKS = 50;
const LEVEL = 25; // t26 depends on t1, ..., t50 on t25: two levels of 25
// the default lease: with six writers on two cores a run's final status write can lose the
// compare-and-swap for half a minute (see docs/gitops.md, Known gaps), and a 30 s lease then ran out
const LEASE_SECONDS = 60;

// hangs only in a clone whose git directory has a `slow` file: the config is shared, the clones are not
const BUILDER = [
  '#!/bin/sh',
  'if [ -f "$(git rev-parse --git-common-dir)/slow" ]; then sleep 60; fi',
  'echo built > built.txt',
  '',
].join('\n');
const CONFIG = `guard:
  require_spec: false
concurrency: 1
agents:
  manager: none
  builder: "command:sh build.sh"
gitops:
  state: ref
  push: true
  claim_lease_seconds: ${LEASE_SECONDS}
`;
const tasks = Array.from({ length: TASKS }, (_, i) => ({
  id: `t${i + 1}`,
  title: `Task ${i + 1}`,
  acceptance: ['test -s built.txt'],
  request: 'r1',
  ...(i >= LEVEL ? { dependsOn: [`t${i + 1 - LEVEL}`] } : {}),
}));

interface Watcher extends WatchProcess {
  name: string;
  dir: string;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

/** `cxo watch --json --pull 1` in its own process group (so a test can kill it as a machine dies). */
function startWatcher(name: string, dir: string): Watcher {
  return { name, dir, ...startWatchProcess(dir, { args: ['--pull', '1'], detached: true, started }) };
}

const remoteState = (bare: string) => new StateRef({ root: bare, ref: 'refs/heads/cxo/state' }).snapshot();
const claimsOf = (bare: string, task: string) =>
  remoteState(bare).readJson<{
    claims: { runId: string; request: string; attempt: number; takes?: string }[];
  }>(claimPathOf(task))?.claims ?? [];

describe('five watchers in five clones (gitops.state: ref)', () => {
  it('run 50 dependent requests exactly once each, in dependency order, and finish the task of one killed with -9', async () => {
    const { bare, clone } = sharedRemote(
      {
        'codex.config.yaml': CONFIG,
        'codex.tasks.json': indexJson(tasks),
        'build.sh': BUILDER,
        '.gitignore': '.runs/\n',
      },
      'cxo-five-',
    );
    const person = clone('person');
    // w5 starts first, so that it surely claims a task: its run hangs until its machine dies
    const w5Dir = clone('w5');
    writeFileSync(join(w5Dir, '.git', 'slow'), '');
    const w5 = startWatcher('w5', w5Dir);
    await waitFor(
      () => w5.events.some((e) => e.type === 'dispatch'),
      60_000,
      `a dispatch in w5: ${w5.stderr()}`,
    );
    const watchers = [...['w1', 'w2', 'w3', 'w4'].map((name) => startWatcher(name, clone(name))), w5];

    // the machine of w5 dies once its run has written `running` to the remote and started its builder
    const killW5 = async () => {
      const dispatch = w5.events.find((e) => e.type === 'dispatch')!;
      const [taskId, runId] = [dispatch.taskId as string, dispatch.runId as string];
      await waitFor(
        () => readStatuses(remoteState(bare)).byTask.get(taskId)?.phase === 'running',
        60_000,
        'the running status of w5',
      );
      const manifest = join(w5.dir, '.runs', taskId, runId, 'manifest.json');
      const children = () =>
        existsSync(manifest)
          ? ((JSON.parse(readFileSync(manifest, 'utf8')) as RunManifest).run.children ?? [])
          : [];
      await waitFor(() => children().length > 0, 30_000, 'the builder of w5');
      for (const pgid of [w5.child.pid!, ...children()]) process.kill(-pgid, 'SIGKILL');
      return { taskId, runId };
    };
    const killing = killW5();

    // a person approves what reaches review (cxo review fetches the run), recording when each approval began
    const approvedAt = new Map<string, number>();
    const deadline = Date.now() + 540_000;
    while (approvedAt.size < TASKS) {
      if (Date.now() > deadline) {
        writeFileSync(
          '/tmp/five-events.json',
          JSON.stringify(
            watchers.map((w) => w.events),
            null,
            1,
          ),
        );
        throw new Error(
          `approved ${approvedAt.size} of ${TASKS}; stderr: ${watchers.map((w) => `${w.name}: ${w.stderr()}`).join('\n')}`,
        );
      }
      const statuses = readStatuses(remoteState(bare)).byTask;
      const inReview = tasks.filter((t) => statuses.get(t.id)?.phase === 'review' && !approvedAt.has(t.id));
      for (const t of inReview) {
        const began = Date.now();
        const review = await cxoAsync(person, ['review', t.id, '--approve', '--by', 'reviewer']);
        expect(review.code, `${t.id}: ${review.stdout}${review.stderr}`).toBe(0);
        approvedAt.set(t.id, began);
      }
      if (inReview.length === 0) await sleep(300);
    }
    const killed = await killing;
    console.log(
      `five watchers: 50 tasks approved after ${Math.round((Date.now() - deadline + 540_000) / 1000)} s`,
    );
    for (const w of watchers.slice(0, 4)) process.kill(-w.child.pid!, 'SIGTERM');

    const statuses = readStatuses(remoteState(bare)).byTask;
    const dispatches = watchers.flatMap((w) => w.events.filter((e) => e.type === 'dispatch'));
    for (const t of tasks) {
      // exactly one claim, one run that counted, and a done status naming it
      const claims = claimsOf(bare, t.id);
      expect(claims, t.id).toHaveLength(1);
      expect(statuses.get(t.id), t.id).toMatchObject({
        phase: 'done',
        observedRequest: 'r1',
        lastRun: { id: claims[0].runId },
      });
      const mine = dispatches
        .filter((d) => d.taskId === t.id)
        .sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
      if (t.id === killed.taskId) {
        // the killed run, then the one that took its claim over once the lease ran out
        expect(
          mine.map((d) => d.takesOver ?? null),
          t.id,
        ).toEqual([null, killed.runId]);
        expect(claims[0]).toMatchObject({ takes: killed.runId, attempt: 1 });
      } else expect(mine, t.id).toHaveLength(1);
      // no dependent was dispatched before its dependency's approval began
      for (const dep of t.dependsOn ?? [])
        for (const d of mine)
          expect(Date.parse(d.at), `${t.id} after ${dep}`).toBeGreaterThan(approvedAt.get(dep)!);
    }
    // the other four shared the work
    const busy = watchers.slice(0, 4).filter((w) => w.events.some((e) => e.type === 'run-ended'));
    console.log(
      `five watchers: runs per watcher ${watchers.map((w) => w.events.filter((e) => e.type === 'dispatch').length).join(', ')}`,
    );
    expect(busy.length).toBeGreaterThan(1);
  }, 600_000);
});
