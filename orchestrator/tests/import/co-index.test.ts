// Fixtures mirror Kbediako/CO `tasks/index.json`: index.json follows the current layout (commit
// 2e783bdd4: `items` only, registry rows with relates_to/risk/owners/status/paths and gated rows with
// kind/gate, one id longer than 80 characters); index-with-specs.json follows the early layout
// (commit ef8a93c0e: prd/task_list items plus a `specs` array of spec_guard-gated mini-specs, and the
// later `specs` rows of commit 31d8a9aeb that point at a task file through paths.task).
import { describe, expect, it } from 'vitest';
import { convertImport } from '../../src/import/index.js';
import { byId, expectValidIndex, fixture, phase, where } from './helpers.js';

const FILE = 'tasks/index.json';

describe('co-index import', () => {
  it('converts registry and gated items', () => {
    const result = convertImport('co-index', FILE, fixture('co-index/index.json'), new Set());
    expectValidIndex(result.tasks);
    expect(result.tasks.map((t) => [t.id, phase(t)])).toEqual([
      ['co-20260414-linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10', 'pending'],
      ['co-20260501-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45', 'done'],
      ['co-20260513-linear-5e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b', 'blocked'],
      ['co-20260324-1322-coordinator-live-linear-snapshot-only-retry-assignee-i-c296484b', 'pending'],
      ['co-0101', 'pending'],
      ['co-0303', 'done'],
      ['co-20260615-linear-co-590', 'pending'],
    ]);

    const active = byId(result, 'co-20260414-linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10');
    expect(active.title).toBe('CO: make spark file-search-only and widen Codex CLI adoption');
    expect(active.spec).toBe('tasks/specs/linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md');
    expect(active.owner).toBe('Codex');
    expect(active.labels).toEqual(['risk:high', 'in-progress']);
    expect(active.status).toEqual({
      phase: 'pending',
      reason: 'Imported',
      message: 'CO status "in_progress"',
    });
    expect(active.description).toContain(
      'Task checklist: tasks/tasks-linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md',
    );
    expect(active.description).toContain(
      '- agent_task: .agent/task/linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md',
    );
    // CO's paths are documents, not the files a run may change.
    expect(active.paths).toBeUndefined();

    const done = byId(result, 'co-20260501-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45');
    expect(done.prd).toBe('docs/PRD-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45.md');
    expect(done.labels).toEqual(['risk:medium']);
    expect(done.description).toContain('Owners: Codex, Platform');
    expect(done.description).toContain('Source issue: CO-451 (https://linear.app/example/issue/CO-451)');

    // Free-form in-flight statuses become pending + in-progress, without a warning.
    const reviewing = byId(
      result,
      'co-20260324-1322-coordinator-live-linear-snapshot-only-retry-assignee-i-c296484b',
    );
    expect(reviewing.labels).toContain('in-progress');
    expect(reviewing.status?.message).toBe('CO status "review_green_pre_pr"');

    const plan = byId(result, 'co-0101');
    expect(plan.labels).toEqual(['kind:plan', 'in-progress']);
    expect(plan.description).toContain('CO gate: slimdown-audit-planning in-progress');
    const prd = byId(result, 'co-0303');
    expect(prd.prd).toBe('tasks/0303-prd-orchestrator-autonomy.md');
    expect(prd.status?.message).toBe('CO status "approved"');
    expect(byId(result, 'co-20260615-linear-co-590').status).toBeUndefined();

    expect(where(result.diagnostics)).toEqual(['warning id-shortened 68:13']);
  });

  it('attaches specs to the items they govern and reports orphans', () => {
    const result = convertImport('co-index', FILE, fixture('co-index/index-with-specs.json'), new Set());
    expectValidIndex(result.tasks);
    const prd = byId(result, 'co-0001');
    expect(prd.prd).toBe('tasks/0001-prd-codex-orchestrator.md');
    expect(prd.spec).toBe('tasks/specs/0001-orchestrator-architecture.md');
    expect(prd.description).toContain('Also governed by: tasks/specs/0002-orchestrator-core.md');
    expect(prd.labels).toEqual(['kind:prd', 'spec-gate:pending']);
    expect(phase(prd)).toBe('done');

    const list = byId(result, 'co-0001-tasks');
    expect(list.spec).toBe('tasks/specs/0984-pr-263-codex-feedback-followup.md');
    expect(list.labels).toEqual(['kind:task_list', 'in-progress']);

    expect(where(result.diagnostics)).toEqual(['warning orphan-spec 82:5']);
    expect(result.diagnostics[0].message).toContain('tasks/specs/0003-learning-library.md');
  });

  it('keeps ids unique against the index', () => {
    const result = convertImport(
      'co-index',
      FILE,
      fixture('co-index/index-with-specs.json'),
      new Set(['co-0001']),
    );
    expect(result.tasks.map((t) => t.id)).toEqual(['co-0001-2', 'co-0001-tasks']);
    expect(where(result.diagnostics)).toEqual(['warning id-clash 4:13', 'warning orphan-spec 82:5']);
  });

  it('reports wrong shapes and unusable items with positions', () => {
    const notArray = convertImport('co-index', FILE, '{\n  "items": {}\n}', new Set());
    expect(where(notArray.diagnostics)).toEqual(['error wrong-shape 2:12']);

    const missing = convertImport('co-index', FILE, '{ "specs": [] }', new Set());
    expect(where(missing.diagnostics)).toEqual(['error wrong-shape 1:1']);

    const text = [
      '{',
      '  "items": [',
      '    { "id": "0001", "status": "done" },',
      '    { "title": "No id" },',
      '    { "id": {"n": 1}, "title": "Object id" },',
      '    { "id": "0004", "title": "Ok", "paths": { "spec": "/abs/spec.md" } }',
      '  ],',
      '  "specs": "none"',
      '}',
    ].join('\n');
    const result = convertImport('co-index', FILE, text, new Set());
    expect(where(result.diagnostics)).toEqual([
      'error missing-title 3:5',
      'error missing-id 4:5',
      'error invalid-id 5:13',
      'warning invalid-path 6:55',
      'error wrong-shape 8:12',
    ]);
    expect(result.tasks.map((t) => t.id)).toEqual(['co-0004']);
    expect(byId(result, 'co-0004').spec).toBeUndefined();
  });

  it('reports truncated JSON', () => {
    // Cut right after `"approvals": ` on line 13 of the first item.
    const text = fixture('co-index/index.json').slice(0, 400);
    const result = convertImport('co-index', FILE, text, new Set());
    expect(result.tasks).toEqual([]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'json-syntax',
      message: 'unexpected end of file: the JSON document is truncated',
      line: 13,
      column: 18,
    });
  });
});
