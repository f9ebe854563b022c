import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from './manifest-types.js';
import { HEARTBEAT_MS } from './run-layout.js';
import { MANIFEST, RunRecorder } from './run-recorder.js';

export interface RunEntry {
  dir: string;
  manifest: RunManifest;
  /** running but its process is gone and its heartbeat is old: `cxo resume` it. */
  stalled: boolean;
}

/** Directories under .runs/ that hold no runs: the guard's reports. */
export const RUNS_DIR_SKIPPED: ReadonlySet<string> = new Set(['guard']);

/** Every run directory under .runs/ that has a manifest file, parseable or not. */
export function listRunDirs(root: string): string[] {
  const base = join(root, '.runs');
  if (!existsSync(base)) return [];
  const dirs: string[] = [];
  for (const task of readdirSync(base, { withFileTypes: true })) {
    if (!task.isDirectory() || RUNS_DIR_SKIPPED.has(task.name)) continue;
    for (const run of readdirSync(join(base, task.name), { withFileTypes: true })) {
      const dir = `.runs/${task.name}/${run.name}`;
      if (run.isDirectory() && existsSync(join(root, dir, MANIFEST))) dirs.push(dir);
    }
  }
  return dirs;
}

/** Every run under .runs/, newest first. Manifests that do not parse are skipped (verify reports them). */
export function listRuns(root: string): RunEntry[] {
  const runs: RunEntry[] = [];
  for (const dir of listRunDirs(root)) {
    try {
      const manifest = RunRecorder.read(root, dir);
      runs.push({ dir, manifest, stalled: isStalled(manifest) });
    } catch {
      // a manifest is written atomically, so an unparseable one was damaged after the fact
    }
  }
  return runs.sort(newestFirst);
}

/** Run ids start with their UTC start time, so their code-unit order is their age (and cheap to sort). */
export function newestFirst(a: RunEntry, b: RunEntry): number {
  const x = a.manifest.run.id;
  const y = b.manifest.run.id;
  return x < y ? 1 : x > y ? -1 : 0;
}

export function findRun(root: string, runId: string): RunEntry | undefined {
  return listRuns(root).find((r) => r.manifest.run.id === runId || r.manifest.run.id.startsWith(runId));
}

/**
 * How old a running run's last sign of life must be before it counts as stalled: five missed
 * heartbeats, or `CXO_STALL_MS` (for tests, which cannot wait that long after killing a run).
 */
export function stallMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.CXO_STALL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : HEARTBEAT_MS * 5;
}

/**
 * Running, but no process of it is alive and its last sign of life (heartbeat, start or resume) is
 * old. Both the run's pid and the heartbeat's are checked: a run resumed a moment ago still has
 * the previous process's heartbeat until its own first beat.
 */
export function isStalled(manifest: RunManifest, now = Date.now()): boolean {
  if (manifest.result.status !== 'running') return false;
  const beats = [manifest.heartbeat?.at, manifest.resumes?.at(-1)?.at, manifest.run.createdAt]
    .map((at) => (at ? Date.parse(at) : NaN))
    .filter((t) => !Number.isNaN(t));
  const last = beats.length ? Math.max(...beats) : 0;
  if (now - last <= stallMs()) return false;
  const pids = new Set(
    [manifest.run.pid, manifest.heartbeat?.pid].filter((p): p is number => typeof p === 'number'),
  );
  return ![...pids].some(isAlive);
}

/** Whether a process exists and is not a zombie (dead, waiting for its parent or init to reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // it exited while we looked, or there is no /proc (not Linux): then trust kill(2)
    return !existsSync('/proc/self/stat');
  }
}
