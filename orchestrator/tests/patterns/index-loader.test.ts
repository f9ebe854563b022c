import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/repo/diagnostics.js';
import { parsePatternIndex } from '../../src/patterns/load-index.js';
import { cxo, makeRepo } from '../helpers/temp-repo.js';

const FILES = new Set([
  'codemods/a/index.mjs',
  'codemods/a/before.js',
  'codemods/a/after.js',
  'templates/t.md',
]);

function parse(text: string) {
  return parsePatternIndex({ file: 'patterns/index.json', text, bom: false, eol: '\n' }, (p) => FILES.has(p));
}

const codemod = (fields: Record<string, unknown> = {}) => ({
  id: 'a',
  kind: 'codemod',
  version: '1.0.0',
  languages: ['javascript'],
  description: 'A',
  entry: 'codemods/a/index.mjs',
  examples: [{ before: 'codemods/a/before.js', after: 'codemods/a/after.js' }],
  ...fields,
});
const index = (patterns: unknown[]) => `${JSON.stringify({ version: 1, patterns }, null, 2)}\n`;

describe('patterns/index.json', () => {
  it('a valid index loads', () => {
    const r = parse(
      index([
        codemod(),
        {
          id: 't',
          kind: 'template',
          version: '0.1.0',
          languages: ['markdown'],
          description: 'T',
          entry: 'templates/t.md',
        },
      ]),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.patterns?.map((p) => p.id)).toEqual(['a', 't']);
  });

  it('bad JSON is reported at file:line:col with the line quoted', () => {
    const r = parse('{\n  "version": 1,\n  "patterns": [\n    { "id": "a", }\n  ]\n}\n');
    expect(r.patterns).toBeUndefined();
    expect(formatDiagnostic(r.diagnostics[0])).toBe(
      [
        'patterns/index.json:4:16: error[json-syntax]: trailing comma: JSON does not allow a comma before a closing bracket',
        '  4 |     { "id": "a", }',
        '    |                ^',
        '  hint: remove this comma',
      ].join('\n'),
    );
  });

  it('a schema error points at the field', () => {
    const text = index([codemod({ kind: 'macro', version: 'v1' })]);
    const r = parse(text);
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual(
      expect.arrayContaining([
        [
          at('"kind"'),
          expect.stringMatching(
            /"patterns\[0\]\.kind" must be one of "codemod", "lint-rule", "template"; found "macro"/,
          ),
        ],
        [at('"version": "v1"'), expect.stringMatching(/"patterns\[0\]\.version" "v1" must match/)],
      ]),
    );
  });

  it('a codemod without examples, a bad id and a duplicate id are errors', () => {
    const r = parse(index([codemod({ examples: undefined }), codemod(), codemod({ id: 'Not_Kebab' })]));
    expect(r.diagnostics.map((d) => d.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"patterns\[0\]" is missing required field "examples"/),
        expect.stringMatching(/"patterns\[2\]\.id" "Not_Kebab"/),
      ]),
    );
    const dup = parse(index([codemod(), codemod()]));
    expect(dup.diagnostics).toMatchObject([
      { code: 'duplicate-id', line: 21, message: expect.stringMatching(/duplicate pattern id "a"/) },
    ]);
  });

  it('a missing entry or fixture file, and a path leaving the library, are errors at their field', () => {
    const r = parse(
      index([
        codemod({
          entry: 'codemods/a/gone.mjs',
          examples: [{ before: 'codemods/a/before.js', after: '../outside/after.js' }],
        }),
      ]),
    );
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      '12:16 missing-file codemods/a/gone.mjs does not exist in the library',
      '16:20 bad-path path climbs out with ".."; it must stay inside the library',
    ]);
  });

  it('cxo patterns list --library DIR reports a broken index with file:line:col, exit 2', () => {
    const dir = makeRepo({ 'lib/index.json': '{\n  "version": 1,\n  "patterns": [\n    { "id": "a" ]\n}\n' });
    const r = cxo(dir, ['patterns', 'list', '--library', 'lib']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^lib\/index\.json:4:17: error\[json-syntax\]: expected ',' between entries, found "\]"/m,
    );
    expect(r.stderr).toContain('\n  4 |     { "id": "a" ]\n');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    const missing = makeRepo({ 'lib/index.json': index([codemod()]) });
    const m = cxo(missing, ['patterns', 'show', 'a', '--library', 'lib']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(
      /^lib\/index\.json:12:16: error\[missing-file\]: codemods\/a\/index\.mjs does not exist/m,
    );
  });
});
