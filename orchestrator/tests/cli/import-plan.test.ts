// `cxo import` computes one plan for the dry run and for --write: what the dry run reports is what
// the write refuses, and whatever it writes passes `cxo validate` in the target repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seeded-random.js';
import { cxo, indexJson, makeRepo, PROJECT_ROOT, read, writeFiles } from '../helpers/temp-repo.js';

const fixture = (path: string) =>
  readFileSync(join(PROJECT_ROOT, 'orchestrator/tests/fixtures/import', path), 'utf8');

/** Every file under dir, with its content, to prove a refused import wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else out[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  walk('');
  return out;
}

// tasks 2 -> 1 -> 3 -> 2: reported at task 2's dependency entry (line 4, column 51)
const CYCLIC = [
  '{',
  '  "master": {',
  '    "tasks": [',
  '      { "id": 2, "title": "Two", "dependencies": [1] },',
  '      { "id": 1, "title": "One", "dependencies": [3] },',
  '      { "id": 3, "title": "Three", "dependencies": [2] }',
  '    ]',
  '  }',
  '}',
  '',
].join('\n');

describe('cxo import: one plan for the dry run and --write', () => {
  for (const withIndex of [true, false]) {
    it(`a dependency cycle is an error at its source entry in both modes, exit 1, nothing written (${withIndex ? 'existing' : 'new'} index)`, () => {
      const dir = makeRepo({
        ...(withIndex ? { 'codex.tasks.json': indexJson([{ id: 'mine', title: 'Mine' }]) } : {}),
        'tm.json': CYCLIC,
      });
      const before = snapshot(dir);
      const dry = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json']);
      const write = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json', '--write']);
      for (const r of [dry, write]) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(
          'tm.json:4:51: error[cycle]: dependency cycle: tm-2 -> tm-1 -> tm-3 -> tm-2',
        );
        expect(r.stderr).toContain('{ "id": 2, "title": "Two", "dependencies": [1] },');
      }
      expect(write.stderr).toBe(dry.stderr);
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('a DevOnboarder cycle is refused the same way', () => {
    const text = JSON.stringify(
      {
        tasks: [
          { id: 'a', title: 'A', dependsOn: ['b'] },
          { id: 'b', title: 'B', dependsOn: ['a'] },
        ],
      },
      null,
      2,
    );
    const dir = makeRepo({ 'codex.tasks.json': indexJson([]), 'do.json': text });
    const before = snapshot(dir);
    const r = cxo(dir, ['import', '--from', 'devonboarder', 'do.json', '--write']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/do\.json:7:9: error\[cycle\]: dependency cycle: a -> b -> a/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('on generated files, a dry run that passes means a write that passes and validates, and one that fails means the same refusal', () => {
    const outcomes = new Set<number>();
    for (const seed of [1, 2, 3, 4]) {
      const random = seededRandom(seed);
      const tags: Record<string, { tasks: unknown[] }> = {};
      for (const tag of ['master', 'feature']) {
        const count = 30;
        tags[tag] = {
          tasks: Array.from({ length: count }, (_, i) => ({
            id: i + 1,
            title: `Task ${i + 1}`,
            details: `Details of ${i + 1}`,
            // mostly backwards; now and then forwards, which may close a cycle
            dependencies: Array.from({ length: Math.floor(random() * 3) }, () =>
              random() < 0.08 ? count - Math.floor(random() * 5) : Math.max(1, i - Math.floor(random() * 5)),
            ),
            subtasks: [{ id: 1, title: 'Sub', dependencies: [] }],
          })),
        };
      }
      const dir = makeRepo({ 'tm.json': JSON.stringify(tags, null, 2) });
      const dry = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json']);
      const write = cxo(dir, ['import', '--from', 'taskmaster', 'tm.json', '--write']);
      expect(write.code, `seed ${seed}: ${write.stderr}`).toBe(dry.code);
      outcomes.add(dry.code);
      if (dry.code === 0) expect(cxo(dir, ['validate']).code).toBe(0);
      else {
        expect(write.stderr).toBe(dry.stderr);
        expect(existsSync(join(dir, 'codex.tasks.json'))).toBe(false);
      }
    }
    // the seeds give both: files the import accepts and files with a cycle
    expect([...outcomes].sort()).toEqual([0, 1]);
  }, 180_000);
});

describe('cxo import: every format validates in a fresh target repository', () => {
  const cases: [format: string, file: string, text: string][] = [
    ['devonboarder', 'in/codex.tasks.json', fixture('devonboarder/codex.tasks.json')],
    ['taskmaster', 'in/tasks.json', fixture('taskmaster/tasks.json')],
    ['taskmaster', 'in/legacy.json', fixture('taskmaster/legacy-tasks.json')],
    ['checklist', 'tasks/tasks-0001-profile.md', fixture('checklist/tasks-user-profile-editing.md')],
    ['co-index', 'co/tasks/index.json', fixture('co-index/index.json')],
    ['co-index', 'co/tasks/index.json', fixture('co-index/index-with-specs.json')],
  ];
  for (const [format, file, text] of cases) {
    it(`${format} ${file}`, () => {
      const dir = makeRepo({ [file]: text }, { git: true });
      const r = cxo(dir, ['import', '--from', format, file, '--write']);
      expect(r.code, r.stderr).toBe(0);
      const v = cxo(dir, ['validate']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    });
  }

  it('CO specs and PRDs: copied from the source repository with front matter of ours, or dropped with a warning at the source line', () => {
    const source = makeRepo({
      'tasks/index.json': fixture('co-index/index.json'),
      // a CO mini-spec: no front matter, the review date in the body
      'tasks/specs/linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md':
        '# Spark file search\n\nlast_review: 2026-04-14\n\nThe design.\n',
      'docs/PRD-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45.md': '# PRD: coordinator\n\nWhy.\n',
      // a PRD the target already has with other content: kept there, reference dropped
      'tasks/0303-prd-orchestrator-autonomy.md': '# Autonomy\n\nTheirs.\n',
    });
    const target = makeRepo(
      { 'codex.tasks.json': indexJson([]), 'tasks/0303-prd-orchestrator-autonomy.md': '# Ours\n' },
      { git: true },
    );
    const index = join(source, 'tasks/index.json');
    const before = snapshot(target);
    const dry = cxo(target, ['import', '--from', 'co-index', index]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(snapshot(target)).toEqual(before);
    expect(dry.stdout).toContain('new file specs/linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md');
    // the spec of the second item is absent from the source: named with its line and column
    expect(dry.stderr).toContain(
      `${index}:45:17: warning[document-dropped]: task "co-20260501-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45": spec "tasks/specs/linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45.md" is not in the source repository; reference dropped`,
    );
    expect(dry.stderr).toMatch(
      /index\.json:98:\d+: warning\[document-dropped\]: .*which exists with other content/,
    );

    const write = cxo(target, ['import', '--from', 'co-index', index, '--write']);
    expect(write.code, write.stderr).toBe(0);
    expect(write.stderr).toBe(dry.stderr);
    const spec = read(target, 'specs/linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10.md');
    expect(spec).toMatch(
      /^---\nid: "linear-4b1f0c2e-7d3a-4e55-9a61-2f0e8b7c9d10"\ntitle: "Spark file search"\n/,
    );
    expect(spec).toContain('last_review: "2026-04-14"\n');
    expect(spec.endsWith('---\n\n# Spark file search\n\nlast_review: 2026-04-14\n\nThe design.\n')).toBe(
      true,
    );
    expect(read(target, 'tasks/0303-prd-orchestrator-autonomy.md')).toBe('# Ours\n');
    const tasks = JSON.parse(read(target, 'codex.tasks.json')).tasks;
    const second = tasks.find((t: { id: string }) => t.id.startsWith('co-20260501'));
    expect(second.prd).toBe('tasks/PRD-linear-9c2d5e71-0a44-4f8b-8d3e-6b7a1c2f3e45.md');
    expect(second.spec).toBeUndefined();
    expect(second.description).toContain('Spec not imported: tasks/specs/linear-9c2d5e71');
    const v = cxo(target, ['validate']);
    expect(v.code, v.stdout + v.stderr).toBe(0);

    // a second import finds the copied documents identical and writes none again
    writeFiles(target, { 'codex.tasks.json': indexJson([]) });
    const again = cxo(target, ['import', '--from', 'co-index', index, '--json']);
    expect(JSON.parse(again.stdout).documents).toEqual([]);
  });
});
