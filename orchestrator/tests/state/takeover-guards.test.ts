/**
 * What keeps watchers in several clones from undoing each other on the state ref, each checked
 * inside the compare-and-swap it guards: a takeover of a run that ended, a run's status after its
 * claim was taken over, and a `blocked` status over one another clone wrote meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/repo/repo-files.js';
import type { TaskStatus } from '../../src/repo/task-types.js';
import { StateClaims } from '../../src/state/state-claims.js';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses, writeStatus } from '../../src/state/state-statuses.js';
import { writeTaskStatus } from '../../src/state/write-task-status.js';
import { indexJson, makeRepo } from '../helpers/temp-repo.js';

const LEASE_MS = 5_000;

async function repo() {
  const root = makeRepo(
    {
      'codex.config.yaml': 'gitops:\n  state: ref\n',
      'codex.tasks.json': indexJson([{ id: 't1', title: 'T', request: 'r1' }]),
    },
    { git: true },
  );
  const { config } = await loadConfig(root);
  const state = StateRef.open(root, config);
  const claims = () => new StateClaims(state, state.snapshot(), LEASE_MS);
  return { root, config, state, claims };
}

const ended = (runId: string): TaskStatus => ({
  phase: 'review',
  observedRequest: 'r1',
  lastRun: { id: runId, manifest: `.runs/t1/${runId}/manifest.json`, result: 'review' },
});

describe('guards inside the state ref compare-and-swap', () => {
  it('an expired claim whose run has ended (its status written) is not taken over; one still running is', async () => {
    const { state, claims } = await repo();
    const t0 = new Date('2026-12-03T10:00:00Z');
    const later = new Date(t0.getTime() + 2 * LEASE_MS);
    expect(await claims().claim('t1', 'r1', 'run-a', t0)).toBe(true);
    await writeStatus(state, 't1', { ...ended('run-a'), phase: 'running' });
    // the pass that decides to take over read the state before run-a wrote its result
    const decidedOn = claims();
    await writeStatus(state, 't1', ended('run-a'));
    expect(await decidedOn.takeOver('t1', 'r1', 1, 'run-a', 'run-b', later)).toBe(false);
    expect(claims().find('t1', 'r1', 1)).toMatchObject({ runId: 'run-a' });

    await writeStatus(state, 't1', { ...ended('run-a'), phase: 'running' });
    expect(await claims().takeOver('t1', 'r1', 1, 'run-a', 'run-b', later)).toBe(true);
    expect(claims().find('t1', 'r1', 1)).toMatchObject({ runId: 'run-b', takes: 'run-a' });
  });

  it("a run's own status is not written once its claim was taken over", async () => {
    const { root, config, state, claims } = await repo();
    const t0 = new Date(Date.now() - 2 * LEASE_MS);
    expect(await claims().claim('t1', 'r1', 'run-a', t0)).toBe(true);
    expect(await claims().takeOver('t1', 'r1', 1, 'run-a', 'run-b', new Date())).toBe(true);
    await writeStatus(state, 't1', { phase: 'running', observedRequest: 'r1' });
    const late = await writeTaskStatus({
      root,
      config,
      taskId: 't1',
      status: ended('run-a'),
      runId: 'run-a',
      unlessTakenOver: true,
    });
    expect(late.takenOver).toBe(true);
    expect(readStatuses(state.snapshot()).byTask.get('t1')?.phase).toBe('running');
    // the run that took it over writes as usual
    const mine = await writeTaskStatus({
      root,
      config,
      taskId: 't1',
      status: ended('run-b'),
      runId: 'run-b',
      unlessTakenOver: true,
    });
    expect(mine.takenOver).toBeUndefined();
    expect(readStatuses(state.snapshot()).byTask.get('t1')?.lastRun?.id).toBe('run-b');
  });

  it('a status decided from an older state is not written when the task status moved since; it is when only others moved', async () => {
    const { root, config, state } = await repo();
    await writeStatus(state, 't1', { phase: 'pending' });
    const readAt = state.snapshot().commit!;
    const blocked: TaskStatus = { phase: 'blocked', reason: 'StaleSpec', message: 'StaleSpec: old' };
    // another task's write does not count
    await writeStatus(state, 'other', { phase: 'running' });
    const first = await writeTaskStatus({
      root,
      config,
      taskId: 't1',
      status: blocked,
      runId: 'r',
      unlessMovedSince: readAt,
    });
    expect(first.moved).toBeUndefined();
    expect(readStatuses(state.snapshot()).byTask.get('t1')?.phase).toBe('blocked');

    const readAgain = state.snapshot().commit!;
    await writeStatus(state, 't1', { phase: 'running', observedRequest: 'r1' });
    const second = await writeTaskStatus({
      root,
      config,
      taskId: 't1',
      status: { ...blocked, message: 'StaleSpec: newer' },
      runId: 'r',
      unlessMovedSince: readAgain,
    });
    expect(second.moved).toBe(true);
    expect(readStatuses(state.snapshot()).byTask.get('t1')?.phase).toBe('running');
  });
});
