import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purgeRunObjects } from '../../src/git/purge-run-objects.js';
import { gitIn, makeRepo } from '../helpers/temp-repo.js';

const hasObject = (dir: string, oid: string) =>
  spawnSync('git', ['cat-file', '-e', oid], { cwd: dir }).status === 0;

describe('purgeRunObjects', () => {
  it("deletes the run's branch, worktree and objects, and nothing anything else reaches", () => {
    const dir = makeRepo({ 'old.txt': 'an older version\n', 'keep.txt': 'kept\n' }, { git: true });
    rmSync(join(dir, 'old.txt'));
    gitIn(dir, 'commit', '-qam', 'remove old.txt');
    // a person's own unreachable object (a dropped stash, say) is not the run's to delete
    const personal = spawnSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: 'lost work\n' })
      .stdout.toString()
      .trim();
    const worktree = join(mkdtempSync(join(tmpdir(), 'cxo-purge-')), 'wt');
    gitIn(dir, 'worktree', 'add', '--quiet', '-b', 'codex/t/r1', worktree, 'HEAD');
    // the run brings back a file's older content (reachable from history) next to its secret
    writeFileSync(join(worktree, 'old.txt'), 'an older version\n');
    writeFileSync(join(worktree, 'secret.txt'), 'the leaked value\n');
    gitIn(worktree, 'add', '-A');
    gitIn(worktree, 'commit', '-qm', 'run');
    const older = gitIn(dir, 'rev-parse', 'HEAD~1:old.txt').trim();
    const secret = gitIn(dir, 'rev-parse', 'codex/t/r1:secret.txt').trim();
    const runCommit = gitIn(dir, 'rev-parse', 'codex/t/r1').trim();

    const outcome = purgeRunObjects(dir, { worktree, branch: 'codex/t/r1' });

    expect(outcome).toEqual({ removed: 3, packed: 0 }); // the commit, its tree, the secret blob
    expect(hasObject(dir, secret)).toBe(false);
    expect(hasObject(dir, runCommit)).toBe(false);
    expect(hasObject(dir, older)).toBe(true);
    expect(hasObject(dir, personal)).toBe(true);
    expect(existsSync(worktree)).toBe(false);
    expect(gitIn(dir, 'branch', '--list', 'codex/*')).toBe('');
    expect(gitIn(dir, 'worktree', 'list', '--porcelain')).not.toContain(worktree);
    expect(spawnSync('git', ['fsck', '--no-dangling'], { cwd: dir }).status).toBe(0);
  });
});
