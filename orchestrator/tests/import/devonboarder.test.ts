// Fixtures mirror theangrygamershowproductions/DevOnboarder `codex.tasks.json`: the current
// `{ tasks, completedTasks }` form (commit 47633d33, including its feedback-002 listed in both arrays)
// and the first bare-array form (commit fccc029d). Entries: id, title, module, description, status
// (planned | deferred | complete), milestone.
import { describe, expect, it } from 'vitest';
import { convertImport } from '../../src/import/index.js';
import { byId, expectValidIndex, fixture, phase, where } from './helpers.js';

const FILE = 'codex.tasks.json';

describe('devonboarder import', () => {
  it('converts tasks and completedTasks, keeping ids and mapping statuses', () => {
    const result = convertImport('devonboarder', FILE, fixture('devonboarder/codex.tasks.json'), new Set());
    expect(result.tasks.map((t) => t.id)).toEqual([
      'integration-001',
      'agile-001',
      'docs-qa-101',
      'auth-001',
      'feedback-001',
      'feedback-002',
    ]);
    expectValidIndex(result.tasks);

    const deferred = byId(result, 'integration-001');
    expect(deferred.title).toBe('Implement Discord Integration agent');
    expect(phase(deferred)).toBe('pending');
    expect(deferred.labels).toEqual(['module:discord_integration', 'milestone:v0.4.0', 'deferred']);
    expect(deferred.status).toEqual({
      phase: 'pending',
      reason: 'Imported',
      message: 'DevOnboarder status "deferred"',
    });

    const planned = byId(result, 'agile-001');
    expect(planned.status).toBeUndefined();
    expect(planned.dependsOn).toEqual(['feedback-001']);
    expect(planned.description).toBe('Sprint summaries and backlog grooming tips.');

    // In progress is not a run we know about: it stays pending and says so.
    const inProgress = byId(result, 'docs-qa-101');
    expect(phase(inProgress)).toBe('pending');
    expect(inProgress.labels).toContain('in-progress');
    expect(inProgress.status?.message).toBe('DevOnboarder status "in_progress"');

    expect(phase(byId(result, 'auth-001'))).toBe('done');
    expect(byId(result, 'feedback-002').labels).toEqual(['module:frontend', 'milestone:v0.5.0']);
    expect(phase(byId(result, 'feedback-002'))).toBe('done');
    expect(where(result.diagnostics)).toEqual(['warning duplicate-task 12:19']);
  });

  it('imports the bare-array form; entries without a status are pending', () => {
    const result = convertImport(
      'devonboarder',
      FILE,
      fixture('devonboarder/codex.tasks.bare.json'),
      new Set(),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.tasks.map((t) => [t.id, phase(t), t.labels])).toEqual([
      ['auth-001', 'pending', ['module:auth_service']],
      ['bot-001', 'pending', ['module:discord_bot']],
      ['xp-001', 'pending', ['module:xp_api']],
    ]);
    expectValidIndex(result.tasks);
  });

  it('renames a task whose id is already in the index and reports it', () => {
    const result = convertImport(
      'devonboarder',
      FILE,
      fixture('devonboarder/codex.tasks.json'),
      new Set(['auth-001', 'auth-001-2']),
    );
    expect(result.tasks.map((t) => t.id)).toContain('auth-001-3');
    const clash = result.diagnostics.find((d) => d.code === 'id-clash');
    expect(clash).toMatchObject({ severity: 'warning', line: 39, column: 19, file: FILE });
    expect(clash?.message).toContain('"auth-001-3"');
  });

  it('reports bad entries with positions and converts the rest', () => {
    const result = convertImport('devonboarder', FILE, fixture('devonboarder/bad-entries.json'), new Set());
    expect(where(result.diagnostics)).toEqual([
      'warning unknown-dependency 3:83',
      'warning self-dependency 3:96',
      'error missing-title 4:5',
      'error missing-id 5:5',
      'warning id-sanitized 6:13',
      'warning unknown-status 6:66',
      'warning unknown-priority 7:72',
      'error invalid-id 8:13',
    ]);
    expect(result.tasks.map((t) => [t.id, phase(t)])).toEqual([
      ['ok-001', 'pending'],
      ['bad-id-002', 'pending'],
      ['do-7', 'blocked'],
    ]);
    expect(byId(result, 'ok-001').dependsOn).toBeUndefined();
    expect(byId(result, 'do-7').priority).toBeUndefined();
    expect(result.diagnostics[2].sourceLine).toBe(
      '    { "id": "no-title-001", "module": "docs", "status": "planned" },',
    );
  });

  it('reports truncated JSON at the point it breaks', () => {
    const result = convertImport('devonboarder', FILE, fixture('devonboarder/truncated.json'), new Set());
    expect(result.tasks).toEqual([]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'json-syntax',
      file: FILE,
      line: 6,
      column: 17,
      message: 'string is not closed before the end of the line or file',
    });
  });

  it('rejects wrong shapes with the offending value located', () => {
    const notArray = convertImport(
      'devonboarder',
      FILE,
      '{\n  "tasks": {"id": "a", "title": "A"}\n}\n',
      new Set(),
    );
    expect(where(notArray.diagnostics)).toEqual(['error wrong-shape 2:12']);
    expect(notArray.diagnostics[0].message).toBe('"tasks" must be an array, found object');

    const noLists = convertImport('devonboarder', FILE, '{ "todo": [] }', new Set());
    expect(where(noLists.diagnostics)).toEqual(['error wrong-shape 1:1']);

    const scalar = convertImport('devonboarder', FILE, '"tasks"', new Set());
    expect(where(scalar.diagnostics)).toEqual(['error wrong-shape 1:1']);

    const entry = convertImport('devonboarder', FILE, '[\n  "auth-001"\n]', new Set());
    expect(where(entry.diagnostics)).toEqual(['error wrong-shape 2:3']);

    const empty = convertImport('devonboarder', FILE, '', new Set());
    expect(where(empty.diagnostics)).toEqual(['error json-syntax 1:1']);
  });

  it('warns when there is nothing to import', () => {
    const result = convertImport('devonboarder', FILE, '{ "tasks": [], "completedTasks": [] }', new Set());
    expect(result.tasks).toEqual([]);
    expect(where(result.diagnostics)).toEqual(['warning no-tasks -:-']);
  });
});
