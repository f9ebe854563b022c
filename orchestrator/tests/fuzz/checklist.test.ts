import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseChecklist } from '../../src/repo/checklist.js';
import { expectPositioned, FUZZ_SEED, fuzzOptions, parserInput, sample, sourceOf } from '../helpers/fuzz.js';

const SAMPLES = [sample('examples/demo/project/tasks/tasks-0001-slugs.md')];

describe('fuzz: the checklist parser', () => {
  it(`never throws; every error is positioned (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(SAMPLES), (text) => {
        const source = sourceOf('tasks/tasks-0001-a.md', text);
        if (!source) return;
        expectPositioned(parseChecklist(source).diagnostics);
      }),
      fuzzOptions(),
    );
  });
});
