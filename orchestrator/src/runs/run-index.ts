import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from './manifest-types.js';
import { HEARTBEAT_MS } from './pipeline.js';
import { MANIFEST, RunRecorder } from './run-recorder.js';

export interface RunEntry {
  dir: string;
  manifest: RunManifest;
  /** running but its process is gone and its heartbeat is old: `cxo resume` it. */
  stalled: boolean;
}

/** Every run under .runs/, newest first. Manifests that do not parse are skipped (verify reports them). */
export function listRuns(root: string): RunEntry[] {
  const base = join(root, '.runs');
  if (!existsSync(base)) return [];
  const runs: RunEntry[] = [];
  for (const task of readdirSync(base, { withFileTypes: true })) {
    if (!task.isDirectory() || task.name === 'guard') continue;
    for (const run of readdirSync(join(base, task.name), { withFileTypes: true })) {
      const dir = `.runs/${task.name}/${run.name}`;
      if (!run.isDirectory() || !existsSync(join(root, dir, MANIFEST))) continue;
      try {
        const manifest = RunRecorder.read(root, dir);
        runs.push({ dir, manifest, stalled: isStalled(manifest) });
      } catch {
        // a manifest is written atomically, so an unparseable one was damaged after the fact
      }
    }
  }
  return runs.sort((a, b) => b.manifest.run.id.localeCompare(a.manifest.run.id));
}

export function findRun(root: string, runId: string): RunEntry | undefined {
  return listRuns(root).find((r) => r.manifest.run.id === runId || r.manifest.run.id.startsWith(runId));
}

export function isStalled(manifest: RunManifest, now = Date.now()): boolean {
  if (manifest.result.status !== 'running') return false;
  const beat = manifest.heartbeat ? Date.parse(manifest.heartbeat.at) : 0;
  return now - beat > HEARTBEAT_MS * 5 && !isAlive(manifest.heartbeat?.pid ?? manifest.run.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
