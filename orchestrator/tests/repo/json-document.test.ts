import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/repo/diagnostics.js';
import { parseJson } from '../../src/repo/json-document.js';
import { decodeSource } from '../../src/repo/source-text.js';

const src = (text: string) => decodeSource('codex.tasks.json', Buffer.from(text)).source!;

describe('parseJson', () => {
  it('reports a truncated document at its end', () => {
    const { doc, diagnostics } = parseJson(src('{\n  "version": 1,\n  "tasks": [\n    {"id": "a"'));
    expect(doc).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ code: 'json-syntax', line: 4 });
    expect(diagnostics[0].message).toMatch(/truncated/);
  });

  it('points at a trailing comma and quotes its line', () => {
    const { diagnostics } = parseJson(src('{\n  "version": 1,\n  "tasks": [],\n}\n'));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      line: 3,
      column: 14,
      message: expect.stringMatching(/trailing comma/),
    });
    expect(formatDiagnostic(diagnostics[0])).toContain('codex.tasks.json:3:14: error[json-syntax]');
    expect(formatDiagnostic(diagnostics[0])).toContain('3 |   "tasks": [],');
  });

  it('finds duplicate keys that JSON.parse would silently drop', () => {
    const { doc, diagnostics } = parseJson(src('{\n  "version": 1,\n  "version": 2\n}\n'));
    expect(doc).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ code: 'duplicate-key', line: 3, column: 3 });
    expect(diagnostics[0].message).toContain('first at line 2');
  });

  it('refuses comments and empty files', () => {
    expect(parseJson(src('{ // no\n}')).diagnostics[0].message).toMatch(/comments/);
    expect(parseJson(src('  \n')).diagnostics[0].message).toMatch(/empty/);
  });

  it('in fast mode trusts JSON.parse but still locates fields on demand', () => {
    const { doc } = parseJson(src('{\n  "a": {\n    "b": [1, 2]\n  }\n}\n'), { mode: 'fast' });
    const d = doc!.diagnosticAt(['a', 'b', 1], 'error', 'x', 'here');
    expect(d).toMatchObject({ line: 3, column: 14 });
  });

  it('in fast mode falls back to the full parse for precise errors', () => {
    const { diagnostics } = parseJson(src('{"a": 1,,}'), { mode: 'fast' });
    expect(diagnostics[0]).toMatchObject({ line: 1, code: 'json-syntax' });
  });
});

describe('decodeSource', () => {
  it('accepts a BOM, remembers it, and strips it from the text', () => {
    const { source } = decodeSource('f.json', Buffer.from('\ufeff{}\r\n'));
    expect(source).toMatchObject({ bom: true, text: '{}\r\n', eol: '\r\n' });
  });

  it('refuses binary, non-UTF-8 and oversized files', () => {
    expect(decodeSource('f', Buffer.from([0x7b, 0x00, 0x7d])).diagnostics[0].code).toBe('binary-file');
    const latin1 = decodeSource('f', Buffer.from([0x7b, 0x0a, 0x22, 0xe9, 0x22, 0x7d]));
    expect(latin1.diagnostics[0]).toMatchObject({ code: 'encoding', line: 2, column: 2 });
    expect(decodeSource('f', Buffer.alloc(2048, 0x20), 1024).diagnostics[0].code).toBe('file-too-large');
  });
});

describe('duplicate keys', () => {
  const dups = (text: string) =>
    parseJson(src(text)).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);

  it('are found at any depth, and only within the same object', () => {
    const text =
      '{\n  "a": [{"x": 1, "y": 2}, {"x": 3}],\n  "b": {"x": {"x": 1}},\n  "c": [[{"k": 1, "k": 2}]]\n}\n';
    expect(dups(text)).toEqual(['4:19 duplicate key "k" (first at line 4)']);
  });

  it('are not fooled by quotes, colons and braces inside strings', () => {
    expect(dups('{"a\\"b": "x:{", "a\\\\": "}", "k": "\\\\", "q": 1}')).toEqual([]);
    expect(dups('{"a\\"b": 1, "a\\"b": 2}')).toEqual(['1:13 duplicate key "a"b" (first at line 1)']);
    // the same key after an escape-decoding: "\\u0061" is "a"
    expect(dups('{"a": 1, "\\u0061": 2}')).toEqual(['1:10 duplicate key "a" (first at line 1)']);
  });
});
