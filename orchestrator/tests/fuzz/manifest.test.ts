import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../src/repo/manifest-check.js';
import { listRuns } from '../../src/runs/run-index.js';
import { expectPositioned, FUZZ_SEED, fuzzOptions, parserInput } from '../helpers/fuzz.js';
import { makeRepo } from '../helpers/temp-repo.js';

const DIR = '.runs/t1/20261202-000000000-abcd';
const MANIFEST = JSON.stringify(
  {
    schemaVersion: 1,
    run: { id: '20261202-000000000-abcd', branch: 'codex/t1/20261202-000000000-abcd' },
    task: { id: 't1' },
    result: { status: 'failed', reason: 'AdapterFailed', error: null },
    steps: [],
    artifacts: [],
  },
  null,
  2,
);

describe('fuzz: the run manifest readers', () => {
  it(`checkManifest and listRuns never throw on a damaged manifest (seed ${FUZZ_SEED})`, () => {
    const root = makeRepo({});
    mkdirSync(join(root, DIR), { recursive: true });
    fc.assert(
      fc.property(parserInput([MANIFEST]), (text) => {
        writeFileSync(join(root, DIR, 'manifest.json'), text);
        const check = checkManifest(root, `${DIR}/manifest.json`);
        expect(check.exists).toBe(true);
        expectPositioned(check.problems);
        for (const run of listRuns(root)) expect(typeof run.manifest.run.id).toBe('string');
      }),
      fuzzOptions(),
    );
  });
});
