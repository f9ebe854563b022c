/**
 * `gitops.state: ref` end to end, with the built CLI and real bare remotes: runs, reviews and
 * sign-offs write statuses and evidence to the state ref only, every reader shows them (in the
 * clone that ran them and in another clone after a fetch), and the branch people work on gets no
 * orchestrator commit — on a remote whose `pre-receive` hook refuses every push to `main`.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/repo/config.js';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses } from '../../src/state/state-statuses.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { cxo, gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const BUILD = 'builder=command:printf "hello\\n" > greeting.txt';
const refConfig = (extra = '') =>
  `guard:\n  require_spec: false\ngitops:\n  state: ref\n  push: true\n${extra}`;
const tasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `t${String(i + 1).padStart(2, '0')}`,
    title: `Greeting ${i + 1}`,
    acceptance: ['grep -q hello greeting.txt'],
  }));

/** The hook of the remote: logs every ref update and refuses any to `main`. */
const PRE_RECEIVE = [
  '#!/bin/sh',
  'while read old new ref; do',
  '  echo "$ref" >> "$PUSH_LOG"',
  '  if [ "$ref" = refs/heads/main ]; then echo "main is protected" >&2; exit 1; fi',
  'done',
  '',
].join('\n');

/** A bare remote seeded with `files`, a protected `main`, and a clone of it with a git identity. */
function protectedRemote(files: Record<string, string>) {
  const { seed, base, bare, clone } = sharedRemote(files, 'cxo-state-remote-');
  const log = join(base, 'pushes.log');
  writeFileSync(log, '');
  writeFileSync(join(bare, 'hooks', 'pre-receive'), PRE_RECEIVE.replace('$PUSH_LOG', log));
  chmodSync(join(bare, 'hooks', 'pre-receive'), 0o755);
  return { bare, log, clone, seedTip: gitIn(seed, 'rev-parse', 'HEAD').trim() };
}

const statusesOn = (dir: string) => {
  const config = defaultConfig();
  config.gitops.state = 'ref';
  return readStatuses(StateRef.open(dir, config).snapshot()).byTask;
};

describe('gitops.state: ref', () => {
  it('20 runs, reviews and sign-offs succeed against a remote that refuses pushes to main; main gets no orchestrator commit', () => {
    const remote = protectedRemote({
      'codex.config.yaml': refConfig(),
      'codex.tasks.json': indexJson(tasks(20)),
      '.gitignore': '.runs/\n',
    });
    const dir = remote.clone('work');
    const indexBefore = read(dir, 'codex.tasks.json');
    // the hook is live: a person's push to main is refused
    writeFileSync(join(dir, 'note.txt'), 'x\n');
    gitIn(dir, 'add', 'note.txt');
    gitIn(dir, 'commit', '-q', '-m', 'a person commits');
    expect(() => gitIn(dir, 'push', '-q', 'origin', 'main')).toThrow(/main is protected/);
    gitIn(dir, 'reset', '-q', '--hard', 'origin/main');
    const localMain = gitIn(dir, 'rev-parse', 'HEAD').trim();

    for (const { id } of tasks(20)) {
      const run = cxo(dir, ['run', id, '--role', 'manager=none', '--role', BUILD, '--json']);
      expect(run.code, `${id}: ${run.stderr}`).toBe(0);
      const review = cxo(dir, ['review', id, '--approve', '--by', 'bob']);
      expect(review.code, `${id}: ${review.stderr}`).toBe(0);
      expect(review.stdout).toContain(`task ${id} is done`);
    }

    // nothing of the orchestrator's on main, locally or on the remote; the person's files untouched
    expect(gitIn(remote.bare, 'rev-parse', 'main').trim()).toBe(remote.seedTip);
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(localMain);
    expect(read(dir, 'codex.tasks.json')).toBe(indexBefore);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    const pushed = readFileSync(remote.log, 'utf8').trim().split('\n');
    expect(pushed.filter((ref) => ref === 'refs/heads/main')).toEqual(['refs/heads/main']); // the person's
    expect(pushed.filter((ref) => ref === 'refs/heads/cxo/state').length).toBeGreaterThanOrEqual(40);

    // the state ref has every status and run; readers show them
    const statuses = statusesOn(dir);
    expect([...statuses.values()].map((s) => s.phase)).toEqual(Array(20).fill('done'));
    const listed = JSON.parse(cxo(dir, ['tasks', 'list', '--json']).stdout) as {
      tasks: { id: string; phase: string }[];
    };
    expect(listed.tasks.map((t) => t.phase)).toEqual(Array(20).fill('done'));
    const guard = cxo(dir, ['guard']);
    expect(guard.code, guard.stdout + guard.stderr).toBe(0);

    // another clone sees the same, from the state ref it fetched: statuses, and manifests for the guard
    const other = remote.clone('other');
    const elsewhere = JSON.parse(cxo(other, ['tasks', 'show', 't07', '--json']).stdout) as {
      task: { status: { phase: string; lastRun: { id: string; manifest: string } } };
    };
    expect(elsewhere.task.status).toMatchObject({ phase: 'done', lastRun: statuses.get('t07')!.lastRun });
    const otherGuard = cxo(other, ['guard']);
    expect(otherGuard.code, otherGuard.stdout + otherGuard.stderr).toBe(0);
    expect(cxo(other, ['tasks', 'next', '--json']).stdout).not.toContain('"t07"');
  }, 300_000);

  it('state_sync: done lands exactly one commit per sign-off on the branch, keeping the person’s edits', () => {
    const dir = makeRepo(
      {
        'codex.config.yaml': refConfig('  state_sync: done\n').replace('  push: true\n', ''),
        'codex.tasks.json': indexJson(tasks(2)),
        '.gitignore': '.runs/\n',
      },
      { git: true },
    );
    const start = gitIn(dir, 'rev-parse', 'HEAD').trim();
    const run = cxo(dir, ['run', 't01', '--role', 'manager=none', '--role', BUILD, '--json']);
    expect(run.code, run.stderr).toBe(0);
    // the run (running, review) wrote to the state ref only
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(start);
    expect(statusesOn(dir).get('t01')?.phase).toBe('review');

    // a person edits another task meanwhile, without committing
    const edited = read(dir, 'codex.tasks.json').replace('"Greeting 2"', '"Greeting two"');
    writeFileSync(join(dir, 'codex.tasks.json'), edited);
    const review = cxo(dir, ['review', 't01', '--approve', '--by', 'bob']);
    expect(review.code, review.stderr).toBe(0);
    expect(review.stdout).toContain('synced the status to the branch');

    expect(gitIn(dir, 'rev-list', '--count', `${start}..HEAD`).trim()).toBe('1');
    const atHead = JSON.parse(gitIn(dir, 'show', 'HEAD:codex.tasks.json')) as {
      tasks: { id: string; title: string; status?: { phase: string } }[];
    };
    expect(atHead.tasks[0].status?.phase).toBe('done');
    expect(atHead.tasks[1]).toMatchObject({ title: 'Greeting 2' });
    expect(atHead.tasks[1].status).toBeUndefined();
    const working = JSON.parse(read(dir, 'codex.tasks.json')) as typeof atHead;
    expect(working.tasks[1].title).toBe('Greeting two');
    expect(working.tasks[0].status?.phase).toBe('done');
    expect(statusesOn(dir).get('t01')?.phase).toBe('done');
    // nothing of the run's evidence was committed on the branch
    expect(gitIn(dir, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('.runs/');
  }, 120_000);
});
