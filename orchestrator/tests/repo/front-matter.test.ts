import { describe, expect, it } from 'vitest';
import { parseFrontMatter, setFrontMatterFields } from '../../src/repo/front-matter.js';
import { parseSpec } from '../../src/repo/markdown-docs.js';
import { decodeSource } from '../../src/repo/source-text.js';

const src = (text: string, file = 'specs/0001-a.md') => decodeSource(file, Buffer.from(text)).source!;

describe('front matter', () => {
  it('reports an unterminated block at line 1', () => {
    const { diagnostics } = parseFrontMatter(src('---\nid: a\ntitle: b\n\n# Body\n'));
    expect(diagnostics[0]).toMatchObject({
      line: 1,
      code: 'front-matter',
      message: expect.stringMatching(/not terminated/),
    });
  });

  it('maps YAML errors to file lines: tabs, bad indentation, duplicate keys', () => {
    const tab = parseFrontMatter(src('---\nowners:\n\t- a\n---\n'));
    expect(tab.diagnostics[0]).toMatchObject({ line: 3, column: 1, message: expect.stringMatching(/tab/) });
    const indent = parseFrontMatter(src('---\nid: a\nrisk:\n  level: 1\n bad: 2\n---\n'));
    expect(indent.diagnostics[0]).toMatchObject({ line: 5, message: expect.stringMatching(/indentation/) });
    const dup = parseFrontMatter(src('---\nid: a\ntitle: t\nid: b\n---\n'));
    expect(dup.diagnostics[0]).toMatchObject({ line: 4, column: 1, code: 'duplicate-key' });
  });

  it('validates spec fields with positions, including impossible dates', () => {
    const text =
      '---\nid: s\ntitle: T\nstatus: aproved\nowners: [a]\nrisk: low\nlast_review: 2026-02-30\nextra: 1\n---\nbody\n';
    const { spec, diagnostics } = parseSpec(src(text));
    expect(spec).toBeUndefined();
    const byCode = Object.fromEntries(
      diagnostics.map((d) => [d.code + (d.severity === 'warning' ? '!' : ''), d]),
    );
    expect(byCode.schema).toMatchObject({ line: 4, column: 9 });
    expect(byCode['invalid-date']).toMatchObject({
      line: 7,
      column: 14,
      message: expect.stringContaining('2026-02-30'),
    });
    expect(byCode['unknown-field!']).toMatchObject({ line: 8, column: 1 });
  });

  it('accepts 29 February in a leap year only', () => {
    const leap = (d: string) =>
      `---\nid: s\ntitle: T\nstatus: draft\nowners: [a]\nrisk: low\nlast_review: ${d}\n---\n`;
    expect(parseSpec(src(leap('2028-02-29'))).spec).toBeDefined();
    expect(parseSpec(src(leap('2026-02-29'))).diagnostics[0].code).toBe('invalid-date');
  });

  it('edits a field without touching comments, unknown keys, other fields or the body', () => {
    const text =
      '---\nid: s   # the id\ntitle: "Quoted title"\nlast_review: 2026-01-01\nx-custom: {keep: me}\nowners:\n  - a\n---\n# Body\n\n  keep   this  \n';
    const doc = parseFrontMatter(src(text)).doc!;
    const out = setFrontMatterFields(doc, { last_review: '2026-11-21' });
    expect(out).toBe(text.replace('last_review: 2026-01-01', 'last_review: 2026-11-21'));
  });

  it('appends new fields at the end of the front matter and replaces block collections whole', () => {
    const text = '---\nid: s\nowners:\n  - a\n  - b\ntitle: T\n---\nbody\n';
    const doc = parseFrontMatter(src(text)).doc!;
    const out = setFrontMatterFields(doc, { owners: ['c'], approvals: [{ by: 'c', at: '2026-11-21' }] });
    expect(out).toBe(
      '---\nid: s\nowners:\n  - c\ntitle: T\napprovals:\n  - by: c\n    at: 2026-11-21\n---\nbody\n',
    );
    expect(parseFrontMatter(src(out)).doc!.data).toEqual({
      id: 's',
      owners: ['c'],
      title: 'T',
      approvals: [{ by: 'c', at: '2026-11-21' }],
    });
  });

  it('keeps CRLF line endings when it edits', () => {
    const text = '---\r\nid: s\r\nlast_review: 2026-01-01\r\n---\r\nbody\r\n';
    const out = setFrontMatterFields(parseFrontMatter(src(text)).doc!, {
      last_review: '2026-02-01',
      risk: 'low',
    });
    expect(out).toBe('---\r\nid: s\r\nlast_review: 2026-02-01\r\nrisk: low\r\n---\r\nbody\r\n');
  });
});
