import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, cxo, gitIn, makeRepo, read } from '../helpers/temp-repo.js';

const DRIVER_KEY = 'merge.codex-tasks.driver';
const OURS = `'${process.execPath}' '${CLI}' merge-driver %O %A %B`;

/** A repository set up by `cxo init`, committed on main. */
function initialisedRepo(): string {
  const dir = makeRepo({}, { git: true });
  expect(cxo(dir, ['init']).code).toBe(0);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-qm', 'cxo init');
  return dir;
}

/** The warnings `cxo validate` gives about the merge driver. */
function driverWarnings(dir: string): string[] {
  const r = cxo(dir, ['validate']);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => l.includes('warning[merge-driver]'));
}

describe('the merge driver cxo init registers', () => {
  it('runs under a real git merge with cxo from a checkout (no npm install): both added tasks kept', () => {
    const dir = initialisedRepo();
    expect(gitIn(dir, 'config', DRIVER_KEY).trim()).toBe(OURS);
    for (const [name, title] of [
      ['one', 'Added on one'],
      ['two', 'Added on two'],
    ]) {
      gitIn(dir, 'checkout', '-q', '-b', name, 'main');
      // both append a task at the end of the same array: a line merge would conflict
      expect(cxo(dir, ['tasks', 'add', '--title', title, '--commit']).code).toBe(0);
    }
    gitIn(dir, 'checkout', '-q', 'one');
    const merge = spawnSync('git', ['merge', '--no-edit', 'two'], { cwd: dir, encoding: 'utf8' });
    expect(merge.status, merge.stdout + merge.stderr).toBe(0);
    const text = read(dir, 'codex.tasks.json');
    expect(text).not.toMatch(/<<<<<<<|>>>>>>>/);
    const titles = JSON.parse(text).tasks.map((t: { title: string }) => t.title);
    expect(titles).toEqual(expect.arrayContaining(['Added on one', 'Added on two']));
    expect(driverWarnings(dir)).toEqual([]);
  });

  it('validate warns, at the .gitattributes line, when the driver cannot start; init re-registers it', () => {
    const dir = initialisedRepo();
    gitIn(dir, 'config', DRIVER_KEY, `'${process.execPath}' '/nonexistent/cxo.js' merge-driver %O %A %B`);
    expect(driverWarnings(dir)).toEqual([
      '.gitattributes:1:18: warning[merge-driver]: merge.codex-tasks.driver cannot start: its script /nonexistent/cxo.js does not exist; git merges the task index with conflict markers instead',
    ]);
    const init = cxo(dir, ['init', '--json']);
    expect(JSON.parse(init.stdout)).toMatchObject({ mergeDriver: 're-registered' });
    expect(gitIn(dir, 'config', DRIVER_KEY).trim()).toBe(OURS);
    expect(driverWarnings(dir)).toEqual([]);
    // idempotent once it starts
    expect(JSON.parse(cxo(dir, ['init', '--json']).stdout)).toMatchObject({
      created: [],
      mergeDriver: 'already registered',
    });
  });

  it('replaces the old npx form; keeps a command of another form, which validate says is not ours', () => {
    const dir = initialisedRepo();
    gitIn(dir, 'config', DRIVER_KEY, 'npx --no-install cxo merge-driver %O %A %B');
    expect(driverWarnings(dir)[0]).toMatch(/cannot start: it is the old `npx --no-install cxo` form/);
    expect(JSON.parse(cxo(dir, ['init', '--json']).stdout)).toMatchObject({ mergeDriver: 're-registered' });
    expect(gitIn(dir, 'config', DRIVER_KEY).trim()).toBe(OURS);

    gitIn(dir, 'config', DRIVER_KEY, 'my-own-merge %O %A %B');
    expect(driverWarnings(dir)[0]).toMatch(/cannot start: it is not cxo's form/);
    expect(cxo(dir, ['init']).stdout).toMatch(/skipped\s+git config merge\.codex-tasks .*not cxo's/);
    expect(gitIn(dir, 'config', DRIVER_KEY).trim()).toBe('my-own-merge %O %A %B');

    gitIn(dir, 'config', '--unset', DRIVER_KEY);
    expect(driverWarnings(dir)[0]).toMatch(/git has no merge\.codex-tasks\.driver registered/);
  });
});
