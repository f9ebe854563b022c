import { describe, expect, it } from 'vitest';
import { findCycles } from '../../src/plan/graph.js';
import { nextTask } from '../../src/plan/next-task.js';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';

const load = (tasks: unknown[]) =>
  parseTaskIndex(decodeSource('codex.tasks.json', Buffer.from(JSON.stringify({ version: 1, tasks }))).source!)
    .index!;

describe('next task', () => {
  it('picks the highest priority ready task, earliest in the file on ties', () => {
    const index = load([
      { id: 'done', title: 'd', status: { phase: 'done' } },
      { id: 'low', title: 'l', priority: 'low' },
      { id: 'high-blocked', title: 'h', priority: 'critical', dependsOn: ['open'] },
      { id: 'open', title: 'o', priority: 'high' },
      { id: 'open2', title: 'o', priority: 'high', dependsOn: ['done'] },
    ]);
    expect(nextTask(index)?.id).toBe('open');
  });

  it('skips running, queued, review, done and cancelled tasks; retries failed and changes-requested', () => {
    const phases = ['running', 'queued', 'review', 'done', 'cancelled'];
    const index = load([
      ...phases.map((phase) => ({ id: phase, title: phase, priority: 'critical', status: { phase } })),
      { id: 'failed', title: 'f', priority: 'low', status: { phase: 'failed' } },
      { id: 'changes', title: 'c', priority: 'medium', status: { phase: 'changes-requested' } },
    ]);
    expect(nextTask(index)?.id).toBe('changes');
    expect(nextTask(load([{ id: 'x', title: 'x', status: { phase: 'running' } }]))).toBeUndefined();
  });
});

describe('findCycles', () => {
  it('names each cycle once', () => {
    const cycles = findCycles([
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['c'] },
      { id: 'd', dependsOn: ['a'] },
    ]);
    expect(cycles).toEqual([
      ['a', 'b', 'a'],
      ['c', 'c'],
    ]);
  });
});
