import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { validateRunManifest } from '../../src/generated/validators.js';
import {
  groupAlive,
  makeRunRepo,
  readManifest,
  runArgs,
  runDirs,
  waitFor,
  worktreePaths,
} from '../helpers/run-repo.js';
import { CLI, cxo, gitIn } from '../helpers/temp-repo.js';

// Real runs in temporary repositories; `cxo runs clean` as a child process.

const STALL = { CXO_STALL_MS: '300' };

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone already
  }
}

describe('cxo runs clean', () => {
  it('removes the worktree a failed run kept, keeps its branch and evidence; --dry-run changes nothing', () => {
    const repo = makeRunRepo();
    const failed = cxo(repo, runArgs("sh -c 'echo half > a.txt; exit 3'"));
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const [dir] = runDirs(repo);
    const m = readManifest(repo, dir);
    expect(m.result.status).toBe('failed');
    const worktree = worktreeDirOf(repo, m.run.id);
    expect(existsSync(join(worktree, 'a.txt'))).toBe(true);
    expect(worktreePaths(repo)).toHaveLength(2);
    const manifestBytes = readFileSync(join(repo, dir, 'manifest.json'));

    const dry = cxo(repo, ['runs', 'clean', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `${m.run.id} (t1, failed): would remove worktree ${m.run.worktree} and its 1 uncommitted change(s)`,
    );
    expect(existsSync(join(worktree, 'a.txt'))).toBe(true);
    expect(worktreePaths(repo)).toHaveLength(2);
    expect(readFileSync(join(repo, dir, 'manifest.json'))).toEqual(manifestBytes);

    const clean = cxo(repo, ['runs', 'clean']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`${m.run.id} (t1, failed): removed worktree ${m.run.worktree}`);
    expect(existsSync(worktree)).toBe(false);
    expect(worktreePaths(repo)).toEqual([gitIn(repo, 'rev-parse', '--show-toplevel').trim()]);
    expect(gitIn(repo, 'branch', '--list', m.run.branch).trim()).toBe(m.run.branch);
    // the evidence is untouched and still verifies
    expect(readFileSync(join(repo, dir, 'manifest.json'))).toEqual(manifestBytes);
    expect(cxo(repo, ['verify']).code).toBe(0);

    const again = cxo(repo, ['runs', 'clean', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ dryRun: false, cleaned: [], live: [], problems: [] });
  });

  it('removes the lock files a killed git left in a run worktree, and a lock on it', () => {
    const repo = makeRunRepo();
    expect(cxo(repo, runArgs('false')).code).toBe(1);
    const m = readManifest(repo, runDirs(repo)[0]);
    const worktree = worktreeDirOf(repo, m.run.id);
    const admin = join(repo, '.git/worktrees', m.run.id);
    gitIn(repo, 'worktree', 'lock', '--reason', 'testing', worktree);
    writeFileSync(join(admin, 'index.lock'), '');
    const clean = cxo(repo, ['runs', 'clean', '--json']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    const [run] = JSON.parse(clean.stdout).cleaned as { locks: string[]; worktree: string }[];
    expect(run.locks.sort()).toEqual([`worktrees/${m.run.id}/index.lock`, `worktrees/${m.run.id}/locked`]);
    expect(run.worktree).toBe(m.run.worktree);
    expect(existsSync(admin)).toBe(false);
    expect(worktreePaths(repo)).toHaveLength(1);
  });

  it('ends a stalled run as failed (Stalled), kills what it left running, removes its worktree', async () => {
    const repo = makeRunRepo();
    // in bubblewrap the builder dies with the run (--die-with-parent); without it, it is left behind
    writeFileSync(join(repo, 'codex.config.yaml'), 'guard:\n  require_spec: false\nsandbox:\n  mode: none\n');
    gitIn(repo, 'commit', '-qam', 'no sandbox');
    // a run whose builder runs for a long time; the run process is then killed with SIGKILL
    const run = spawn(process.execPath, [CLI, ...runArgs("sh -c 'echo x > a.txt; sleep 60'")], {
      cwd: repo,
      env: { ...process.env, ...STALL },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((r) => run.once('exit', r));
    await waitFor(
      () => {
        const [dir] = runDirs(repo);
        return (
          Boolean(dir) &&
          existsSync(join(repo, dir, 'manifest.json')) &&
          (readManifest(repo, dir).run.children ?? []).length > 0
        );
      },
      15_000,
      'the builder to start',
    );
    const [dir] = runDirs(repo);
    const before = readManifest(repo, dir);
    const [builderGroup] = before.run.children!;
    run.kill('SIGKILL');
    await exited;
    expect(groupAlive(builderGroup)).toBe(true); // orphaned, still sleeping
    await new Promise((r) => setTimeout(r, 400));

    const list = JSON.parse(cxo(repo, ['runs', 'list', '--json'], STALL).stdout) as {
      runs: { stalled: boolean }[];
    };
    expect(list.runs[0].stalled).toBe(true);
    const manifestBytes = readFileSync(join(repo, dir, 'manifest.json'));
    const dry = cxo(repo, ['runs', 'clean', '--dry-run'], STALL);
    expect(dry.stdout).toContain(
      `${before.run.id} (t1, stalled): would kill process group(s) ${builderGroup}; would record failed (Stalled, errors/stalled.txt); would remove worktree`,
    );
    expect(readFileSync(join(repo, dir, 'manifest.json'))).toEqual(manifestBytes);
    expect(groupAlive(builderGroup)).toBe(true);

    const clean = cxo(repo, ['runs', 'clean', '--json'], STALL);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).cleaned).toMatchObject([
      {
        runId: before.run.id,
        was: 'stalled',
        killed: [builderGroup],
        markedFailed: true,
        worktree: before.run.worktree,
      },
    ]);
    await waitFor(() => !groupAlive(builderGroup), 5000, 'the builder group to be gone');
    const after = readManifest(repo, dir);
    expect(validateRunManifest(after)).toBe(true);
    expect(after.result).toMatchObject({
      status: 'failed',
      reason: 'Stalled',
      error: { code: 'Stalled', artifact: `${dir}/errors/stalled.txt` },
    });
    expect(after.run.children).toEqual([]);
    expect(after.steps.map((s) => s.status)).toEqual(['skipped', 'failed', 'cancelled', 'cancelled']);
    expect(after.artifacts.map((a) => a.path)).toContain(`${dir}/errors/stalled.txt`);
    expect(readFileSync(join(repo, dir, 'errors/stalled.txt'), 'utf8')).toContain('during the builder step');
    expect(existsSync(worktreeDirOf(repo, before.run.id))).toBe(false);
    expect(worktreePaths(repo)).toHaveLength(1);
    expect(cxo(repo, ['verify']).code).toBe(0);
    // no longer resumable
    expect(cxo(repo, ['resume', before.run.id], STALL).code).toBe(2);
  });

  it('never touches a run resumed a moment ago, before its first heartbeat', async () => {
    const repo = makeRunRepo();
    const builder = "sh -c 'echo x > a.txt; sleep 60'";
    const builderStarted = (resumes: number) => () => {
      const [dir] = runDirs(repo);
      if (!dir || !existsSync(join(repo, dir, 'manifest.json'))) return false;
      const m = readManifest(repo, dir);
      return m.resumes.length === resumes && (m.run.children ?? []).length > 0;
    };
    const first = spawn(process.execPath, [CLI, ...runArgs(builder)], {
      cwd: repo,
      stdio: 'ignore',
      detached: true,
    });
    const firstExited = new Promise((r) => first.once('exit', r));
    await waitFor(builderStarted(0), 15_000, 'the builder to start');
    const [dir] = runDirs(repo);
    const orphan = readManifest(repo, dir).run.children![0];
    first.kill('SIGKILL');
    await firstExited;
    killGroup(orphan);
    await new Promise((r) => setTimeout(r, 400));

    const resumed = spawn(process.execPath, [CLI, 'resume', readManifest(repo, dir).run.id], {
      cwd: repo,
      env: { ...process.env, ...STALL },
      stdio: 'ignore',
    });
    const resumedExited = new Promise((r) => resumed.once('exit', r));
    try {
      await waitFor(builderStarted(1), 15_000, 'the resumed builder to start');
      // older than the stall threshold, and the heartbeat still names the killed process
      await new Promise((r) => setTimeout(r, 350));
      const m = readManifest(repo, dir);
      const clean = cxo(repo, ['runs', 'clean'], STALL);
      expect(clean.stdout).toContain(`left alone: 1 live run(s) (${m.run.id})`);
      expect(readManifest(repo, dir).result.status).toBe('running');
      expect(existsSync(worktreeDirOf(repo, m.run.id))).toBe(true);
      expect(groupAlive(m.run.children![0])).toBe(true);
    } finally {
      const m = readManifest(repo, dir);
      for (const child of m.run.children ?? []) killGroup(child);
      resumed.kill('SIGKILL');
      await resumedExited;
    }
  });

  it('never touches a live run', async () => {
    const repo = makeRunRepo();
    const run = spawn(process.execPath, [CLI, ...runArgs("sh -c 'sleep 60'")], {
      cwd: repo,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => run.once('exit', r));
    try {
      await waitFor(
        () => {
          const [dir] = runDirs(repo);
          return (
            Boolean(dir) &&
            existsSync(join(repo, dir, 'manifest.json')) &&
            (readManifest(repo, dir).run.children ?? []).length > 0
          );
        },
        15_000,
        'the builder to start',
      );
      const [dir] = runDirs(repo);
      const before = readManifest(repo, dir);
      // even with a tiny stall threshold: its process is alive
      const clean = cxo(repo, ['runs', 'clean'], STALL);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain(`left alone: 1 live run(s) (${before.run.id})`);
      expect(existsSync(worktreeDirOf(repo, before.run.id))).toBe(true);
      const now = readManifest(repo, dir);
      expect(now.result.status).toBe('running');
      expect(groupAlive(before.run.children![0])).toBe(true);
    } finally {
      const [dir] = runDirs(repo);
      if (dir) cxo(repo, ['cancel', readManifest(repo, dir).run.id]);
      run.kill('SIGKILL');
      await exited;
    }
  });
});
