import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cxo, gitIn, indexJson, makeRepo, read, specText, VALID_SPEC } from '../helpers/temp-repo.js';

const TASKS = [
  { id: 'done-1', title: 'Finished', status: { phase: 'done' } },
  { id: 'api', title: 'Build the API', priority: 'high', dependsOn: ['done-1'], spec: 'specs/0001-a.md' },
  { id: 'ui', title: 'Build the UI', priority: 'critical', dependsOn: ['api'], labels: ['frontend'] },
  { id: 'docs', title: 'Write docs', priority: 'low' },
];

function repo(tasks: unknown[] = TASKS) {
  return makeRepo(
    { 'codex.tasks.json': indexJson(tasks), 'specs/0001-a.md': specText(VALID_SPEC) },
    { git: true },
  );
}

describe('cxo tasks', () => {
  it('list shows every task with phase, priority and what it waits for', () => {
    const { code, stdout } = cxo(repo(), ['tasks', 'list']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+PHASE\s+PRIORITY\s+TITLE/);
    expect(stdout).toMatch(/^ui\s+pending\s+critical\s+Build the UI {2}\(waits for api\)$/m);
    expect(stdout).toMatch(/^done-1\s+done\s+medium\s+Finished$/m);
  });

  it('list filters by phase, readiness and label; rejects unknown phases', () => {
    const dir = repo();
    const ids = (args: string[]) =>
      (JSON.parse(cxo(dir, ['tasks', 'list', '--json', ...args]).stdout).tasks as { id: string }[]).map(
        (t) => t.id,
      );
    expect(ids(['--phase', 'done'])).toEqual(['done-1']);
    expect(ids(['--ready'])).toEqual(['api', 'docs']);
    expect(ids(['--label', 'frontend'])).toEqual(['ui']);
    const bad = cxo(dir, ['tasks', 'list', '--phase', 'finished']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown phase "finished"/);
  });

  it('next picks the highest-priority task that is ready and passes the dispatch gate', () => {
    const dir = repo();
    // reviewed today, whatever today is: the gate holds the draft for being unapproved, not stale
    const today = new Date().toISOString().slice(0, 10);
    writeFileSync(`${dir}/specs/0001-a.md`, specText({ ...VALID_SPEC, last_review: today }));
    // api's spec is a draft and docs has no spec: the gate holds both
    const held = JSON.parse(cxo(dir, ['tasks', 'next', '--json']).stdout);
    expect(held.task).toBeNull();
    expect(
      held.blocked.map((b: { id: string; reasons: { reason: string }[] }) => [b.id, b.reasons[0].reason]),
    ).toEqual([
      ['api', 'Unapproved'],
      ['docs', 'MissingSpec'],
    ]);
    expect(cxo(dir, ['tasks', 'next']).stdout).toMatch(
      /^no task may run: 2 ready task\(s\) are held by the spec guard/,
    );
    writeFileSync(`${dir}/codex.config.yaml`, 'guard:\n  require_spec: false\n');
    expect(JSON.parse(cxo(dir, ['tasks', 'next', '--json']).stdout).task.id).toBe('docs');
    writeFileSync(
      `${dir}/specs/0001-a.md`,
      specText({ ...VALID_SPEC, status: 'approved', last_review: today }),
    );
    expect(cxo(dir, ['tasks', 'next']).stdout).toMatch(/^api\s+Build the API/);
    const none = cxo(repo([{ id: 'x', title: 'X', status: { phase: 'running' } }]), ['tasks', 'next']);
    expect(none).toMatchObject({ code: 0, stdout: 'nothing to do: no task is pending\n' });
  });

  it('show prints the task, its dependencies and its spec summary', () => {
    const { code, stdout } = cxo(repo(), ['tasks', 'show', 'api']);
    expect(code).toBe(0);
    expect(stdout).toContain('depends on: done-1 (done)');
    expect(stdout).toContain('needed by:  ui');
    expect(stdout).toMatch(
      /spec:\s+specs\/0001-a\.md \(draft, risk low, reviewed 2026-11-01, 0 approval\(s\)\)/,
    );
    const missing = cxo(repo(), ['tasks', 'show', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no task "nope" in codex\.tasks\.json/);
  });

  it('read commands on a broken index exit 2 with the position', () => {
    const dir = makeRepo({ 'codex.tasks.json': '{"version": 1, "tasks": [}' });
    const r = cxo(dir, ['tasks', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/codex\.tasks\.json:1:26: error\[json-syntax\]/);
    expect(r.stderr).toMatch(/nothing was written/);
  });

  it('add appends a task with a generated id, changing only the lines it adds', () => {
    const dir = repo();
    const before = read(dir, 'codex.tasks.json');
    const r = cxo(dir, [
      'tasks',
      'add',
      '--title',
      'Rate-limit the login endpoint!',
      '--depends-on',
      'api',
      '--priority',
      'high',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const { task } = JSON.parse(r.stdout);
    expect(task.id).toMatch(/^rate-limit-the-login-endpoint-[0-9a-z]{5}$/);
    const after = read(dir, 'codex.tasks.json');
    expect(after.startsWith(before.slice(0, before.lastIndexOf('    }')))).toBe(true);
    expect(cxo(dir, ['validate']).code).toBe(0);
  });

  it('add refuses bad input without writing', () => {
    const dir = repo();
    const before = read(dir, 'codex.tasks.json');
    expect(cxo(dir, ['tasks', 'add']).stderr).toMatch(/--title is required/);
    expect(cxo(dir, ['tasks', 'add', '--title', 'x', '--depends-on', 'ghost']).stderr).toMatch(
      /no such task/,
    );
    expect(cxo(dir, ['tasks', 'add', '--title', 'x', '--id', 'api']).stderr).toMatch(/already exists/);
    expect(cxo(dir, ['tasks', 'add', '--title', 'x', '--spec', '../x.md']).stderr).toMatch(/climbs out/);
    expect(cxo(dir, ['tasks', 'add', '--title', 'x', '--priority', 'urgent']).code).toBe(2);
    expect(read(dir, 'codex.tasks.json')).toBe(before);
  });

  it('two branches adding the same task title get different ids', () => {
    const dir = repo();
    gitIn(dir, 'checkout', '-q', '-b', 'left');
    const left = JSON.parse(cxo(dir, ['tasks', 'add', '--title', 'Same title', '--json']).stdout).task.id;
    gitIn(dir, 'commit', '-qam', 'left');
    gitIn(dir, 'checkout', '-q', 'main');
    const right = JSON.parse(cxo(dir, ['tasks', 'add', '--title', 'Same title', '--json']).stdout).task.id;
    expect(left).not.toBe(right);
  });

  it('request sets the request field and --commit commits only the index', () => {
    const dir = repo();
    gitIn(dir, 'commit', '-q', '--allow-empty', '-m', 'base');
    // a person's unrelated staged work must stay staged and uncommitted
    writeFileSync(`${dir}/notes.txt`, 'wip\n');
    gitIn(dir, 'add', 'notes.txt');
    const r = cxo(dir, ['request', 'api', '--value', 'r-1', '--commit']);
    expect(r.code).toBe(0);
    expect(gitIn(dir, 'show', '--stat', '--format=%s%n%b', 'HEAD')).toMatch(
      /cxo\(api\): request r-1\nTask-Id: api\n[\s\S]*codex\.tasks\.json \| 3 \+\+-/,
    );
    expect(gitIn(dir, 'diff', '--cached', '--name-only')).toBe('notes.txt\n');
    expect(cxo(dir, ['request', 'api', '--value', 'r-1']).stdout).toMatch(/nothing changed/);
    expect(JSON.parse(cxo(dir, ['tasks', 'show', 'api', '--json']).stdout).task.request).toBe('r-1');
  });
});

describe('writes keep the file as the person wrote it', () => {
  it('a BOM and CRLF line endings survive a request, and only the request line is added', () => {
    const text = `\ufeff${indexJson([{ id: 'a', title: 'A' }]).replace(/\n/g, '\r\n')}`;
    const dir = makeRepo({ 'codex.tasks.json': text });
    expect(cxo(dir, ['request', 'a', '--value', 'v1']).code).toBe(0);
    const after = read(dir, 'codex.tasks.json');
    expect(after).toBe(text.replace('"title": "A"\r\n', '"title": "A",\r\n      "request": "v1"\r\n'));
  });
});
