import { describe, expect, it } from 'vitest';
import { parseUtcDay } from '../../src/guard/utc-date.js';
import { desiredState, type Situation } from '../../src/reconcile/desired-state.js';
import { planBatches } from '../../src/reconcile/plan.js';
import { defaultConfig } from '../../src/repo/config.js';
import { parseSpec, type SpecDoc } from '../../src/repo/markdown-docs.js';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import type { RunEntry } from '../../src/runs/run-index.js';
import { specText } from '../helpers/temp-repo.js';

const TODAY = parseUtcDay('2026-11-10')!;

// cycles and dangling dependencies are index errors, but the index still parses: the plan must cope
const load = (tasks: unknown[]) =>
  parseTaskIndex(decodeSource('codex.tasks.json', Buffer.from(JSON.stringify({ version: 1, tasks }))).source!)
    .index!;

function spec(file: string, fields: Record<string, unknown>): SpecDoc {
  const base = {
    id: file.replace(/^specs\/\d+-|\.md$/g, ''),
    title: 'S',
    owners: ['ada'],
    risk: 'low',
    status: 'approved',
    last_review: '2026-11-01',
  };
  return parseSpec(decodeSource(file, Buffer.from(specText({ ...base, ...fields }))).source!).spec!;
}

const SPECS: Record<string, SpecDoc> = {
  'specs/0001-fresh.md': spec('specs/0001-fresh.md', {}),
  'specs/0002-stale.md': spec('specs/0002-stale.md', { last_review: '2026-01-01' }),
  'specs/0003-draft.md': spec('specs/0003-draft.md', { status: 'draft' }),
};

function situations(
  tasks: unknown[],
  runs: RunEntry[] = [],
  claimed: Record<string, string> = {},
): { index: ReturnType<typeof load>; s: Map<string, Situation> } {
  const index = load(tasks);
  const config = defaultConfig();
  config.guard.require_spec = false;
  const s = desiredState({
    index,
    specOf: (path) => SPECS[path],
    config,
    today: TODAY,
    runs,
    claimedRun: (task, request) => claimed[`${task}@${request}`],
  });
  return { index, s };
}

function runOf(
  taskId: string,
  request: string,
  extra: { stalled?: boolean; resumes?: number } = {},
): RunEntry {
  const manifest = {
    run: { id: `run-${taskId}` },
    task: { id: taskId, title: taskId },
    trigger: { request },
    result: { status: 'running', reason: null, error: null },
    resumes: Array.from({ length: extra.resumes ?? 0 }, () => ({ at: '', fromStep: 'builder', pid: 1 })),
  } as unknown as RunManifest;
  return { dir: `.runs/${taskId}/run-${taskId}`, manifest, stalled: extra.stalled ?? false };
}

const kinds = (s: Map<string, Situation>) => Object.fromEntries([...s].map(([id, v]) => [id, v.kind]));

describe('desired state', () => {
  it('is due when the request differs from the observed one and no run handles it', () => {
    const { s } = situations(
      [
        { id: 'none', title: 't' },
        { id: 'new', title: 't', request: 'r1' },
        { id: 'seen', title: 't', request: 'r1', status: { phase: 'review', observedRequest: 'r1' } },
        { id: 'again', title: 't', request: 'r2', status: { phase: 'done', observedRequest: 'r1' } },
        { id: 'stale', title: 't', request: 'r1', spec: 'specs/0002-stale.md' },
        { id: 'draft', title: 't', request: 'r1', spec: 'specs/0003-draft.md' },
        { id: 'fresh', title: 't', request: 'r1', spec: 'specs/0001-fresh.md' },
        { id: 'claimed', title: 't', request: 'r1' },
      ],
      [],
      { 'claimed@r1': 'run-x' },
    );
    expect(kinds(s)).toEqual({
      none: 'idle',
      new: 'due',
      seen: 'idle',
      again: 'due',
      stale: 'blocked',
      draft: 'blocked',
      fresh: 'due',
      claimed: 'claimed',
    });
    const stale = s.get('stale') as Extract<Situation, { kind: 'blocked' }>;
    expect(stale.reasons.map((r) => r.reason)).toEqual(['StaleSpec']);
    const draft = s.get('draft') as Extract<Situation, { kind: 'blocked' }>;
    expect(draft.reasons).toEqual([
      { reason: 'Unapproved', message: expect.stringMatching(/is draft, not approved/) },
    ]);
  });

  it('in flight: a request changed during a run leaves the run alone and waits for it to end', () => {
    const { s } = situations(
      [
        { id: 'a', title: 't', request: 'r2', status: { phase: 'running', observedRequest: 'r1' } },
        { id: 'b', title: 't', request: 'r1', status: { phase: 'running', observedRequest: 'r1' } },
      ],
      [runOf('a', 'r1'), runOf('b', 'r1')],
    );
    expect(s.get('a')).toMatchObject({ kind: 'running', pendingRequest: 'r2' });
    expect(s.get('b')).toMatchObject({ kind: 'running' });
    expect(s.get('b')).not.toHaveProperty('pendingRequest');
  });

  it('a stalled run is resumable once, then not', () => {
    const { s } = situations(
      [
        { id: 'a', title: 't', request: 'r1', status: { phase: 'running', observedRequest: 'r1' } },
        { id: 'b', title: 't', request: 'r1', status: { phase: 'running', observedRequest: 'r1' } },
      ],
      [runOf('a', 'r1', { stalled: true }), runOf('b', 'r1', { stalled: true, resumes: 1 })],
    );
    expect(s.get('a')).toMatchObject({ kind: 'stalled', resumable: true });
    expect(s.get('b')).toMatchObject({ kind: 'stalled', resumable: false });
  });
});

describe('plan', () => {
  it('batches by dependency and cuts batches into chunks of at most the concurrency', () => {
    const { index, s } = situations([
      { id: 'base', title: 't', status: { phase: 'done' } },
      { id: 'a', title: 't', request: 'r', dependsOn: ['base'] },
      { id: 'b', title: 't', request: 'r', priority: 'critical' },
      { id: 'c', title: 't', request: 'r' },
      { id: 'd', title: 't', request: 'r', dependsOn: ['a', 'b'] },
      { id: 'e', title: 't', request: 'r', dependsOn: ['d', 'base'] },
    ]);
    const plan = planBatches(index, s, 2);
    expect(plan.batches.map((b) => b.chunks)).toEqual([[['b', 'a'], ['c']], [['d']], [['e']]]);
    expect(plan.batches[1].tasks).toEqual([{ id: 'd', request: 'r', after: ['a', 'b'] }]);
    expect(plan.blocked).toEqual([]);
    expect(planBatches(index, s, 10).batches[0].chunks).toEqual([['b', 'a', 'c']]);
  });

  it('blocks with the spec reasons and with DependencyNotReady / DependencyFailed', () => {
    const { index, s } = situations([
      { id: 'failed', title: 't', status: { phase: 'failed', observedRequest: 'r' }, request: 'r' },
      { id: 'cancelled', title: 't', status: { phase: 'cancelled' } },
      { id: 'pending', title: 't' },
      { id: 'review', title: 't', request: 'r', status: { phase: 'review', observedRequest: 'r' } },
      { id: 'stale', title: 't', request: 'r', spec: 'specs/0002-stale.md' },
      { id: 'on-failed', title: 't', request: 'r', dependsOn: ['failed'] },
      { id: 'on-cancelled', title: 't', request: 'r', dependsOn: ['cancelled'] },
      { id: 'on-missing', title: 't', request: 'r', dependsOn: ['ghost'] },
      { id: 'on-pending', title: 't', request: 'r', dependsOn: ['pending'] },
      { id: 'on-review', title: 't', request: 'r', dependsOn: ['review'] },
      { id: 'on-stale', title: 't', request: 'r', dependsOn: ['stale'] },
      { id: 'on-on-failed', title: 't', request: 'r', dependsOn: ['on-failed'] },
      { id: 'on-on-pending', title: 't', request: 'r', dependsOn: ['on-pending'] },
    ]);
    const plan = planBatches(index, s, 2);
    expect(plan.batches).toEqual([]);
    const reasons = Object.fromEntries(plan.blocked.map((b) => [b.id, b.reasons.map((r) => r.reason)]));
    expect(reasons).toEqual({
      stale: ['StaleSpec'],
      'on-failed': ['DependencyFailed'],
      'on-cancelled': ['DependencyFailed'],
      'on-missing': ['DependencyFailed'],
      'on-pending': ['DependencyNotReady'],
      'on-review': ['DependencyNotReady'],
      'on-stale': ['DependencyNotReady'],
      'on-on-failed': ['DependencyFailed'],
      'on-on-pending': ['DependencyNotReady'],
    });
    const message = (id: string) => plan.blocked.find((b) => b.id === id)!.reasons[0].message;
    expect(message('on-review')).toBe('dependency review is in review (a reviewer must approve it)');
    expect(message('on-pending')).toBe('dependency pending is pending and not requested');
    expect(message('on-stale')).toBe('dependency stale is blocked (StaleSpec)');
    expect(message('on-on-failed')).toMatch(
      /^dependency on-failed can never run: dependency failed is failed/,
    );
  });

  it('a failed dependency that is requested again is a batch, not a block', () => {
    const { index, s } = situations([
      { id: 'dep', title: 't', request: 'r2', status: { phase: 'failed', observedRequest: 'r1' } },
      { id: 'x', title: 't', request: 'r', dependsOn: ['dep'] },
    ]);
    const plan = planBatches(index, s, 1);
    expect(plan.batches.map((b) => b.chunks)).toEqual([[['dep']], [['x']]]);
  });

  it('blocks a dependency cycle, and what depends on it, with a clear reason', () => {
    const { index, s } = situations([
      { id: 'a', title: 't', request: 'r', dependsOn: ['b'] },
      { id: 'b', title: 't', request: 'r', dependsOn: ['a'] },
      { id: 'c', title: 't', request: 'r', dependsOn: ['a'] },
      { id: 'free', title: 't', request: 'r' },
    ]);
    const plan = planBatches(index, s, 2);
    expect(plan.batches.map((b) => b.chunks)).toEqual([[['free']]]);
    expect(plan.blocked).toEqual([
      {
        id: 'a',
        request: 'r',
        reasons: [{ reason: 'DependencyCycle', message: 'dependency cycle: a -> b -> a' }],
      },
      {
        id: 'b',
        request: 'r',
        reasons: [{ reason: 'DependencyCycle', message: 'dependency cycle: a -> b -> a' }],
      },
      {
        id: 'c',
        request: 'r',
        reasons: [
          {
            reason: 'DependencyFailed',
            message: 'dependency a can never run: dependency cycle: a -> b -> a',
          },
        ],
      },
    ]);
  });

  it('a dependency with a live run makes its dependents wait (not ready)', () => {
    const { index, s } = situations(
      [
        { id: 'a', title: 't', request: 'r', status: { phase: 'running', observedRequest: 'r' } },
        { id: 'b', title: 't', request: 'r', dependsOn: ['a'] },
      ],
      [runOf('a', 'r')],
    );
    expect(planBatches(index, s, 2).blocked).toEqual([
      {
        id: 'b',
        request: 'r',
        reasons: [{ reason: 'DependencyNotReady', message: 'dependency a is running (run run-a)' }],
      },
    ]);
  });
});
