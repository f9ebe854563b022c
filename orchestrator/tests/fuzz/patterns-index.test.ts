import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parsePatternIndex } from '../../src/patterns/load-index.js';
import {
  expectValueOrError,
  FUZZ_SEED,
  fuzzOptions,
  parserInput,
  sample,
  sourceOf,
} from '../helpers/fuzz.js';

describe('fuzz: the patterns index', () => {
  it(`never throws; gives patterns or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput([sample('patterns/index.json')]), (text) => {
        const source = sourceOf('patterns/index.json', text);
        if (!source) return;
        const { patterns, diagnostics } = parsePatternIndex(source, () => true);
        expectValueOrError(patterns, diagnostics);
      }),
      fuzzOptions(),
    );
  });
});
