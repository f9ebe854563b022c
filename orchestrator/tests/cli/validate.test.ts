import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_INPUTS, goodSpec, task } from '../helpers/bad-inputs.js';
import { cxo, indexJson, makeRepo, snapshot, specText, VALID_SPEC } from '../helpers/temp-repo.js';

function validateRepo(files: Record<string, string | Uint8Array>) {
  const dir = makeRepo(files);
  const before = snapshot(dir);
  const result = cxo(dir, ['validate']);
  expect(snapshot(dir)).toEqual(before);
  return result;
}

describe('cxo validate on bad input: exit 1, file:line:col, the line quoted, nothing written', () => {
  const cases = BAD_INPUTS;
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
