import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenarioText, ScenarioError } from '../../src/model-server/load-scenario.js';
import { expectPositioned, FUZZ_SEED, fuzzOptions, parserInput, sample } from '../helpers/fuzz.js';

describe('fuzz: model-server scenarios', () => {
  it(`never throw anything but a ScenarioError with positioned diagnostics (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput([sample('examples/demo/scenario.yaml')]), (text) => {
        try {
          expectPositioned(parseScenarioText('scenario.yaml', text).diagnostics);
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
          const { diagnostics } = e as ScenarioError;
          if (/unreadable/.test((e as Error).message)) return;
          expect(diagnostics.length).toBeGreaterThan(0);
          expectPositioned(diagnostics);
        }
      }),
      fuzzOptions(),
    );
  });
});
