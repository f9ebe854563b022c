import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/repo/config.js';
import type { TaskStatus } from '../../src/repo/task-types.js';
import { statusPathOf, STATE_MARKER } from '../../src/state/state-layout.js';
import { StateRef, type StateWrite } from '../../src/state/state-ref.js';
import { readStatuses, statusWrite, writeStatus } from '../../src/state/state-statuses.js';
import { gitIn, makeRepo } from '../helpers/temp-repo.js';

const REF = 'refs/heads/cxo/state';

function bareRemoteWithClones(n: number): { remote: string; clones: string[] } {
  const seed = makeRepo({ 'README.md': 'x\n' }, { git: true });
  const remote = mkdtempSync(join(tmpdir(), 'cxo-remote-'));
  gitIn(remote, 'init', '-q', '--bare', '-b', 'main');
  gitIn(seed, 'push', '-q', remote, 'main');
  const clones = Array.from({ length: n }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxo-clone-'));
    gitIn(dir, 'clone', '-q', remote, '.');
    return dir;
  });
  return { remote, clones };
}

const status = (phase: TaskStatus['phase'], n = 0): TaskStatus => ({
  phase,
  observedRequest: `r${n}`,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('state ref', () => {
  it('writes by compare-and-swap without touching the checked-out branch or the working tree', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }, { git: true });
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const state = StateRef.open(repo, defaultConfig());
    expect(state.shared).toBe(false);
    await writeStatus(state, 't1', status('running'));
    await writeStatus(state, 't2', status('review'));
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    const files = gitIn(repo, 'ls-tree', '-r', '--name-only', REF).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([STATE_MARKER, statusPathOf('t1'), statusPathOf('t2')]));
    const read = readStatuses(state.snapshot());
    expect(read.byTask.get('t1')?.phase).toBe('running');
    expect(read.byTask.get('t2')?.phase).toBe('review');
    // removal drops the file and the shard folder it leaves empty
    await state.update('drop t1', () => [{ path: statusPathOf('t1'), content: null }]);
    expect(gitIn(repo, 'ls-tree', '-r', '--name-only', REF)).not.toContain('t1.json');
    expect(readStatuses(state.snapshot()).byTask.has('t1')).toBe(false);
  });

  it('concurrent local writers each land: 40 updates from two processes-worth of promises', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }, { git: true });
    const a = StateRef.open(repo, defaultConfig());
    const b = StateRef.open(repo, defaultConfig());
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => writeStatus(i % 2 ? a : b, `task-${i}`, status('done', i))),
    );
    const read = readStatuses(a.snapshot());
    expect(read.byTask.size).toBe(40);
    expect(Number(gitIn(repo, 'rev-list', '--count', REF).trim())).toBe(40);
  });

  it('shares through a bare remote: writers in three clones never overwrite each other', async () => {
    const { remote, clones } = bareRemoteWithClones(3);
    const states = clones.map((c) => StateRef.open(c, defaultConfig()));
    expect(states.every((s) => s.shared)).toBe(true);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => writeStatus(states[i % 3], `task-${i}`, status('done', i))),
    );
    const onRemote = gitIn(remote, 'ls-tree', '-r', '--name-only', REF);
    for (let i = 0; i < 30; i++) expect(onRemote).toContain(`task-${i}.json`);
    // every clone sees the whole state after a refresh; the local ref only holds what the remote has
    for (const state of states) {
      const snap = await state.refresh();
      expect(readStatuses(snap).byTask.size).toBe(30);
      expect(snap.commit).toBe(gitIn(remote, 'rev-parse', REF).trim());
    }
    // main was never written
    expect(gitIn(remote, 'rev-list', '--count', 'main').trim()).toBe('1');
  });

  it('a compute that decides from the state sees the winner of a race (claim semantics)', async () => {
    const { clones } = bareRemoteWithClones(4);
    const states = clones.map((c) => StateRef.open(c, defaultConfig()));
    const won: number[] = [];
    await Promise.all(
      states.map((state, i) =>
        state.update(`claim by ${i}`, (snap) => {
          if (snap.read('claims/x.json')) return [];
          won.push(i);
          return [{ path: 'claims/x.json', content: JSON.stringify({ holder: i }) }];
        }),
      ),
    );
    const holder = JSON.parse((await states[0].refresh()).read('claims/x.json')!.toString()).holder;
    // computes may run more than once, but only one write landed, and it is the holder's
    expect(won).toContain(holder);
    const landed = gitIn(clones[0], 'log', '--format=%s', REF)
      .split('\n')
      .filter((s) => s.includes('claim by'));
    expect(landed).toHaveLength(1);
  });

  it('state written before sharing is merged onto the remote, not lost', async () => {
    const { clones } = bareRemoteWithClones(2);
    const unshared = { ...defaultConfig(), gitops: { ...defaultConfig().gitops, share_state: false } };
    await writeStatus(StateRef.open(clones[0], unshared), 'early', status('review'));
    await writeStatus(StateRef.open(clones[1], defaultConfig()), 'other', status('done'));
    await writeStatus(StateRef.open(clones[0], defaultConfig()), 'late', status('running'));
    const read = readStatuses(await StateRef.open(clones[1], defaultConfig()).refresh());
    expect([...read.byTask.keys()].sort()).toEqual(['early', 'late', 'other']);
  });

  it('bad entries on the state ref are reported and ignored, never trusted', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }, { git: true });
    const state = StateRef.open(repo, defaultConfig());
    await state.update('hostile', () => [
      statusWrite('good', status('done')),
      { path: statusPathOf('bad'), content: '{"phase":"hacked"}' },
      { path: statusPathOf('broken'), content: '{' },
    ]);
    const read = readStatuses(state.snapshot());
    expect([...read.byTask.keys()]).toEqual(['good']);
    expect(read.problems).toHaveLength(2);
    expect(read.problems.join('\n')).toMatch(
      /bad\.json: not a status block[\s\S]*broken\.json: not JSON|broken\.json: not JSON[\s\S]*bad\.json/,
    );
  });

  it('a read after writes reads only the entries that changed and agrees with a read from scratch', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' }, { git: true });
    const state = StateRef.open(repo, defaultConfig());
    await state.update('seed', () =>
      Array.from({ length: 30 }, (_, i) => statusWrite(`t${i}`, status('done', i))),
    );
    const cache = join(repo, '.git/codex-orchestrator/state-statuses.json');
    const fromScratch = () => {
      rmSync(cache, { force: true });
      return readStatuses(state.snapshot());
    };
    expect(readStatuses(state.snapshot()).byTask.size).toBe(30);
    // a change, a removal, a bad entry and a new task, each read on top of the previous cache
    const steps: StateWrite[][] = [
      [statusWrite('t3', status('review', 3))],
      [{ path: statusPathOf('t4'), content: null }],
      [{ path: statusPathOf('t5'), content: '{"phase":"hacked"}' }],
      [statusWrite('t30', status('running', 30))],
      [statusWrite('t5', status('failed', 5))],
    ];
    for (const writes of steps) {
      await state.update('step', () => writes);
      const tree = gitIn(repo, 'rev-parse', `${REF}:status`).trim();
      const incremental = readStatuses(state.snapshot());
      expect(JSON.parse(readFileSync(cache, 'utf8')).tree).toBe(tree);
      const full = fromScratch();
      expect(Object.fromEntries(incremental.byTask)).toEqual(Object.fromEntries(full.byTask));
      expect(incremental.problems).toEqual(full.problems);
    }
    const read = readStatuses(state.snapshot());
    expect(read.byTask.get('t3')?.phase).toBe('review');
    expect(read.byTask.has('t4')).toBe(false);
    expect(read.byTask.get('t5')?.phase).toBe('failed');
    expect(read.byTask.get('t30')?.phase).toBe('running');
    expect(read.problems).toEqual([]);
    // only changed entries are read: a cached status of an unchanged task is kept as cached
    const doctored = JSON.parse(readFileSync(cache, 'utf8'));
    doctored.statuses.find(([task]: [string]) => task === 't0')[1].phase = 'cancelled';
    writeFileSync(cache, JSON.stringify(doctored));
    await writeStatus(state, 't1', status('review', 1));
    expect(readStatuses(state.snapshot()).byTask.get('t0')?.phase).toBe('cancelled');
    expect(fromScratch().byTask.get('t0')?.phase).toBe('done');
    // an entry off its shard makes the next read a full one, which reports it as before
    await state.update('misplaced', () => [{ path: 'status/zz/t9.json', content: '{"phase":"done"}' }]);
    expect(readStatuses(state.snapshot()).problems).toEqual(fromScratch().problems);
  });

  it('a push the remote refuses is an error naming the remote, and nothing moves locally', async () => {
    const { remote, clones } = bareRemoteWithClones(1);
    gitIn(remote, 'config', 'receive.denyCreate', 'true');
    const { chmodSync } = await import('node:fs');
    writeFileSync(join(remote, 'hooks/pre-receive'), '#!/bin/sh\necho "refs are frozen" >&2\nexit 1\n');
    chmodSync(join(remote, 'hooks/pre-receive'), 0o755);
    const state = StateRef.open(clones[0], defaultConfig());
    await expect(writeStatus(state, 't', status('done'))).rejects.toThrow(
      /cannot push the state ref .* to origin/,
    );
    expect(state.localTip()).toBeUndefined();
  });
});
