import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../src/repo/diagnostics.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';
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
import { cxo, makeRepo, snapshot } from '../helpers/temp-repo.js';

const SAMPLES = [
  sample('examples/demo/project/codex.tasks.json'),
  sample('orchestrator/tests/fixtures/import/devonboarder/codex.tasks.json'),
];

describe('fuzz: the task index parser (fast and full)', () => {
  it(`never throws; gives an index or a positioned error (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(parserInput(SAMPLES), (text) => {
        const source = sourceOf('codex.tasks.json', text);
        if (!source) return;
        for (const mode of ['fast', 'full'] as const) {
          const { index, diagnostics } = parseTaskIndex(source, mode);
          expectValueOrError(hasErrors(diagnostics) ? undefined : index, diagnostics);
        }
      }),
      fuzzOptions(),
    );
  });

  it(`through the CLI: never exit 3, nothing written (seed ${FUZZ_SEED})`, () => {
    fc.assert(
      fc.property(mutated(SAMPLES), (text) => {
        const dir = makeRepo({ 'codex.tasks.json': text });
        const before = snapshot(dir);
        for (const args of [['validate'], ['tasks', 'list']]) {
          const r = cxo(dir, args, { CXO_NO_CACHE: '1' });
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(3);
          if (r.code !== 0) expect(r.stderr).toMatch(/codex\.tasks\.json(:\d+:\d+)?: error/);
        }
        expect(snapshot(dir)).toEqual(before);
      }),
      fuzzOptions(CLI_RUNS),
    );
  });
});
