import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { CLI, type CliResult, gitIn, indexJson, makeRepo } from './temp-repo.js';

/** A builder that takes a moment: writes a.txt, waits, appends to it. */
export const SLOW_BUILDER = "sh -c 'echo x > a.txt; sleep 0.3; echo y >> a.txt'";
/** The acceptance command that proves SLOW_BUILDER finished. */
export const ACCEPTANCE = 'grep -q y a.txt';

/** A git repository with one task `t1` that needs no spec and has an acceptance command. */
export function makeRunRepo(acceptance: string[] = [ACCEPTANCE]): string {
  return makeRepo(
    {
      'codex.config.yaml': 'guard:\n  require_spec: false\n',
      'codex.tasks.json': indexJson([{ id: 't1', title: 'Task one', acceptance }]),
    },
    { git: true },
  );
}

/** `cxo run t1` arguments with a command builder and no manager. */
export function runArgs(builder: string, ...extra: string[]): string[] {
  return ['run', 't1', '--role', 'manager=none', '--role', `builder=command:${builder}`, ...extra];
}

/** Runs the built CLI as a child process without blocking the test process. */
export function cxoAsync(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The run directories of task t1, repository-relative. */
export function runDirs(repo: string): string[] {
  try {
    return readdirSync(join(repo, '.runs/t1')).map((r) => `.runs/t1/${r}`);
  } catch {
    return [];
  }
}

export function readManifest(repo: string, dir: string): RunManifest {
  return JSON.parse(readFileSync(join(repo, dir, 'manifest.json'), 'utf8')) as RunManifest;
}

/** The paths of `git worktree list --porcelain`. */
export function worktreePaths(repo: string): string[] {
  return gitIn(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns true, or fails after `ms`. */
export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The names (`comm`) of the live processes in a process group, read from /proc. */
export function groupCommands(pgid: number): string[] {
  const names: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'
      const close = stat.lastIndexOf(')');
      const [state, , pgrp] = stat.slice(close + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') names.push(stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // the process ended while we looked
    }
  }
  return names;
}

/** Whether anything (but zombies) is alive in a process group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return true;
}
