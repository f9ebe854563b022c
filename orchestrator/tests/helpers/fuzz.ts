import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/repo/diagnostics.js';
import { decodeSource, type SourceText } from '../../src/repo/source-text.js';
import { ALIAS_BOMB } from './bad-inputs.js';
import { PROJECT_ROOT } from './temp-repo.js';

/**
 * Property-based fuzzing of the parsers. Fixed seeds: fast-check prints the seed and the shrunk
 * counterexample on failure, so a failure replays exactly (`{ seed, path }` in fc.assert).
 */
export const FUZZ_SEED = 20261202;
/** In-process runs per property: cheap, the parsers are pure. */
export const IN_PROCESS_RUNS = 100;
/** Runs through the built CLI per file family: each costs a process start. */
export const CLI_RUNS = 3;

export function fuzzOptions(numRuns = IN_PROCESS_RUNS): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns };
}

/** A file of the project, as a sample for mutation. */
export function sample(path: string): string {
  return readFileSync(join(PROJECT_ROOT, path), 'utf8');
}

// what breaks parsers: brackets, quotes, escapes, YAML syntax, prototype names, ids git refuses
const PIECES = [
  '',
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  '\n',
  '\t',
  ' ',
  '\r\n',
  '\ufeff',
  '\u0000',
  '#',
  '---\n',
  '...\n',
  '&a ',
  '*a',
  '*zz',
  '- ',
  '? ',
  '| ',
  '!!binary ',
  '<<: ',
  '%YAML 1.1\n',
  'null',
  'true',
  '1e999',
  '-0',
  '"\\u0000"',
  '"\\ud800"',
  '"constructor"',
  '"__proto__"',
  '"toString"',
  '"hasOwnProperty"',
  'constructor: 1\n',
  '__proto__: {a: 1}\n',
  'toString: x\n',
  '"id": "a..b"',
  '"id": "x.lock"',
  '"id": "trailing."',
  '[[[[[[[[[[[[[[[[',
  '{"a":{"a":{"a":',
  '- - - - - - - -',
  ALIAS_BOMB,
];

/** A sample text with up to eight random edits: insert a piece, delete a range, or duplicate a slice. */
export function mutated(samples: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom(...PIECES), fc.boolean());
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { maxLength: 8 })).map(([text, edits]) =>
    edits.reduce((t, [at, length, piece, duplicate]) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + (duplicate ? t.slice(i, i + length) + piece : piece) + t.slice(i + length);
    }, text),
  );
}

/** Random text, mutated samples, and documents nested past the limit. */
export function parserInput(samples: readonly string[]): fc.Arbitrary<string> {
  // JSON far past the limit is cheap to generate and parse; YAML that deep is slow, so it stays shallower
  const deepJson = fc.tuple(fc.integer({ min: 10000, max: 20000 }), fc.constant('['), fc.boolean());
  const deepAny = fc.tuple(
    fc.integer({ min: 250, max: 1200 }),
    fc.constantFrom('[', '{"a":', '- ', '{a: '),
    fc.boolean(),
  );
  const deep = fc.oneof(deepJson, deepAny).map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : open.startsWith('{') ? '}' : '';
    return open.repeat(depth) + (closed ? `1${close.repeat(depth)}` : '');
  });
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 6, arbitrary: mutated(samples) },
    { weight: 1, arbitrary: deep },
  );
}

/** The text as the loader would see it, or undefined when decoding already refused it. */
export function sourceOf(file: string, text: string): SourceText | undefined {
  return decodeSource(file, Buffer.from(text, 'utf8')).source;
}

// findings about a whole file, before there are lines: a NUL byte, the size cap, a read error
const WHOLE_FILE = new Set(['binary-file', 'file-too-large', 'io']);

/** Every error names a line and a column and quotes the line (or is about the whole file). */
export function expectPositioned(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity !== 'error' || WHOLE_FILE.has(d.code)) continue;
    expect(d.line, d.message).toBeGreaterThan(0);
    expect(d.column, d.message).toBeGreaterThan(0);
    expect(typeof d.sourceLine, d.message).toBe('string');
  }
}

/** A parse either gives a value or at least one positioned error. */
export function expectValueOrError(value: unknown, diagnostics: readonly Diagnostic[]): void {
  expectPositioned(diagnostics);
  if (value === undefined) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
}
