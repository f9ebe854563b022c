import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxo, indexJson, makeRepo, PROJECT_ROOT, read } from '../helpers/temp-repo.js';

const fixture = (path: string) =>
  readFileSync(join(PROJECT_ROOT, 'orchestrator/tests/fixtures/import', path), 'utf8');

const TASKMASTER = JSON.stringify({
  master: {
    tasks: [
      { id: 1, title: 'Set up repo', status: 'done', dependencies: [], priority: 'high', subtasks: [] },
      {
        id: 2,
        title: 'Build API',
        status: 'pending',
        dependencies: [1],
        priority: 'medium',
        subtasks: [{ id: 1, title: 'Routes', status: 'pending', dependencies: [] }],
      },
    ],
    metadata: { created: '2026-11-01T00:00:00Z' },
  },
});

describe('cxo import', () => {
  it('is a dry run by default: prints the diff and writes nothing', () => {
    const dir = makeRepo({
      'codex.tasks.json': indexJson([{ id: 'mine', title: 'Mine' }]),
      'tm.json': TASKMASTER,
    });
    const before = read(dir, 'codex.tasks.json');
    const r = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+\+\+ b\/codex\.tasks\.json$/m);
    expect(r.stdout).toMatch(/^\+\s+"id": "tm-2\.1",$/m);
    expect(r.stdout).toMatch(/would import 3 task\(s\) from tm\.json/);
    expect(r.stdout).toMatch(/dry run: nothing was written/);
    expect(read(dir, 'codex.tasks.json')).toBe(before);
  });

  it('--write appends the tasks after the existing ones and the result validates', () => {
    const dir = makeRepo({
      'codex.tasks.json': indexJson([{ id: 'mine', title: 'Mine' }]),
      'tm.json': TASKMASTER,
    });
    const before = read(dir, 'codex.tasks.json');
    const r = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json', '--write']);
    expect(r.code).toBe(0);
    const after = read(dir, 'codex.tasks.json');
    expect(after.startsWith(before.slice(0, before.lastIndexOf('    }')))).toBe(true);
    const tasks = JSON.parse(after).tasks;
    expect(tasks.map((t: { id: string }) => t.id)).toEqual(['mine', 'tm-1', 'tm-2', 'tm-2.1']);
    expect(tasks[2].dependsOn).toEqual(['tm-1']);
    expect(cxo(dir, ['validate']).code).toBe(0);
  });

  it('creates the index when there is none', () => {
    const dir = makeRepo({ 'tasks/tasks-0001-x.md': fixture('checklist/tasks-user-profile-editing.md') });
    const r = cxo(dir, ['import', '--from', 'checklist', 'tasks/tasks-0001-x.md', '--write', '--json']);
    expect(r.code).toBe(0);
    const { tasks } = JSON.parse(read(dir, 'codex.tasks.json'));
    expect(tasks.length).toBeGreaterThan(3);
    expect(tasks[0].checklist).toMatch(/^tasks\/tasks-0001-x\.md#\d/);
    expect(cxo(dir, ['validate']).code).toBe(0);
  });

  it('bad input: exit 1 with the position, nothing written', () => {
    const dir = makeRepo({
      'codex.tasks.json': indexJson([]),
      'bad.json': '{\n  "master": {\n    "tasks": [\n',
    });
    const before = read(dir, 'codex.tasks.json');
    const r = cxo(dir, ['import', '--from', 'taskmaster', 'bad.json', '--write']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json:3:\d+: error\[json-syntax\]/);
    expect(read(dir, 'codex.tasks.json')).toBe(before);
  });

  it('usage errors: missing or unknown --from, missing file', () => {
    const dir = makeRepo({ 'codex.tasks.json': indexJson([]) });
    expect(cxo(dir, ['import', 'x.json']).stderr).toMatch(/--from is required/);
    expect(cxo(dir, ['import', '--from', 'jira', 'x.json']).code).toBe(2);
    expect(cxo(dir, ['import', '--from', 'taskmaster', 'x.json']).stderr).toMatch(/x\.json does not exist/);
  });
});
