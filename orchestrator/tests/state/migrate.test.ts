/**
 * `cxo state migrate` and `cxo state show`, with the built CLI on real git repositories: an inline
 * repository with runs, a sign-off and a watcher's dispatch moves to `gitops.state: ref` without
 * losing a status, a run or a claim; bad moments to migrate are refused with nothing written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/repo/config.js';
import { StateRef } from '../../src/state/state-ref.js';
import { cxo, gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const CONFIG = `# the team's settings
guard:
  require_spec: false # no specs in this repository
agents:
  manager: none
  builder: "command:printf 'hello\\\\n' > greeting.txt"
`;
const tasks = [
  { id: 't1', title: 'One', acceptance: ['grep -q hello greeting.txt'] },
  { id: 't2', title: 'Two', acceptance: ['grep -q hello greeting.txt'] },
  { id: 't3', title: 'Three', acceptance: ['grep -q hello greeting.txt'], request: 'r1' },
  { id: 't4', title: 'Four', acceptance: ['grep -q hello greeting.txt'] },
];

interface Listed {
  tasks: { id: string; phase: string; lastRun?: string }[];
}
const phases = (dir: string) =>
  (JSON.parse(cxo(dir, ['tasks', 'list', '--json']).stdout) as Listed).tasks.map((t) => [t.id, t.phase]);
const stateTip = (dir: string) => {
  const config = defaultConfig();
  config.gitops.state = 'ref';
  return new StateRef({ root: dir, ref: 'refs/heads/cxo/state' }).snapshot().commit;
};

function inlineRepo() {
  // an inline repository that commits its evidence, as repositories from before the state ref do
  const dir = makeRepo({ 'codex.config.yaml': CONFIG, 'codex.tasks.json': indexJson(tasks) }, { git: true });
  for (const id of ['t1', 't2']) {
    const run = cxo(dir, ['run', id]);
    expect(run.code, run.stderr).toBe(0);
  }
  const review = cxo(dir, ['review', 't1', '--approve', '--by', 'bob']);
  expect(review.code, review.stderr).toBe(0);
  const watch = cxo(dir, ['watch', '--once']);
  expect(watch.code, watch.stdout + watch.stderr).toBe(0);
  return dir;
}

describe('cxo state migrate', () => {
  it('moves statuses, runs and claims to the state ref, then commits gitops.state: ref and untracks .runs/', () => {
    const dir = inlineRepo();
    const before = phases(dir);
    expect(before).toEqual([
      ['t1', 'done'],
      ['t2', 'review'],
      ['t3', 'review'],
      ['t4', 'pending'],
    ]);
    const head = gitIn(dir, 'rev-parse', 'HEAD').trim();
    expect(gitIn(dir, 'ls-files', '.runs')).toContain('manifest.json');
    const shown = cxo(dir, ['state', 'show']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('empty: statuses are in the task index');

    // a dry run writes nothing
    const dry = JSON.parse(cxo(dir, ['state', 'migrate', '--dry-run', '--json']).stdout) as Record<
      string,
      unknown
    >;
    expect(dry).toMatchObject({ statuses: 3, runs: 3, claims: 1, configChanged: true, dryRun: true });
    expect(stateTip(dir)).toBeUndefined();
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(head);

    const migrated = cxo(dir, ['state', 'migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('copied 3 status(es), 3 run(s) and 1 claim(s) to the state ref');
    // one commit on the branch: the config (comments kept), .gitignore, .runs/ untracked but on disk
    expect(gitIn(dir, 'rev-list', '--count', `${head}..HEAD`).trim()).toBe('1');
    const config = read(dir, 'codex.config.yaml');
    expect(config).toContain("# the team's settings");
    expect(config).toContain('require_spec: false # no specs in this repository');
    expect(config).toMatch(/gitops:\n {2}state: ref\n/);
    expect(read(dir, '.gitignore')).toBe('.runs/\n');
    expect(gitIn(dir, 'ls-files', '.runs')).toBe('');
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(dir, '.runs'))).toBe(true);

    // every reader shows the same statuses, now from the state ref; the evidence verifies
    expect(phases(dir)).toEqual(before);
    const verify = cxo(dir, ['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const summary = JSON.parse(cxo(dir, ['state', 'show', '--json']).stdout) as {
      mode: string;
      statuses: { tasks: number; byPhase: Record<string, number> };
      runs: { total: number };
      claims: { total: number; leased: number };
    };
    expect(summary).toMatchObject({
      mode: 'ref',
      statuses: { tasks: 3, byPhase: { done: 1, review: 2 } },
      runs: { total: 3 },
      claims: { total: 1, leased: 0 },
    });

    // the watcher's dispatch of t3's request is a claim now: it does not run again
    const again = cxo(dir, ['watch', '--once']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(cxo(dir, ['runs', 'list', '--json']).stdout).runs).toHaveLength(3);

    // a second migration finds nothing to copy and nothing to commit
    const tip = gitIn(dir, 'rev-parse', 'HEAD').trim();
    const rerun = cxo(dir, ['state', 'migrate']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('copied 0 status(es), 0 run(s) and 0 claim(s)');
    expect(rerun.stdout).toContain('(3 status(es) it had already kept)');
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(tip);

    // and a run from now on writes to the state ref only
    const run = cxo(dir, ['run', 't4']);
    expect(run.code, run.stderr).toBe(0);
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(tip);
    expect(phases(dir).at(-1)).toEqual(['t4', 'review']);
  }, 180_000);

  it('refuses, writing nothing, when the config has uncommitted changes', () => {
    const dir = makeRepo(
      { 'codex.config.yaml': CONFIG, 'codex.tasks.json': indexJson(tasks) },
      { git: true },
    );
    expect(cxo(dir, ['run', 't1']).code).toBe(0);
    writeFileSync(join(dir, 'codex.config.yaml'), `${CONFIG}concurrency: 3\n`);
    const head = gitIn(dir, 'rev-parse', 'HEAD').trim();
    const refused = cxo(dir, ['state', 'migrate']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('codex.config.yaml has uncommitted changes');
    expect(stateTip(dir)).toBeUndefined();
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(readFileSync(join(dir, 'codex.config.yaml'), 'utf8')).toBe(`${CONFIG}concurrency: 3\n`);
  }, 60_000);
});
