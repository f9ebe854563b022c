import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { CLI, cxo, gitIn, makeRepo, read } from '../helpers/temp-repo.js';

describe('cxo init', () => {
  it('scaffolds files that validate, with an approved spec whose approval digest matches', () => {
    const dir = makeRepo({ 'package.json': '{"name":"x"}\n' }, { git: true });
    const r = cxo(dir, ['init']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created\s+codex\.tasks\.json/);
    expect(r.stdout).toMatch(/created\s+AGENTS\.md/);
    expect(r.stdout).toMatch(/created\s+\.github\/workflows\/spec-guard\.yml/);
    // the reviewer's run-manifest checklist, from the learning library's template
    expect(read(dir, '.github/cxo-review-checklist.md')).toMatch(
      /^# Reviewing a run \(codex-orchestrator\)\n/,
    );
    expect(read(dir, 'AGENTS.md')).toMatch(
      /^# AGENTS\.md\n\n<!-- codex-orchestrator:start -->\n## Working with codex-orchestrator\n[\s\S]*run them before you finish\.\n<!-- codex-orchestrator:end -->\n$/,
    );
    expect(cxo(dir, ['validate']).stdout).toMatch(
      /^valid: 1 tasks, 1 specs, 1 PRDs, 1 checklists \(0 errors, 0 warnings\)/,
    );
    const index = JSON.parse(read(dir, 'codex.tasks.json'));
    expect(index.tasks[0].acceptance).toEqual(['npm test']);
    expect(read(dir, 'specs/0001-example-greeting.md')).toMatch(
      /status: approved[\s\S]*owners: \["Test Person"\][\s\S]*digest: sha256:[0-9a-f]{64}/,
    );
    expect(cxo(dir, ['tasks', 'next']).stdout).toMatch(/^example-greeting/);
    // the task index merges through `cxo merge-driver`
    expect(r.stdout).toMatch(/created\s+\.gitattributes\n/);
    expect(r.stdout).toMatch(/created\s+git config merge\.codex-tasks/);
    expect(read(dir, '.gitattributes')).toBe('codex.tasks.json merge=codex-tasks\n');
    expect(gitIn(dir, 'config', 'merge.codex-tasks.name').trim()).toBe('codex-orchestrator task index');
    // this very cxo by absolute path: it starts however cxo was installed (here, a checkout)
    expect(gitIn(dir, 'config', 'merge.codex-tasks.driver').trim()).toBe(
      `'${process.execPath}' '${CLI}' merge-driver %O %A %B`,
    );
    // new repositories keep statuses, claims and evidence on the state ref, and never commit .runs/
    expect(read(dir, 'codex.config.yaml')).toMatch(/\ngitops:\n {2}state: ref\n/);
    expect(read(dir, '.gitignore')).toBe('.runs/\n');
    const shown = JSON.parse(cxo(dir, ['state', 'show', '--json']).stdout) as { mode: string; ref: string };
    expect(shown).toMatchObject({ mode: 'ref', ref: 'refs/heads/cxo/state' });
    const again = cxo(dir, ['init', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], mergeDriver: 'already registered' });
    expect(read(dir, '.gitignore')).toBe('.runs/\n');
    expect(read(dir, '.gitattributes')).toBe('codex.tasks.json merge=codex-tasks\n');
  });

  it('appends the merge driver line to an existing .gitattributes once', () => {
    const dir = makeRepo({ '.gitattributes': '*.png binary' }, { git: true });
    expect(cxo(dir, ['init']).stdout).toMatch(/created\s+\.gitattributes \(merge driver line appended\)/);
    expect(read(dir, '.gitattributes')).toBe('*.png binary\ncodex.tasks.json merge=codex-tasks\n');
    expect(cxo(dir, ['init']).stdout).toMatch(
      /skipped\s+\.gitattributes merge driver line \(already exists\)/,
    );
    expect(read(dir, '.gitattributes')).toBe('*.png binary\ncodex.tasks.json merge=codex-tasks\n');
  });

  it('is idempotent, never overwrites, and says what it skipped', () => {
    const dir = makeRepo(
      {
        'AGENTS.md': '# Agents\n\nOur own rules.\n',
        'specs/0001-example-greeting.md': 'mine\n',
        '.github/workflows/spec-guard.yml': 'name: ours\n',
      },
      { git: true },
    );
    const first = cxo(dir, ['init']);
    expect(first.stdout).toMatch(/created\s+git config merge\.codex-tasks /);
    expect(first.stdout).toMatch(/skipped\s+specs\/0001-example-greeting\.md \(already exists\)/);
    expect(first.stdout).toMatch(/created\s+AGENTS\.md \(section appended\)/);
    expect(read(dir, 'specs/0001-example-greeting.md')).toBe('mine\n');
    expect(first.stdout).toMatch(/skipped\s+\.github\/workflows\/spec-guard\.yml \(already exists\)/);
    expect(read(dir, '.github/workflows/spec-guard.yml')).toBe('name: ours\n');
    expect(read(dir, 'AGENTS.md')).toMatch(
      /^# Agents\n\nOur own rules\.\n\n<!-- codex-orchestrator:start -->/,
    );
    const snapshot = ['codex.tasks.json', 'AGENTS.md', 'codex.config.yaml', '.gitattributes'].map((f) =>
      read(dir, f),
    );
    const second = cxo(dir, ['init', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ created: [], mergeDriver: 'already registered' });
    expect(
      ['codex.tasks.json', 'AGENTS.md', 'codex.config.yaml', '.gitattributes'].map((f) => read(dir, f)),
    ).toEqual(snapshot);
  });

  it('outside a git repository: exit 2 naming the directory, and nothing written, no .git made', () => {
    const dir = makeRepo({ 'README.md': 'hello\n' });
    const r = cxo(dir, ['init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cxo: ${dir} is not in a git repository`);
    expect(r.stderr).toMatch(/hint: run `git init` there first/);
    expect(readdirSync(dir)).toEqual(['README.md']);
    expect(existsSync(`${dir}/.git`)).toBe(false);
  });

  it('the scaffolded config parses and its values take effect', () => {
    const dir = makeRepo({}, { git: true });
    cxo(dir, ['init']);
    const config = join(dir, 'codex.config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('tasks: codex.tasks.json', 'tasks: work/index.json'),
    );
    const r = cxo(dir, ['tasks', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/work\/index\.json does not exist/);
  });
});
