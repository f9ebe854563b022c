import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, cxo, gitIn, indexJson, makeRepo, read, writeFiles } from '../helpers/temp-repo.js';

const task = (id: string, fields: Record<string, unknown> = {}) => ({ id, title: `Task ${id}`, ...fields });

/** A repository with the merge driver registered (running the built CLI) and `tasks` committed on main. */
function repoWith(tasks: unknown[]): string {
  const dir = makeRepo(
    { 'codex.tasks.json': indexJson(tasks), '.gitattributes': 'codex.tasks.json merge=codex-tasks\n' },
    { git: true },
  );
  gitIn(dir, 'config', 'merge.codex-tasks.name', 'codex-orchestrator task index');
  gitIn(dir, 'config', 'merge.codex-tasks.driver', `"${process.execPath}" "${CLI}" merge-driver %O %A %B`);
  return dir;
}

/** Commits `edit` of the index on branch `name` (from main) and returns to main. */
function branch(dir: string, name: string, edit: (index: { tasks: Record<string, unknown>[] }) => void) {
  gitIn(dir, 'checkout', '-q', '-b', name, 'main');
  const index = JSON.parse(read(dir, 'codex.tasks.json'));
  edit(index);
  writeFiles(dir, { 'codex.tasks.json': `${JSON.stringify(index, null, 2)}\n` });
  gitIn(dir, 'commit', '-q', '-am', name);
  gitIn(dir, 'checkout', '-q', 'main');
}

/** Merges `ours` then `theirs` into main; returns the exit status of the second merge. */
function mergeBoth(dir: string, ours: string, theirs: string): { status: number; output: string } {
  gitIn(dir, 'merge', '-q', '--no-edit', ours);
  const r = spawnSync('git', ['merge', '--no-edit', theirs], { cwd: dir, encoding: 'utf8' });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

const MARKERS = /^<<<<<<< ours$[\s\S]*^=======$[\s\S]*^>>>>>>> theirs$/m;

describe('cxo merge-driver under a real git merge', () => {
  it('keeps tasks added on both branches: clean merge, no markers, the index validates', () => {
    const dir = repoWith([task('a')]);
    branch(dir, 'one', (ix) => ix.tasks.push(task('b')));
    branch(dir, 'two', (ix) => ix.tasks.push(task('c')));
    const r = mergeBoth(dir, 'one', 'two');
    expect(r.status).toBe(0);
    const text = read(dir, 'codex.tasks.json');
    expect(text).not.toMatch(/<<<<<<<|>>>>>>>/);
    expect(JSON.parse(text).tasks.map((t: { id: string }) => t.id)).toEqual(['a', 'b', 'c']);
    const v = cxo(dir, ['validate']);
    expect(v.stdout + v.stderr).toMatch(/valid: 3 tasks/);
    expect(v.code).toBe(0);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it('keeps a title edit and a priority edit of the same task', () => {
    const dir = repoWith([task('a', { priority: 'low' }), task('b')]);
    branch(dir, 'one', (ix) => (ix.tasks[0].title = 'Renamed'));
    branch(dir, 'two', (ix) => (ix.tasks[0].priority = 'high'));
    const r = mergeBoth(dir, 'one', 'two');
    expect(r.status).toBe(0);
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    expect(index.tasks[0]).toEqual({ id: 'a', title: 'Renamed', priority: 'high' });
    expect(index.tasks[1]).toEqual(task('b'));
  });

  it('stops with standard conflict markers when both change the same field differently', () => {
    const dir = repoWith([task('a'), task('b')]);
    branch(dir, 'one', (ix) => (ix.tasks[0].title = 'Ours'));
    branch(dir, 'two', (ix) => (ix.tasks[0].title = 'Theirs'));
    const r = mergeBoth(dir, 'one', 'two');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/CONFLICT/);
    const text = read(dir, 'codex.tasks.json');
    expect(text).toMatch(MARKERS);
    expect(text).toContain(
      '<<<<<<< ours\n      "title": "Ours"\n=======\n      "title": "Theirs"\n>>>>>>> theirs\n',
    );
    expect(gitIn(dir, 'status', '--porcelain')).toMatch(/^UU codex\.tasks\.json$/m);
  });

  it('keeps the status block of the newer run', () => {
    const status = (updatedAt: string, run: string) => ({
      phase: 'review',
      lastRun: { id: run },
      updatedAt,
    });
    const dir = repoWith([
      task('a', { status: { phase: 'pending' } }),
      task('b', { status: { phase: 'pending' } }),
    ]);
    branch(dir, 'one', (ix) => {
      ix.tasks[0].status = status('2026-11-21T10:00:00Z', 'run-1');
      ix.tasks[1].status = status('2026-11-21T12:00:00Z', 'run-3');
    });
    branch(dir, 'two', (ix) => {
      ix.tasks[0].status = { ...status('2026-11-21T11:00:00Z', 'run-2'), phase: 'failed' };
      ix.tasks[1].status = { ...status('2026-11-21T09:00:00Z', 'run-4'), phase: 'failed' };
    });
    const r = mergeBoth(dir, 'one', 'two');
    expect(r.status).toBe(0);
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    expect(index.tasks[0].status).toEqual({ ...status('2026-11-21T11:00:00Z', 'run-2'), phase: 'failed' });
    expect(index.tasks[1].status).toEqual(status('2026-11-21T12:00:00Z', 'run-3'));
  });

  it('conflicts when one branch deletes a task the other edits', () => {
    const dir = repoWith([task('a'), task('b'), task('c')]);
    branch(dir, 'one', (ix) => ix.tasks.splice(1, 1));
    branch(dir, 'two', (ix) => (ix.tasks[1].owner = 'ada'));
    const r = mergeBoth(dir, 'one', 'two');
    expect(r.status).not.toBe(0);
    const text = read(dir, 'codex.tasks.json');
    expect(text).toMatch(MARKERS);
    expect(text).toMatch(/=======\n[\s\S]*"owner": "ada"[\s\S]*>>>>>>> theirs/);
    expect(gitIn(dir, 'status', '--porcelain')).toMatch(/^UU codex\.tasks\.json$/m);
  });

  it('deletes a task one branch deleted and the other left alone', () => {
    const dir = repoWith([task('a'), task('b'), task('c')]);
    branch(dir, 'one', (ix) => ix.tasks.splice(1, 1));
    branch(dir, 'two', (ix) => (ix.tasks[2].owner = 'ada'));
    expect(mergeBoth(dir, 'one', 'two').status).toBe(0);
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    expect(index.tasks).toEqual([task('a'), task('c', { owner: 'ada' })]);
  });
});
