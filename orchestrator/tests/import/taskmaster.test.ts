// Fixtures mirror eyaltoledano/claude-task-master `.taskmaster/tasks/tasks.json` (commit c0c98d36):
// tasks.json is the tagged layout `{ "<tag>": { tasks, metadata } }` with numeric ids in `master` and
// the newer string ids, parentId and complexity fields of the `tdd-phase-1-core-rails` tag;
// legacy-tasks.json is the untagged `{ meta, tasks }` layout of early task-master versions.
import { describe, expect, it } from 'vitest';
import { convertImport } from '../../src/import/index.js';
import { byId, expectValidIndex, fixture, phase, where } from './helpers.js';

const FILE = '.taskmaster/tasks/tasks.json';

describe('taskmaster import', () => {
  it('converts tagged tasks and subtasks with tm- ids', () => {
    const result = convertImport('taskmaster', FILE, fixture('taskmaster/tasks.json'), new Set());
    expectValidIndex(result.tasks);
    expect(result.tasks.map((t) => t.id)).toEqual([
      'tm-1',
      'tm-1.1',
      'tm-1.2',
      'tm-2',
      'tm-2.1',
      'tm-2.2',
      'tm-2.3',
      'tm-3',
      'tm-4',
      'tm-5',
      'tm-6',
      'tm-feature-auth-1',
      'tm-feature-auth-1.1',
      'tm-feature-auth-1.2',
      'tm-feature-auth-2',
    ]);

    const first = byId(result, 'tm-1');
    expect(first.title).toBe('Implement Task Data Structure');
    expect(first.priority).toBe('high');
    expect(first.labels).toEqual(['tag:master']);
    expect(first.description).toBe(
      [
        'Design the tasks.json structure that is the single source of truth.',
        'Details:\nCreate the data structure:\n- JSON schema for tasks.json\n- Validation functions for the task model',
        'Test strategy:\nCreate, read and validate a sample tasks.json.',
      ].join('\n\n'),
    );
    expect(first.status).toEqual({ phase: 'done', reason: 'Imported', message: 'task-master status "done"' });

    // Subtask dependencies: a bare number is a sibling, else a top-level task; "2.1" is explicit.
    expect(byId(result, 'tm-1.2').dependsOn).toEqual(['tm-1.1']);
    expect(byId(result, 'tm-1.2').labels).toEqual(['parent:tm-1', 'tag:master']);
    expect(byId(result, 'tm-1.2').description).toContain(
      'Acceptance criteria:\n- Invalid tasks are rejected',
    );
    expect(byId(result, 'tm-2.2').dependsOn).toEqual(['tm-2.1', 'tm-4']);
    expect(byId(result, 'tm-2.3').dependsOn).toEqual(['tm-2.1']);
    expect(byId(result, 'tm-4').dependsOn).toEqual(['tm-2.3']);
    expect(byId(result, 'tm-3').dependsOn).toEqual(['tm-1', 'tm-2']);
    // Parents do not depend on their subtasks: the relation is the parent: label.
    expect(byId(result, 'tm-2').dependsOn).toEqual(['tm-1']);

    const statuses = result.tasks.map((t) => [t.id, phase(t), t.labels?.filter((l) => !l.includes(':'))]);
    expect(statuses).toEqual([
      ['tm-1', 'done', []],
      ['tm-1.1', 'done', []],
      ['tm-1.2', 'done', []],
      ['tm-2', 'pending', ['in-progress']],
      ['tm-2.1', 'done', []],
      ['tm-2.2', 'pending', []],
      ['tm-2.3', 'pending', ['review']],
      ['tm-3', 'pending', ['deferred']],
      ['tm-4', 'pending', []],
      ['tm-5', 'cancelled', []],
      ['tm-6', 'blocked', []],
      ['tm-feature-auth-1', 'pending', []],
      ['tm-feature-auth-1.1', 'done', []],
      ['tm-feature-auth-1.2', 'pending', ['in-progress']],
      ['tm-feature-auth-2', 'pending', []],
    ]);
    expect(byId(result, 'tm-6').status).toEqual({
      phase: 'blocked',
      reason: 'Imported',
      message: 'task-master status "blocked"',
    });
    expect(byId(result, 'tm-6').priority).toBe('critical');
    expect(byId(result, 'tm-2.2').status).toBeUndefined();

    // Other tags number from 1 again: their ids carry the tag, and dependencies stay inside it.
    expect(byId(result, 'tm-feature-auth-1.2').dependsOn).toEqual(['tm-feature-auth-1.1']);
    expect(byId(result, 'tm-feature-auth-1.2').labels).toEqual([
      'parent:tm-feature-auth-1',
      'tag:feature-auth',
      'in-progress',
    ]);
    expect(byId(result, 'tm-feature-auth-2').dependsOn).toEqual(['tm-feature-auth-1']);

    // tm-6 depends on 5 and on 42, which the tag does not have.
    expect(byId(result, 'tm-6').dependsOn).toEqual(['tm-5']);
    expect(where(result.diagnostics)).toEqual(['warning unknown-dependency 104:29']);
  });

  it('converts the legacy untagged layout without tag labels', () => {
    const result = convertImport(
      'taskmaster',
      'tasks/tasks.json',
      fixture('taskmaster/legacy-tasks.json'),
      new Set(),
    );
    expect(result.diagnostics).toEqual([]);
    expectValidIndex(result.tasks);
    expect(result.tasks.map((t) => [t.id, phase(t), t.dependsOn, t.labels])).toEqual([
      ['tm-1', 'done', undefined, undefined],
      ['tm-2', 'pending', ['tm-1'], undefined],
      ['tm-2.1', 'pending', undefined, ['parent:tm-2']],
    ]);
  });

  it('suffixes ids that clash with the index and keeps edges on the renamed task', () => {
    const result = convertImport(
      'taskmaster',
      'tasks/tasks.json',
      fixture('taskmaster/legacy-tasks.json'),
      new Set(['tm-1']),
    );
    expect(result.tasks.map((t) => t.id)).toEqual(['tm-1-2', 'tm-2', 'tm-2.1']);
    expect(byId(result, 'tm-2').dependsOn).toEqual(['tm-1-2']);
    expect(where(result.diagnostics)).toEqual(['warning id-clash 9:13']);
  });

  it('reports bad tasks, ids and dependencies with positions', () => {
    const text = [
      '{',
      '  "master": {',
      '    "tasks": [',
      '      { "id": 1, "title": "Ok", "status": "waiting", "priority": "p1", "dependencies": [1, "9.9"] },',
      '      { "id": -1, "title": "Negative id" },',
      '      { "id": 2, "description": "no title", "subtasks": [',
      '        { "id": 1, "title": "Sub of an untitled parent", "dependencies": [1] },',
      '        { "title": "Sub without id" }',
      '      ] },',
      '      { "id": "??", "title": "Punctuation id" }',
      '    ]',
      '  },',
      '  "broken": { "tasks": {} }',
      '}',
    ].join('\n');
    const result = convertImport('taskmaster', FILE, text, new Set());
    expect(where(result.diagnostics)).toEqual([
      'warning unknown-status 4:43',
      'warning unknown-priority 4:66',
      'warning self-dependency 4:89',
      'warning unknown-dependency 4:92',
      'error invalid-id 5:15',
      'error missing-title 6:7',
      'warning self-dependency 7:75',
      'error missing-id 8:9',
      'error invalid-id 10:15',
      'error wrong-shape 13:24',
    ]);
    expect(result.tasks.map((t) => [t.id, phase(t), t.labels])).toEqual([
      ['tm-1', 'pending', ['tag:master']],
      ['tm-2.1', 'pending', ['tag:master']],
    ]);
    expect(byId(result, 'tm-1').status?.message).toBe('task-master status "waiting"');
  });

  it('reports wrong shapes and truncated JSON', () => {
    const legacyObject = convertImport('taskmaster', FILE, '{\n  "tasks": { "1": {} }\n}', new Set());
    expect(where(legacyObject.diagnostics)).toEqual(['error wrong-shape 2:12']);

    const array = convertImport('taskmaster', FILE, '[{ "id": 1, "title": "x" }]', new Set());
    expect(where(array.diagnostics)).toEqual(['error wrong-shape 1:1']);

    const unrelated = convertImport('taskmaster', FILE, '{ "version": 2 }', new Set());
    expect(where(unrelated.diagnostics)).toEqual(['error wrong-shape 1:1', 'warning ignored-field 1:3']);

    const truncated = convertImport(
      'taskmaster',
      FILE,
      fixture('taskmaster/tasks.json').slice(0, 1000),
      new Set(),
    );
    expect(truncated.tasks).toEqual([]);
    expect(truncated.diagnostics).toHaveLength(1);
    expect(truncated.diagnostics[0]).toMatchObject({ severity: 'error', code: 'json-syntax', file: FILE });
    expect(truncated.diagnostics[0].line).toBeGreaterThan(1);
  });
});
