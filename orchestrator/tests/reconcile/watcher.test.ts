import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pullOnce } from '../../src/reconcile/pull.js';
import type { Task } from '../../src/repo/task-types.js';
import { sleep, waitFor } from '../helpers/run-repo.js';
import { startWatchProcess, type WatchEvent, type WatchProcess } from '../helpers/watch-process.js';
import { gitIn, indexJson, makeRepo, writeFiles } from '../helpers/temp-repo.js';
import { committedTask, ledgerEntries, manifestOf, runsOf } from '../helpers/reconcile-repo.js';

/** A builder that hangs the first time and ends at once when resumed (it finds its marker). */
const HANG_ONCE =
  "command:sh -c 'if [ -f marker ]; then echo ok > done.txt; else touch marker; sleep 30; fi'";

function config(builder = 'command:echo {task_id} > {task_id}.txt'): string {
  return [
    'guard:',
    '  require_spec: false',
    'timeouts:',
    '  step_seconds: 40',
    '  command_seconds: 40',
    'agents:',
    '  manager: none',
    `  builder: ${JSON.stringify(builder)}`,
    '',
  ].join('\n');
}

function repoWith(builder?: string): string {
  return makeRepo(
    { 'codex.config.yaml': config(builder), 'codex.tasks.json': indexJson([{ id: 't', title: 'T' }]) },
    { git: true },
  );
}

type Event = WatchEvent;

const started: ChildProcess[] = [];
afterEach(() => {
  // a failed test must not leave a watcher behind
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `cxo watch --json` as a child process, its NDJSON events collected as they come. */
const startWatcher = (root: string, env: NodeJS.ProcessEnv = {}): WatchProcess =>
  startWatchProcess(root, { env, started });

/** Sets a task's request in the working copy and commits it, as a person would; returns when it was written. */
function request(root: string, taskId: string, value: string): number {
  const file = join(root, 'codex.tasks.json');
  const index = JSON.parse(readFileSync(file, 'utf8')) as { tasks: Task[] };
  index.tasks.find((t) => t.id === taskId)!.request = value;
  const written = Date.now();
  writeFileSync(file, `${JSON.stringify(index, null, 2)}\n`);
  // a status write-back may hold git's index lock for a moment
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync('git', ['commit', '-qam', `request ${value}`], { cwd: root, encoding: 'utf8' });
    if (r.status === 0 || attempt === 5) break;
    spawnSync('sleep', ['0.1']);
  }
  return written;
}

const lockFile = (root: string) => join(root, '.git/codex-orchestrator/watch.lock');
const ofType = (type: string) => (e: Event) => e.type === type;

describe('cxo watch (long-running)', () => {
  it('runs a request a person commits, keeps watching, and stops cleanly on SIGTERM', async () => {
    const root = repoWith();
    const w = startWatcher(root);
    await w.waitEvent(ofType('summary'), 10_000, 'the first pass');
    expect(w.events.find(ofType('watching'))).toMatchObject({
      paths: ['codex.tasks.json', 'codex.config.yaml', 'tasks/', 'specs/'],
      debounceMs: 100,
    });

    const latencies: number[] = [];
    for (const value of ['r1', 'r2', 'r3']) {
      const written = request(root, 't', value);
      const dispatch = await w.waitEvent(
        (e) => e.type === 'dispatch' && e.request === value,
        20_000,
        `the dispatch of ${value}`,
      );
      latencies.push(Date.parse(dispatch.at) - written);
      await w.waitEvent((e) => e.type === 'run-ended' && e.request === value, 20_000, `the run of ${value}`);
      await waitFor(
        () => committedTask(root, 't')?.status?.observedRequest === value,
        10_000,
        `the review status of ${value}`,
      );
      expect(committedTask(root, 't')?.status).toMatchObject({ phase: 'review', observedRequest: value });
    }
    console.log(`watch latency, file write to dispatch event (ms): ${latencies.join(', ')}`);
    expect(runsOf(root, 't')).toHaveLength(3);
    expect(existsSync(lockFile(root))).toBe(true);

    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.events.at(-1)).toMatchObject({ type: 'stopped' });
    expect(existsSync(lockFile(root))).toBe(false);
    expect(w.events.filter(ofType('dispatch'))).toHaveLength(3);
  }, 60_000);

  it('a run busy in git (its worktree checkout) does not hold up the watcher: another task is dispatched meanwhile', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': config(),
        'codex.tasks.json': indexJson([
          { id: 'a', title: 'A' },
          { id: 'b', title: 'B' },
        ]),
      },
      { git: true },
    );
    // the watcher's git (first on its PATH) takes seconds for `git worktree add` of task a's run only;
    // a repository's own hooks cannot slow it down, since the orchestrator's git calls run none
    const bin = mkdtempSync(join(tmpdir(), 'cxo-slow-git-'));
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\ncase " $* " in *" worktree add "*codex/a/*) sleep 5;; esac\nexec ${realGit} "$@"\n`,
      { mode: 0o755 },
    );
    const w = startWatcher(root, { PATH: `${bin}:${process.env.PATH}` });
    await w.waitEvent(ofType('summary'), 10_000, 'the first pass');
    request(root, 'a', 'r1');
    const a = await w.waitEvent(
      (e) => e.type === 'dispatch' && e.taskId === 'a',
      20_000,
      'the dispatch of a',
    );
    await sleep(300);
    request(root, 'b', 'r1');
    await w.waitEvent((e) => e.type === 'dispatch' && e.taskId === 'b', 20_000, 'the dispatch of b');
    const order = w.events
      .filter(
        (e) => (e.type === 'dispatch' && e.taskId === 'b') || (e.type === 'run-event' && e.runId === a.runId),
      )
      .map((e) => (e.type === 'dispatch' ? 'dispatch b' : `a: ${(e.event as { type: string }).type}`));
    // a's first step starts once its worktree exists, seconds later: b was dispatched before that
    expect(order.indexOf('dispatch b'), order.join(', ')).toBeLessThan(
      order.findIndex((o) => o === 'a: step') === -1 ? Infinity : order.findIndex((o) => o === 'a: step'),
    );
    await w.waitEvent((e) => e.type === 'run-ended' && e.taskId === 'a', 30_000, 'the run of a');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 60_000);

  it('two watchers on one repo: one runs, the other waits, then takes over', async () => {
    const root = repoWith();
    const first = startWatcher(root);
    await first.waitEvent(ofType('summary'), 10_000, 'the first watcher to pass');
    const second = startWatcher(root);
    const wait = await second.waitEvent(ofType('lock-wait'), 10_000, 'the second watcher to wait');
    expect(wait.holder).toMatchObject({ pid: first.child.pid });

    request(root, 't', 'r1');
    await first.waitEvent(ofType('run-ended'), 20_000, 'the run');
    await sleep(500);
    expect(runsOf(root, 't')).toHaveLength(1);
    expect(second.events.map((e) => e.type)).toEqual(['lock-wait']);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await second.waitEvent(ofType('summary'), 10_000, 'the second watcher to take over');
    expect(second.events.filter(ofType('dispatch'))).toEqual([]);

    request(root, 't', 'r2');
    await second.waitEvent((e) => e.type === 'run-ended' && e.request === 'r2', 20_000, 'the second run');
    expect(runsOf(root, 't')).toHaveLength(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(existsSync(lockFile(root))).toBe(false);
  }, 60_000);

  it('a watcher killed during a run: the next one resumes it once and never runs the request again', async () => {
    const root = repoWith(HANG_ONCE);
    // the run counts as stalled 1.5 s after its last heartbeat: usually after the next watcher's first pass
    const env = { CXO_STALL_MS: '1500' };
    const killed = startWatcher(root, env);
    await killed.waitEvent(ofType('summary'), 10_000, 'the first pass');
    request(root, 't', 'r1');
    const dispatch = await killed.waitEvent(ofType('dispatch'), 20_000, 'the dispatch');
    const runId = dispatch.runId as string;
    // killed only once the builder left its marker: killed earlier, the resumed builder would hang too
    await waitFor(
      () => {
        const worktree = manifestOf(root, 't', runId)?.run.worktree.replace(/^~(?=\/)/, homedir());
        return Boolean(worktree && existsSync(join(worktree, 'marker')));
      },
      20_000,
      'the builder',
    );
    killed.child.kill('SIGKILL');
    await killed.exited;

    const next = startWatcher(root, env);
    expect((await next.waitEvent(ofType('lock-taken-over'), 10_000, 'the take-over')).why).toContain(
      'is gone',
    );
    await next.waitEvent(ofType('resume'), 10_000, 'the resume');
    // a first pass that saw the run still running (heartbeat fresh) looked again once it could be stalled
    const passes = next.events.filter(ofType('pass'));
    console.log(`resume after kill -9: in pass ${passes.length} (${passes[0].running} running in the first)`);
    const ended = await next.waitEvent(ofType('run-ended'), 20_000, 'the resumed run');
    expect(ended).toMatchObject({ taskId: 't', runId, status: 'review' });
    await waitFor(() => committedTask(root, 't')?.status?.phase === 'review', 10_000, 'the review status');
    expect(committedTask(root, 't')?.status).toMatchObject({ observedRequest: 'r1' });
    expect(manifestOf(root, 't', runId)?.resumes).toHaveLength(1);
    expect(runsOf(root, 't')).toEqual([runId]);
    expect(ledgerEntries(root)).toHaveLength(1);
    expect(next.events.filter(ofType('dispatch'))).toEqual([]);

    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 60_000);

  it('SIGTERM during a run: the run gets the grace period, is cancelled, and the watcher exits 0', async () => {
    const root = repoWith('command:sleep 30');
    const w = startWatcher(root, { CXO_WATCH_GRACE_MS: '500' });
    await w.waitEvent(ofType('summary'), 10_000, 'the first pass');
    request(root, 't', 'r1');
    const dispatch = await w.waitEvent(ofType('dispatch'), 20_000, 'the dispatch');
    const runId = dispatch.runId as string;
    await waitFor(() => Boolean(manifestOf(root, 't', runId)?.run.children?.length), 20_000, 'the builder');

    const signalled = Date.now();
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const types = w.events.map((e) => e.type);
    expect(types).toContain('shutdown');
    expect(types).toContain('cancel-runs');
    expect(w.events.find(ofType('run-ended'))).toMatchObject({ runId, status: 'cancelled' });
    expect(manifestOf(root, 't', runId)?.result.status).toBe('cancelled');
    expect(committedTask(root, 't')?.status).toMatchObject({ phase: 'cancelled', observedRequest: 'r1' });
    expect(existsSync(lockFile(root))).toBe(false);
  }, 40_000);

  it('a second signal exits at once, leaving the run to be resumed', async () => {
    const root = repoWith('command:sleep 30');
    const w = startWatcher(root);
    await w.waitEvent(ofType('summary'), 10_000, 'the first pass');
    request(root, 't', 'r1');
    const runId = (await w.waitEvent(ofType('dispatch'), 20_000, 'the dispatch')).runId as string;
    await waitFor(() => Boolean(manifestOf(root, 't', runId)?.run.children?.length), 20_000, 'the builder');
    w.child.kill('SIGTERM');
    await w.waitEvent(ofType('shutdown'), 5_000, 'the shutdown');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(143);
    expect(existsSync(lockFile(root))).toBe(false);
    // the builder it left behind
    for (const pgid of manifestOf(root, 't', runId)?.run.children ?? []) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }, 40_000);
});

describe('pullOnce', () => {
  /** A bare remote, the server clone the watcher runs in, and a person's clone that pushes. */
  function clones() {
    const origin = makeRepo({});
    gitIn(origin, 'init', '-q', '--bare', '-b', 'main');
    const seed = makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' }, { git: true });
    gitIn(seed, 'push', '-q', origin, 'main');
    const clone = (dir: string) => {
      gitIn(dir, 'clone', '-q', origin, '.');
      gitIn(dir, 'config', 'user.name', 'Test Person');
      gitIn(dir, 'config', 'user.email', 'test@example.com');
      return dir;
    };
    return { server: clone(makeRepo({})), person: clone(makeRepo({})) };
  }

  function push(person: string, files: Record<string, string>) {
    writeFiles(person, files);
    gitIn(person, 'commit', '-qam', 'change');
    gitIn(person, 'push', '-q');
  }

  it('fast-forwards when behind, skips when the touched files are dirty or the branch diverged', async () => {
    const { server, person } = clones();
    expect(await pullOnce(server)).toEqual({ kind: 'up-to-date', branch: 'main' });

    push(person, { 'a.txt': 'a2\n' });
    writeFiles(server, { 'b.txt': 'local\n' }); // dirty, but not touched by the merge
    const pulled = await pullOnce(server);
    expect(pulled).toMatchObject({ kind: 'fast-forwarded', branch: 'main', files: ['a.txt'] });
    expect(readFileSync(join(server, 'a.txt'), 'utf8')).toBe('a2\n');

    push(person, { 'b.txt': 'b2\n' });
    expect(await pullOnce(server)).toEqual({ kind: 'skipped', reason: 'uncommitted changes to b.txt' });
    expect(readFileSync(join(server, 'b.txt'), 'utf8')).toBe('local\n');

    gitIn(server, 'checkout', '-q', '--', 'b.txt');
    writeFiles(server, { 'c.txt': 'c\n' });
    gitIn(server, 'add', 'c.txt');
    gitIn(server, 'commit', '-qm', 'local commit');
    expect(await pullOnce(server)).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('diverged'),
    });
  }, 30_000);
});
