import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/repo/config-parse.js';
import {
  CLI_RUNS,
  expectValueOrError,
  FUZZ_SEED,
  fuzzOptions,
  mutated,
  parserInput,
  sample,
  sourceOf,
} from '../helpers/fuzz.js';
import { cxo, indexJson, makeRepo, snapshot } from '../helpers/temp-repo.js';

const SAMPLES = [sample('examples/demo/project/codex.config.yaml'), 'guard:\n  require_spec: false\n'];

describe('fuzz: the config parser', () => {
  it(`never throws; gives a config or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(SAMPLES), (text) => {
        const source = sourceOf('codex.config.yaml', text);
        if (!source) return;
        const { config, diagnostics } = parseConfig(source);
        expectValueOrError(config, diagnostics);
      }),
      fuzzOptions(),
    );
  });

  it(`through the CLI: never exit 3, nothing written (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(mutated(SAMPLES), (text) => {
        const dir = makeRepo({ 'codex.config.yaml': text, 'codex.tasks.json': indexJson([]) });
        const before = snapshot(dir);
        for (const args of [['validate'], ['tasks', 'list']]) {
          const r = cxo(dir, args, { CXO_NO_CACHE: '1' });
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(3);
        }
        expect(snapshot(dir)).toEqual(before);
      }),
      fuzzOptions(CLI_RUNS),
    );
  });
});
