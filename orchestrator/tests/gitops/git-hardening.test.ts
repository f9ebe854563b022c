import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitAsync, gitBytes } from '../../src/git/git.js';
import { gitIn, indexJson, makeRepo } from '../helpers/temp-repo.js';

/** A marker file and a script that appends its name to it (and passes stdin through). */
function trap(): { marker: string; script: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'cxo-trap-'));
  const marker = join(dir, 'marker');
  writeFileSync(marker, '');
  return {
    marker,
    script: (name) => {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\necho ${name} >> '${marker}'\ncat\n`);
      chmodSync(path, 0o755);
      return path;
    },
  };
}

describe('the hardened git runner', () => {
  it("ignores inherited variables that point git at another repository or index; keeps the person's own settings under its pins", () => {
    const dir = makeRepo({ 'a.txt': 'a\n' }, { git: true });
    const other = makeRepo({ 'b.txt': 'b\n' }, { git: true });
    const env = {
      ...process.env,
      GIT_DIR: join(other, '.git'),
      GIT_WORK_TREE: other,
      GIT_INDEX_FILE: join(other, '.git', 'index'),
      GIT_CONFIG_PARAMETERS: "'core.hookspath'='/tmp'",
      // command-scope settings of the person running cxo (a signing key, a CI's credentials)
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'someone else',
      GIT_CONFIG_KEY_1: 'core.hooksPath',
      GIT_CONFIG_VALUE_1: '/tmp',
    };
    expect(git(dir, ['ls-files'], { env }).stdout).toBe('a.txt\n');
    expect(git(dir, ['config', 'user.name'], { env }).stdout.trim()).toBe('someone else');
    expect(
      git(dir, ['config', '--get-all', 'core.hooksPath'], { env }).stdout.trim().split('\n').at(-1),
    ).toBe('/dev/null');
  });

  it('runs no filter, textconv, diff or merge driver the local config (or a file it includes) names; the task-index driver is ours', async () => {
    const { marker, script } = trap();
    const dir = makeRepo({ 'a.txt': 'base\n', 'codex.tasks.json': indexJson([]) }, { git: true });
    writeFileSync(join(dir, 'included'), `[filter "y"]\n\tclean = ${script('included-clean')}\n`);
    writeFileSync(
      join(dir, '.gitattributes'),
      '* filter=x diff=x merge=x\nb.txt filter=y\ncodex.tasks.json merge=codex-tasks\n',
    );
    gitIn(dir, 'add', '.gitattributes');
    gitIn(dir, 'commit', '-qm', 'attributes');
    for (const [key, value] of [
      ['include.path', '../included'],
      ['includeIf.onbranch:nowhere.path', '../included'],
      ['filter.x.clean', script('clean')],
      ['filter.x.smudge', script('smudge')],
      ['filter.x.process', script('process')],
      ['filter.x.required', 'true'],
      ['diff.x.textconv', script('textconv')],
      ['diff.x.command', script('diff-command')],
      ['diff.external', script('diff-external')],
      ['merge.x.driver', script('merge-driver')],
      ['merge.codex-tasks.driver', script('task-driver')],
      ['core.fsmonitor', script('fsmonitor')],
    ])
      gitIn(dir, 'config', key, value);
    // a change on a branch and another on main: the merge needs the drivers
    git(dir, ['checkout', '-q', '-b', 'side']);
    writeFileSync(join(dir, 'a.txt'), 'side\n');
    writeFileSync(join(dir, 'b.txt'), 'b\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'side']);
    git(dir, ['checkout', '-q', 'main']);
    writeFileSync(join(dir, 'a.txt'), 'main\n');
    git(dir, ['commit', '-qam', 'main']);
    expect(git(dir, ['diff', 'main', 'side']).stdout).toContain('+side');
    expect(git(dir, ['log', '-p', '-1', 'side']).stdout).toContain('+b');
    expect(gitBytes(dir, ['show', 'side:a.txt']).stdout.toString()).toBe('side\n');
    expect((await gitAsync(dir, ['status', '--porcelain'])).status).toBe(0);
    // the foreign driver makes the merge a conflict instead of running
    const merged = git(dir, ['merge', '--no-edit', 'side'], { allowFail: true });
    expect(merged.status).not.toBe(0);
    expect(merged.stdout).toContain('CONFLICT');
    git(dir, ['merge', '--abort']);
    expect(readFileSync(marker, 'utf8')).toBe('');
    const driver = git(dir, ['config', 'merge.codex-tasks.driver']).stdout.trim();
    expect(driver).toMatch(/dist\/bin\/cxo\.js' merge-driver %O %A %B$/);
  });

  it("replaces the local config's credential helpers and upload-pack with the user's own", () => {
    const { marker, script } = trap();
    const home = mkdtempSync(join(tmpdir(), 'cxo-home-'));
    const global = join(home, 'gitconfig');
    writeFileSync(
      global,
      '[credential]\n\thelper = "!f() { echo username=own; echo password=secret; }; f"\n',
    );
    const remote = makeRepo({ 'r.txt': 'r\n' }, { git: true });
    const dir = makeRepo({}, { git: true });
    gitIn(dir, 'remote', 'add', 'origin', remote);
    gitIn(dir, 'config', 'credential.helper', `!${script('helper')}`);
    gitIn(dir, 'config', 'credential.https://example.com.helper', `!${script('url-helper')}`);
    gitIn(dir, 'config', 'remote.origin.uploadpack', script('upload-pack'));
    gitIn(dir, 'config', 'core.sshCommand', script('ssh'));
    const env = { ...process.env, GIT_CONFIG_GLOBAL: global };
    const filled = git(dir, ['credential', 'fill'], {
      env,
      input: 'protocol=https\nhost=example.com\n\n',
    }).stdout;
    expect(filled).toContain('password=secret');
    expect(git(dir, ['fetch', '--quiet', 'origin'], { env }).status).toBe(0);
    expect(git(dir, ['config', 'core.sshCommand'], { env }).stdout.trim()).toBe('ssh');
    expect(readFileSync(marker, 'utf8')).toBe('');
  });
});
