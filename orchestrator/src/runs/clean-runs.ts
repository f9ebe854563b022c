/**
 * `cxo runs clean`: tidies up after runs that are over (ended, or stalled: running with no process
 * left). It kills the process groups such a run still lists, removes its worktree and the lock
 * files a killed git may have left in it, and records a stalled run as failed (`Stalled`), so no
 * run is left `running` without a process. Live runs are never touched; run branches and the
 * evidence under .runs/ are kept.
 */
import { groupMembers } from './process-groups.js';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { git } from '../git/git.js';
import { removeWorktree } from '../git/worktree.js';
import type { Config } from '../repo/config.js';
import { createRunRedactor } from './run-redactor.js';
import { isAlive, isStalled, listRunDirs, listRuns, type RunEntry, stallMs } from './run-index.js';
import { displayPath, worktreeDirOf } from './run-layout.js';
import { MANIFEST, RunRecorder } from './run-recorder.js';
import { killGroup } from './stop-run.js';

export interface CleanedRun {
  runId: string;
  taskId: string;
  dir: string;
  /** What the run was before the clean. */
  was: 'review' | 'failed' | 'cancelled' | 'stalled';
  /** Process groups it still listed that were alive and got SIGKILL. */
  killed: number[];
  /** Listed process groups whose number now belongs to another process (reused): left alone. */
  notOurs: number[];
  /** The worktree removed, as the manifest names it; null when there was none. */
  worktree: string | null;
  /** Uncommitted changes (files) the removed worktree had; they are gone with it. */
  discarded: number;
  /** Lock files a killed git left behind, removed (paths inside the git directory). */
  locks: string[];
  /** A stalled run recorded as failed (reason Stalled, errors/stalled.txt). */
  markedFailed: boolean;
  problems: string[];
}

export interface CleanReport {
  dryRun: boolean;
  cleaned: CleanedRun[];
  /** Runs left alone because they are alive. */
  live: string[];
  /** Run directories whose manifest does not parse (`cxo verify` explains). */
  unreadable: string[];
  /** Lock markers removed from git's records of run worktrees that are gone, so prune can drop them. */
  unlocked: string[];
  /** What `git worktree prune` removed (or would). */
  pruned: string[];
  problems: string[];
}

/** After this long past the manifest's last write, a process listed in it was not started by the run. */
const START_SLACK_MS = 2000;
/** How long to wait for killed groups to vanish. */
const KILL_WAIT_MS = 3000;

export async function cleanRuns(
  root: string,
  config: Config,
  options: { dryRun: boolean },
): Promise<CleanReport> {
  const { dryRun } = options;
  const report: CleanReport = {
    dryRun,
    cleaned: [],
    live: [],
    unreadable: [],
    unlocked: [],
    pruned: [],
    problems: [],
  };
  const entries = listRuns(root);
  const readable = new Set(entries.map((e) => e.dir));
  report.unreadable = listRunDirs(root).filter((d) => !readable.has(d));
  const common = commonGitDir(root);
  const admins = worktreeAdmins(common);

  for (const entry of entries) {
    const m = entry.manifest;
    if (!isOver(root, entry)) {
      report.live.push(m.run.id);
      continue;
    }
    const run: CleanedRun = {
      runId: m.run.id,
      taskId: m.task.id,
      dir: entry.dir,
      was: entry.stalled ? 'stalled' : (m.result.status as CleanedRun['was']),
      killed: [],
      notOurs: [],
      worktree: null,
      discarded: 0,
      locks: [],
      markedFailed: false,
      problems: [],
    };

    // 1. what it started and is still running
    const lastWrite = mtimeMs(join(root, entry.dir, MANIFEST));
    for (const pgid of m.run.children ?? []) {
      const state = groupState(pgid, lastWrite + START_SLACK_MS);
      if (state === 'ours') run.killed.push(pgid);
      else if (state === 'not-ours') run.notOurs.push(pgid);
    }
    if (!dryRun && run.killed.length) {
      for (const pgid of run.killed) killGroup(pgid, 'SIGKILL');
      const left = await waitGone(run.killed);
      if (left.length) run.problems.push(`process group(s) ${left.join(', ')} still alive after SIGKILL`);
    }

    // 2. a stalled run ends as failed, unless someone resumed it meanwhile
    if (entry.stalled) {
      if (dryRun) run.markedFailed = true;
      else if (!recordStalled(root, config, entry, run, lastWrite)) {
        report.live.push(m.run.id);
        continue;
      }
    }

    // 3. its worktree, and the locks a killed git left in it
    // where the orchestrator puts a run's worktree, never what the (committed, editable) manifest says
    const worktree = worktreeDirOf(root, m.run.id);
    const admin = admins.get(canonical(worktree));
    if (admin) run.locks.push(...lockFiles(admin).map((f) => f.slice(common.length + 1)));
    const refLock = join(common, 'refs', 'heads', `${m.run.branch}.lock`);
    if (m.run.branch && existsSync(refLock)) run.locks.push(refLock.slice(common.length + 1));
    if (existsSync(worktree) || admin) {
      run.worktree = displayPath(worktree);
      if (existsSync(worktree)) run.discarded = uncommitted(worktree);
    }
    if (!dryRun) {
      for (const lock of run.locks) rmSync(join(common, lock), { force: true });
      if (run.worktree) {
        removeWorktree(root, worktree);
        if (existsSync(worktree)) run.problems.push(`could not remove ${displayPath(worktree)}`);
      }
    }
    if (run.killed.length || run.worktree || run.locks.length || run.markedFailed || run.problems.length) {
      report.cleaned.push(run);
    }
  }

  // worktrees of runs whose dirs are gone but that git still lists as locked: unlock, so prune can go
  const base = canonical(dirname(worktreeDirOf(root, 'x')));
  const live = new Set(report.live);
  for (const [target, admin] of admins) {
    if (dirname(target) !== base || live.has(basename(target)) || existsSync(target)) continue;
    for (const lock of lockFiles(admin)) {
      if (!dryRun) rmSync(lock, { force: true });
      report.unlocked.push(lock.slice(common.length + 1));
    }
  }
  const prune = git(root, ['worktree', 'prune', '--verbose', ...(dryRun ? ['--dry-run'] : [])], {
    allowFail: true,
  });
  report.pruned.push(
    ...`${prune.stdout}\n${prune.stderr}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  for (const run of report.cleaned) report.problems.push(...run.problems.map((p) => `${run.runId}: ${p}`));
  return report;
}

/** Ended, or stalled. An ended run whose process is still finishing (just wrote its manifest) is not over yet. */
function isOver(root: string, entry: RunEntry): boolean {
  const m = entry.manifest;
  if (m.result.status === 'running') return entry.stalled;
  const pids = [m.run.pid, m.heartbeat?.pid].filter((p): p is number => typeof p === 'number');
  const recent = Date.now() - mtimeMs(join(root, entry.dir, MANIFEST)) < stallMs();
  return !(recent && pids.some(isAlive));
}

/**
 * Records a stalled run as failed with reason Stalled and an error artifact. Reads the manifest
 * again first: false when the run is no longer stalled (resumed meanwhile).
 */
function recordStalled(
  root: string,
  config: Config,
  entry: RunEntry,
  run: CleanedRun,
  lastWrite: number,
): boolean {
  const current = RunRecorder.read(root, entry.dir);
  if (!isStalled(current)) return false;
  const recorder = new RunRecorder(root, entry.dir, current, createRunRedactor(config, process.env));
  const pid = current.heartbeat?.pid ?? current.run.pid;
  const lastAlive = new Date(
    Math.max(Date.parse(current.heartbeat?.at ?? current.run.createdAt) || 0, lastWrite),
  );
  const running = current.steps.find((s) => s.status === 'running');
  const message = `the run process (pid ${pid}) is gone and never recorded a result; last sign of life ${lastAlive.toISOString()}${running ? `, during the ${running.role} step` : ''}`;
  const text = [
    `run ${current.run.id} of task ${current.task.id} stalled.`,
    message,
    `steps: ${current.steps.map((s) => `${s.role} ${s.status}`).join(', ')}`,
    run.killed.length
      ? `process groups it had started, still alive, killed: ${run.killed.join(', ')}`
      : 'no process it had started was still alive',
    current.run.worktree
      ? `its worktree ${current.run.worktree} is removed; the branch ${current.run.branch} keeps what was committed`
      : '',
    `recorded as failed (Stalled) by cxo runs clean at ${new Date().toISOString()} (${process.env.USER ?? 'unknown user'}, pid ${process.pid})`,
    '',
  ]
    .filter((l, i, all) => l !== '' || i === all.length - 1)
    .join('\n');
  const artifact = recorder.writeArtifact('errors/stalled.txt', text);
  const error = { code: 'Stalled', message, artifact };
  for (const step of current.steps) {
    if (step.status === 'running') {
      const ended = Math.max(lastAlive.getTime(), step.startedAt ? Date.parse(step.startedAt) : 0);
      step.status = 'failed';
      step.endedAt = new Date(ended).toISOString();
      step.durationMs = step.startedAt ? ended - Date.parse(step.startedAt) : null;
      step.summary = 'stalled: the run process died during this step';
      step.error = error;
    } else if (step.status === 'pending') step.status = 'cancelled';
  }
  current.run.children = [];
  current.result = { status: 'failed', reason: 'Stalled', error };
  recorder.seal(config.evidence);
  recorder.event('run-finished', {
    status: 'failed',
    reason: 'Stalled',
    error,
    by: 'cxo runs clean',
    killed: run.killed,
  });
  run.markedFailed = true;
  return true;
}

/**
 * Whether a process group a run listed is still the run's: `gone` when nothing of it is alive,
 * `not-ours` when its leader started after the manifest was last written (the number was reused),
 * else `ours`. Without /proc (not Linux) a live group is taken to be the run's.
 */
function groupState(pgid: number, notAfterMs: number): 'gone' | 'ours' | 'not-ours' {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
  }
  const members = groupMembers(pgid);
  if (!members) return 'ours';
  const alive = members.filter((p) => p.state !== 'Z' && p.state !== 'X');
  if (alive.length === 0) return 'gone';
  const leader = alive.find((p) => p.pid === pgid);
  if (leader && leader.startMs > notAfterMs) return 'not-ours';
  return 'ours';
}

async function waitGone(pgids: number[]): Promise<number[]> {
  const deadline = Date.now() + KILL_WAIT_MS;
  for (;;) {
    const left = pgids.filter((p) => groupState(p, Infinity) !== 'gone');
    if (left.length === 0 || Date.now() > deadline) return left;
    for (const p of left) killGroup(p, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** git's common directory (where `worktrees/` and `refs/` are), absolute. */
function commonGitDir(root: string): string {
  const out = git(root, ['rev-parse', '--git-common-dir']).stdout.trim();
  return canonical(resolve(root, out));
}

/** The worktree each administrative directory `<common>/worktrees/<name>` belongs to (canonical path). */
function worktreeAdmins(common: string): Map<string, string> {
  const admins = new Map<string, string>();
  const base = join(common, 'worktrees');
  if (!existsSync(base)) return admins;
  for (const name of readdirSync(base)) {
    try {
      const gitdir = readFileSync(join(base, name, 'gitdir'), 'utf8').trim();
      admins.set(canonical(dirname(resolve(base, name, gitdir))), join(base, name));
    } catch {
      // not a worktree's directory, or half-made: prune decides
    }
  }
  return admins;
}

/** `locked` and the `*.lock` files of a worktree's administrative directory. */
function lockFiles(admin: string): string[] {
  try {
    return readdirSync(admin)
      .filter((f) => f === 'locked' || f.endsWith('.lock'))
      .map((f) => join(admin, f));
  } catch {
    return [];
  }
}

/** How many paths `git status` shows as changed in a worktree. */
function uncommitted(worktree: string): number {
  const status = git(worktree, ['status', '--porcelain', '-z', '--untracked-files=all'], { allowFail: true });
  return status.status === 0 ? status.stdout.split('\0').filter(Boolean).length : 0;
}

/** A path with its existing ancestors resolved (symlinks, e.g. a temp directory's). */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : `${canonical(parent)}${sep}${basename(abs)}`;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
