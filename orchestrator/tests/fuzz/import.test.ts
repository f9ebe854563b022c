import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../src/repo/diagnostics.js';
import { convertImport } from '../../src/import/index.js';
import { expectPositioned, FUZZ_SEED, fuzzOptions, parserInput, sample } from '../helpers/fuzz.js';

const FIXTURES = 'orchestrator/tests/fixtures/import';
const FORMATS = {
  devonboarder: [`${FIXTURES}/devonboarder/codex.tasks.json`, `${FIXTURES}/devonboarder/bad-entries.json`],
  'co-index': [`${FIXTURES}/co-index/index.json`, `${FIXTURES}/co-index/index-with-specs.json`],
  taskmaster: [`${FIXTURES}/taskmaster/tasks.json`, `${FIXTURES}/taskmaster/legacy-tasks.json`],
  checklist: [`${FIXTURES}/checklist/tasks-0002-prd-notifications.md`],
} as const;

describe('fuzz: the import formats', () => {
  for (const [format, files] of Object.entries(FORMATS)) {
    it(`${format}: never throws; errors are positioned and leave no tasks to write (seed ${FUZZ_SEED})`, () => {
      fc.assert(
        fc.property(parserInput(files.map(sample)), (text) => {
          const result = convertImport(format as keyof typeof FORMATS, 'input', text);
          expectPositioned(result.diagnostics);
          if (!hasErrors(result.diagnostics)) expect(() => JSON.stringify(result.tasks)).not.toThrow();
        }),
        fuzzOptions(),
      );
    });
  }
});
