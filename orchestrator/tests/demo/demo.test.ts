import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/temp-repo.js';

/** `npm run demo` after the build: the README's first command must work on a fresh clone. */
it('the demo runs the whole flow: approve, request, guard, run, verify, review with merge', async () => {
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'scripts/demo.mjs')], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status ?? 1, out }));
  });
  expect(code, out).toBe(0);
  expect(out).toContain('spec guard passed');
  expect(out).toMatch(/builder\s+succeeded: Runs of separators now become one dash/);
  expect(out).toContain('$ npm test  -> exit 0');
  expect(out).toMatch(/carol approved run \S+: task collapse-dashes is done/);
  expect(out).toContain('task collapse-dashes: done');
  expect(out).toMatch(/checklist: - \[x\] 1\.1 .*\(evidence: \.runs\/collapse-dashes\/\S+\/manifest\.json\)/);
  expect(out).toMatch(/cxo\(collapse-dashes\): merge run/);
  expect(out).toContain('the demo repository is removed');
}, 120_000);
