import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeTaskIndexes } from '../../src/repo/task-index-merge.js';
import { CLI_RUNS, FUZZ_SEED, fuzzOptions, mutated, parserInput } from '../helpers/fuzz.js';
import { cxo, indexJson, makeRepo } from '../helpers/temp-repo.js';

const BASE = indexJson([
  { id: 'a', title: 'A', dependsOn: ['b'], status: { phase: 'pending' } },
  { id: 'b', title: 'B', request: 'r1', status: { phase: 'done', updatedAt: '2026-01-01T00:00:00Z' } },
]);
const SIDES = [
  BASE,
  BASE.replace('"A"', '"A2"'),
  BASE.replace('"pending"', '"review"'),
  indexJson([
    { id: 'a', title: 'A' },
    { id: 'c', title: 'C', constructor: 'x', toString: 1 },
  ]),
];

/** A clean merge is a JSON document; a conflicted one is our text with git conflict markers. */
function expectUsable(text: string, conflicts: number): void {
  if (conflicts === 0) expect(() => JSON.parse(text.replace(/^\ufeff/, ''))).not.toThrow();
  else expect(text).toMatch(/^<<<<<<< ours\r?$/m);
}

describe('fuzz: the task index merge driver', () => {
  it(`never throws; a clean merge parses, a conflict is marked (seed ${FUZZ_SEED})`, () => {
    const side = parserInput(SIDES);
    fc.assert(
      fc.property(side, side, side, (base, ours, theirs) => {
        const result = mergeTaskIndexes(base, ours, theirs);
        expectUsable(result.text, result.conflicts.length);
      }),
      fuzzOptions(),
    );
  });

  it(`through the CLI: exit 0 or 1, never 3; only %A changes (seed ${FUZZ_SEED})`, () => {
    const side = mutated(SIDES);
    fc.assert(
      fc.property(side, side, side, (base, ours, theirs) => {
        const dir = makeRepo({ O: base, A: ours, B: theirs });
        const r = cxo(dir, ['merge-driver', 'O', 'A', 'B']);
        expect([0, 1], r.stderr).toContain(r.code);
        expect(readFileSync(join(dir, 'O'), 'utf8')).toBe(base);
        expect(readFileSync(join(dir, 'B'), 'utf8')).toBe(theirs);
        const merged = readFileSync(join(dir, 'A'), 'utf8');
        if (r.code === 0) expectUsable(merged, 0);
        else expect(merged === ours || /^<<<<<<< ours\r?$/m.test(merged)).toBe(true);
      }),
      fuzzOptions(CLI_RUNS * 2),
    );
  });
});
