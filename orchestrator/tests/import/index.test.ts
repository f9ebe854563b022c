// The dispatcher and the promises every converter shares: no exceptions, valid and unique ids.
import { describe, expect, it } from 'vitest';
import { convertImport, IMPORT_FORMATS, type ImportFormat, isImportFormat } from '../../src/import/index.js';
import { expectValidIndex } from './helpers.js';

const JSON_FORMATS: ImportFormat[] = ['devonboarder', 'co-index', 'taskmaster'];

describe('convertImport', () => {
  it('knows its formats', () => {
    expect(IMPORT_FORMATS).toEqual(['devonboarder', 'co-index', 'taskmaster', 'checklist']);
    expect(isImportFormat('taskmaster')).toBe(true);
    expect(isImportFormat('jira')).toBe(false);
    const result = convertImport('jira' as ImportFormat, 'x.json', '{}', new Set());
    expect(result).toEqual({
      tasks: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'unknown-format',
          message:
            'unknown import format "jira"; expected one of devonboarder, co-index, taskmaster, checklist',
          file: 'x.json',
        },
      ],
      references: [],
    });
  });

  it('never throws on hostile input and always reports an error for non-task JSON', () => {
    const inputs = [
      'null',
      '42',
      '"text"',
      '[]',
      '{}',
      '{"tasks": null, "items": null, "master": null}',
      '{"tasks": [null, 1, "a", [], {"id": null, "title": null}]}',
      '{"items": [{"id": 1e400, "title": {"a": 1}}], "specs": [1, {"paths": 3}]}',
      '{"master": {"tasks": [{"id": 1, "title": "t", "subtasks": [{"id": 1.5, "title": "s"}], "dependencies": {}}]}}',
      '{"a": 1,}',
      '// comment\n{}',
      '\u0000\u0001',
      '{'.repeat(2000),
      '['.repeat(100_000),
    ];
    for (const format of JSON_FORMATS) {
      for (const text of inputs) {
        const result = convertImport(format, 'in.json', text, new Set());
        expect(Array.isArray(result.tasks)).toBe(true);
        expectValidIndex(result.tasks);
        for (const d of result.diagnostics) {
          expect(d.file).toBe('in.json');
          if (d.line !== undefined) expect(d.column).toBeGreaterThanOrEqual(1);
        }
      }
      expect(convertImport(format, 'in.json', '['.repeat(100_000), new Set()).diagnostics).toMatchObject([
        // at the bracket one level past the nesting limit
        { severity: 'error', code: 'nesting-too-deep', line: 1, column: 257 },
      ]);
      expect(convertImport(format, 'in.json', '{"a": 1,}', new Set()).diagnostics[0]).toMatchObject({
        severity: 'error',
        code: 'json-syntax',
        line: 1,
        column: 8, // the trailing comma itself
      });
    }
    for (const text of ['', '- [ ]', '- [x] 1.0', '# only a heading', '\t\t- [ ] 1.1.1.1 deep']) {
      expectValidIndex(convertImport('checklist', 'tasks/t.md', text, new Set()).tasks);
    }
  });

  // Long runs that would make naive /[...]+$/ trimming quadratic; the suite timeout catches a hang.
  it('converts pathological lines', () => {
    const run = `x${'-'.repeat(200_000)}y`;
    const long = convertImport(
      'devonboarder',
      'in.json',
      JSON.stringify([{ id: `${run}-`, title: 'T' }]),
      new Set(),
    );
    expect(long.tasks[0].id).toMatch(/^x-[0-9a-f]{8}$/);
    convertImport(
      'checklist',
      'tasks/t.md',
      `# a${' #'.repeat(100_000)}x\n## Relevant Files\n- ${','.repeat(200_000)}x\n`,
      new Set(),
    );
    convertImport('checklist', 'tasks/t.md', `- [ ] 1.${'1'.repeat(200_000)}x\n`, new Set());
  });

  it('shortens long ids deterministically and keeps them unique', () => {
    const long = 'x'.repeat(120);
    const text = JSON.stringify({
      items: [
        { id: `${long}-a`, title: 'A' },
        { id: `${long}-b`, title: 'B' },
      ],
    });
    const first = convertImport('co-index', 'tasks/index.json', text, new Set());
    const again = convertImport('co-index', 'tasks/index.json', text, new Set());
    expect(first.tasks.map((t) => t.id)).toEqual(again.tasks.map((t) => t.id));
    expect(first.tasks.every((t) => t.id.length <= 80)).toBe(true);
    expect(new Set(first.tasks.map((t) => t.id)).size).toBe(2);
    expect(first.diagnostics.map((d) => d.code)).toEqual(['id-shortened', 'id-shortened']);
    expectValidIndex(first.tasks);
  });
});
