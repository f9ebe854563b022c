import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parsePrd, parseSpec } from '../../src/repo/markdown-docs.js';
import {
  expectValueOrError,
  FUZZ_SEED,
  fuzzOptions,
  parserInput,
  sample,
  sourceOf,
} from '../helpers/fuzz.js';

const SPECS = [sample('examples/demo/project/specs/0001-slugify.md')];
const PRDS = [sample('examples/demo/project/tasks/0001-prd-slugs.md')];

describe('fuzz: front matter (spec and PRD)', () => {
  it(`specs: never throw; a spec or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(SPECS), (text) => {
        const source = sourceOf('specs/0001-a.md', text);
        if (!source) return;
        const { spec, diagnostics } = parseSpec(source);
        expectValueOrError(spec, diagnostics);
      }),
      fuzzOptions(),
    );
  });

  it(`PRDs: never throw; a PRD or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(PRDS), (text) => {
        const source = sourceOf('tasks/0001-prd-a.md', text);
        if (!source) return;
        const { prd, diagnostics } = parsePrd(source);
        expectValueOrError(prd, diagnostics);
      }),
      fuzzOptions(),
    );
  });
});
