import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseEvalScenario } from '../../src/eval/load-scenario.js';
import { expectValueOrError, FUZZ_SEED, fuzzOptions, parserInput, sample } from '../helpers/fuzz.js';
import { PROJECT_ROOT } from '../helpers/temp-repo.js';

const SAMPLES = ['fixture-slugify.yaml', 'minimist-negated-flags.yaml'].map((f) =>
  sample(`evaluation/scenarios/${f}`),
);

describe('fuzz: evaluation scenarios', () => {
  it(`never throw; give a scenario or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(SAMPLES), (text) => {
        const { scenario, diagnostics } = parseEvalScenario(
          'evaluation/scenarios/x.yaml',
          Buffer.from(text),
          `${PROJECT_ROOT}/evaluation`,
        );
        if (diagnostics.some((d) => d.code === 'binary-file' || d.code === 'encoding')) return;
        expectValueOrError(scenario, diagnostics);
      }),
      fuzzOptions(),
    );
  });
});
