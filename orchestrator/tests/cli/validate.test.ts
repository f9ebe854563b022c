import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxo, indexJson, makeRepo, specText, VALID_SPEC } from '../helpers/temp-repo.js';

/** Every file's bytes and mtime, to prove a failing command wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) walk(p);
      else out[p] = `${statSync(join(dir, p)).mtimeMs}:${readFileSync(join(dir, p)).toString('base64')}`;
    }
  };
  walk('');
  return out;
}

function validateRepo(files: Record<string, string | Uint8Array>) {
  const dir = makeRepo(files);
  const before = snapshot(dir);
  const result = cxo(dir, ['validate']);
  expect(snapshot(dir)).toEqual(before);
  return result;
}

const task = { id: 'a', title: 'A', spec: 'specs/0001-a.md' };
const goodSpec = specText(VALID_SPEC);

describe('cxo validate on bad input: exit 1, file:line:col, the line quoted, nothing written', () => {
  const cases: [string, Record<string, string | Uint8Array>, RegExp][] = [
    [
      'truncated JSON',
      { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [\n' },
      /codex\.tasks\.json:3:\d+: error\[json-syntax\]: unexpected end of file/,
    ],
    [
      'a trailing comma',
      { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [],\n}\n' },
      /codex\.tasks\.json:3:14: error\[json-syntax\]: trailing comma/,
    ],
    [
      'a duplicate key',
      { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [],\n  "tasks": []\n}\n' },
      /codex\.tasks\.json:4:3: error\[duplicate-key\]/,
    ],
    [
      'a wrong type',
      { 'codex.tasks.json': indexJson([{ id: 'a', title: 7 }]) },
      /codex\.tasks\.json:6:16: error\[schema\]: "tasks\[0\]\.title" must be a string, found number 7/,
    ],
    [
      'duplicate ids',
      {
        'codex.tasks.json': indexJson([
          { id: 'a', title: 'A' },
          { id: 'a', title: 'B' },
        ]),
      },
      /codex\.tasks\.json:9:13: error\[duplicate-id\]/,
    ],
    [
      'a dangling dependency',
      { 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', dependsOn: ['zz'] }]) },
      /codex\.tasks\.json:8:9: error\[dangling-reference\]: task "a" depends on "zz"/,
    ],
    [
      'a cycle',
      {
        'codex.tasks.json': indexJson([
          { id: 'a', title: 'A', dependsOn: ['b'] },
          { id: 'b', title: 'B', dependsOn: ['a'] },
        ]),
      },
      /error\[cycle\]: dependency cycle: a -> b -> a/,
    ],
    [
      'a path escaping the repo',
      { 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: '../../etc/x.md' }]) },
      /7:15: error\[path-escape\]/,
    ],
    [
      'a missing spec file',
      { 'codex.tasks.json': indexJson([task]) },
      /codex\.tasks\.json:7:15: error\[dangling-reference\]: task "a": spec file "specs\/0001-a\.md" does not exist/,
    ],
    [
      'unterminated front matter',
      { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\n# no end\n' },
      /specs\/0001-a\.md:1:1: error\[front-matter\]: front matter is not terminated/,
    ],
    [
      'YAML with tabs',
      { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\nowners:\n\t- x\n---\n' },
      /specs\/0001-a\.md:4:1: error\[yaml-syntax\]: tab used for indentation/,
    ],
    [
      'YAML with bad indentation',
      { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\nrisk:\n  x: 1\n y: 2\n---\n' },
      /specs\/0001-a\.md:5:\d+: error\[yaml-syntax\]: bad indentation/,
    ],
    [
      'an invalid date',
      {
        'codex.tasks.json': indexJson([task]),
        'specs/0001-a.md': specText({ ...VALID_SPEC, last_review: '2026-02-30' }),
      },
      /specs\/0001-a\.md:7:14: error\[invalid-date\]: "last_review" "2026-02-30" is not a real calendar date/,
    ],
    [
      'a binary file',
      { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': Buffer.from([0x2d, 0x2d, 0x00, 0x01]) },
      /specs\/0001-a\.md: error\[binary-file\]/,
    ],
    [
      'a non-UTF-8 file',
      {
        'codex.tasks.json': indexJson([task]),
        'specs/0001-a.md': Buffer.from('---\ntitle: caf\xe9\n---\n', 'latin1'),
      },
      /specs\/0001-a\.md:2:11: error\[encoding\]/,
    ],
    [
      'a file over the size cap',
      {
        'codex.config.yaml': 'limits:\n  max_file_bytes: 1024\n',
        'codex.tasks.json': indexJson([task]),
        'specs/0001-a.md': `${goodSpec}${'x'.repeat(2000)}`,
      },
      /specs\/0001-a\.md: error\[file-too-large\]/,
    ],
    [
      'a checklist item that does not exist',
      {
        'codex.tasks.json': indexJson([{ id: 'a', title: 'A', checklist: 'tasks/tasks-0001-x.md#3.1' }]),
        'tasks/tasks-0001-x.md': '- [ ] 1.0 One\n',
      },
      /error\[dangling-reference\]: task "a": tasks\/tasks-0001-x\.md has no item 3\.1/,
    ],
    [
      'a bad config',
      { 'codex.config.yaml': 'concurrency: lots\n', 'codex.tasks.json': indexJson([]) },
      /codex\.config\.yaml:1:14: error\[schema\]: "concurrency" must be an integer/,
    ],
  ];
  for (const [name, files, expected] of cases) {
    it(name, () => {
      const { code, stderr } = validateRepo(files);
      expect(code).toBe(1);
      expect(stderr).toMatch(expected);
      expect(stderr).toMatch(/\n\s+\d+ \| |error\[(binary-file|file-too-large)\]/); // the offending line is quoted
    });
  }

  it('reports every error, not just the first', () => {
    const { stderr, code } = validateRepo({
      'codex.tasks.json': indexJson([
        { id: 'a', title: 'A', dependsOn: ['x'], spec: 'specs/0001-a.md' },
        { id: 'b', title: 'B', dependsOn: ['y'] },
      ]),
      'specs/0001-a.md': specText({ ...VALID_SPEC, risk: 'extreme' }),
      'specs/0002-b.md': '---\nid: b\n',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/depends on "x"/);
    expect(stderr).toMatch(/depends on "y"/);
    expect(stderr).toMatch(/"risk" must be one of/);
    expect(stderr).toMatch(/specs\/0002-b\.md:1:1/);
    expect(stderr).toMatch(/invalid: .*\(4 errors, 0 warnings\)/);
  });

  it('accepts a BOM with a warning, and warns about unknown fields', () => {
    const { code, stderr, stdout } = validateRepo({
      'codex.tasks.json': `\ufeff${indexJson([{ id: 'a', title: 'A', colour: 'red' }])}`,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/codex\.tasks\.json:1:1: warning\[bom\]/);
    expect(stderr).toMatch(/codex\.tasks\.json:7:7: warning\[unknown-field\]: unknown field "colour"/);
    expect(stdout).toMatch(/^valid: 1 tasks/m);
  });

  it('refuses a spec reached through a symlink that leaves the repository', () => {
    const outside = makeRepo({ 'secret.md': goodSpec });
    const dir = makeRepo({ 'codex.tasks.json': indexJson([task]) });
    mkdirSync(join(dir, 'specs'));
    symlinkSync(join(outside, 'secret.md'), join(dir, 'specs/0001-a.md'));
    const { code, stderr } = cxo(dir, ['validate']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /specs\/0001-a\.md: error\[path-escape\]: file is a symlink that points outside the repository/,
    );
  });

  it('--json gives every diagnostic with its position', () => {
    const dir = makeRepo({ 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', dependsOn: ['q'] }]) });
    const { code, stdout } = cxo(dir, ['validate', '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: false, errors: 1, warnings: 0 });
    expect(report.diagnostics[0]).toMatchObject({
      file: 'codex.tasks.json',
      line: 8,
      column: 9,
      code: 'dangling-reference',
    });
  });

  it('--strict fails on warnings', () => {
    const dir = makeRepo({ 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', extra: 1 }]) });
    expect(cxo(dir, ['validate']).code).toBe(0);
    expect(cxo(dir, ['validate', '--strict']).code).toBe(1);
  });

  it('reports an unreadable file without crashing', () => {
    if (process.getuid?.() === 0) return expect(true).toBe(true); // root reads everything
    const dir = makeRepo({ 'codex.tasks.json': indexJson([]) });
    chmodSync(join(dir, 'codex.tasks.json'), 0);
    expect(cxo(dir, ['validate']).code).toBe(1);
  });
});
