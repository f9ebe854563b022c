/**
 * Claims on the state ref, shared through a bare remote: watchers in two clones run each request
 * once, and a watcher killed with its run lets its claim's lease run out, after which the other
 * clone takes the task over (and the killed clone, restarted, does not resume what was taken).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses } from '../../src/state/state-statuses.js';
import { claimPathOf } from '../../src/state/state-layout.js';
import { cxoAsync, sleep, waitFor } from '../helpers/run-repo.js';
import { sharedRemote } from '../helpers/shared-remote.js';
import { CLI, cxo, indexJson } from '../helpers/temp-repo.js';

// slow only in a clone whose git directory has a `slow` file: the config is shared, the clones are not
const BUILDER = [
  '#!/bin/sh',
  'if [ -f "$(git rev-parse --git-common-dir)/slow" ]; then sleep 30; fi',
  'printf "hello\\n" > greeting.txt',
  '',
].join('\n');
const CONFIG = `guard:
  require_spec: false
agents:
  manager: none
  builder: "command:sh build.sh"
gitops:
  state: ref
  push: true
  claim_lease_seconds: 5
`;
const tasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `t${i + 1}`,
    title: `Greeting ${i + 1}`,
    acceptance: ['grep -q hello greeting.txt'],
    request: 'r1',
  }));

/** A bare remote holding `n` requested tasks, and clones of it. */
const remoteOf = (n: number) =>
  sharedRemote(
    {
      'codex.config.yaml': CONFIG,
      'codex.tasks.json': indexJson(tasks(n)),
      'build.sh': BUILDER,
      '.gitignore': '.runs/\n',
    },
    'cxo-claims-',
  );

/** The state as the remote has it (the bare repository's own branch). */
const remoteState = (bare: string) => new StateRef({ root: bare, ref: 'refs/heads/cxo/state' }).snapshot();
const claimsOf = (bare: string, task: string) =>
  remoteState(bare).readJson<{
    claims: { runId: string; request: string; attempt: number; takes?: string }[];
  }>(claimPathOf(task))?.claims ?? [];
const runsOn = (bare: string, task: string) => [
  ...remoteState(bare)
    .list(`runs/${claimPathOf(task).split('/')[1]}/${task}`)
    .keys(),
];

describe('claims shared through the remote (gitops.state: ref)', () => {
  it('two watchers in two clones, started together, run each request exactly once', async () => {
    const { bare, clone } = remoteOf(3);
    const a = clone('a');
    const b = clone('b');
    const [ra, rb] = await Promise.all([cxoAsync(a, ['watch', '--once']), cxoAsync(b, ['watch', '--once'])]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const dispatched = (ra.stdout + rb.stdout).match(/^dispatch /gm) ?? [];
    expect(dispatched).toHaveLength(3);
    for (const { id } of tasks(3)) {
      expect(claimsOf(bare, id)).toHaveLength(1);
      expect(runsOn(bare, id)).toHaveLength(1);
      expect(readStatuses(remoteState(bare)).byTask.get(id)?.phase).toBe('review');
    }
    // a later pass in either clone has nothing to do
    const again = cxo(b, ['watch', '--once']);
    expect(again.stdout).not.toMatch(/^dispatch /m);
  }, 120_000);

  it('a watcher killed mid-run: its lease runs out, the other clone takes the task over, and the first does not resume it', async () => {
    const { bare, clone } = remoteOf(1);
    const a = clone('a');
    const b = clone('b');
    writeFileSync(join(a, '.git', 'slow'), '');
    const watcher = spawn(process.execPath, [CLI, 'watch', '--once'], {
      cwd: a,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
      detached: true,
    });
    await waitFor(
      () => readStatuses(remoteState(bare)).byTask.get('t1')?.phase === 'running',
      30_000,
      'the run in clone a to write its running status',
    );
    const [first] = claimsOf(bare, 't1');
    // the machine dies: the watcher and its run, at once
    process.kill(-watcher.pid!, 'SIGKILL');

    // while the lease lasts, the other clone leaves the task alone
    const early = cxo(b, ['watch', '--once']);
    expect(early.stdout).not.toMatch(/^dispatch /m);
    await sleep(5500);
    const late = await cxoAsync(b, ['watch', '--once']);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toContain(`taking over run ${first.runId}`);
    const [taken] = claimsOf(bare, 't1');
    expect(taken).toMatchObject({ request: 'r1', attempt: 1, takes: first.runId });
    const status = readStatuses(remoteState(bare)).byTask.get('t1');
    expect(status).toMatchObject({ phase: 'review', lastRun: { id: taken.runId } });

    // clone a comes back: its stalled run was taken over, so it is not resumed
    const back = cxo(a, ['watch', '--once'], { CXO_STALL_MS: '200' });
    expect(back.stdout).toContain(`taken over by run ${taken.runId}`);
    expect(back.stdout).not.toMatch(/^(dispatch|resume) /m);
    expect(readStatuses(remoteState(bare)).byTask.get('t1')).toEqual(status);
  }, 120_000);
});
