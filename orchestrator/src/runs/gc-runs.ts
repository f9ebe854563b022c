import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GZIP_SUFFIX, storedPathOf } from './artifact-store.js';
import type { ArtifactRecord } from './manifest-types.js';
import { type PrunedRecord, readPruned, writePruned } from './pruned-record.js';
import { listRuns } from './run-index.js';

export interface GcOptions {
  /** The newest runs of each task that keep their artifacts. */
  keep: number;
  /** Runs younger than this keep their artifacts. */
  olderThanMs: number;
  /** Also prune runs that ended in review and have no sign-off yet. */
  includeReview: boolean;
  now?: number;
}

/** A run whose artifacts gc prunes (or would). */
export interface GcRun {
  dir: string;
  taskId: string;
  runId: string;
  status: string;
  /** The artifacts not pruned before. */
  artifacts: ArtifactRecord[];
  /** What they take on disk here (compressed where stored so). */
  bytes: number;
}

export interface GcPlan {
  prune: GcRun[];
  /** Runs that keep their artifacts by the policy (newest N, younger than the age). */
  kept: number;
  /** Runs the policy would prune but gc leaves alone, and why. */
  skipped: { runId: string; taskId: string; why: string }[];
}

/**
 * Which runs under `.runs/` lose their artifacts: every run of a task but its newest `keep`, of
 * those only the ones older than `olderThanMs`. A running run is never pruned (its files are still
 * being written), nor one waiting for review (no sign-off yet) unless `includeReview`: its
 * evidence is what the reviewer is about to read. Manifests are never pruned.
 */
export function planGc(root: string, options: GcOptions): GcPlan {
  const now = options.now ?? Date.now();
  const plan: GcPlan = { prune: [], kept: 0, skipped: [] };
  const seen = new Map<string, number>();
  for (const { dir, manifest } of listRuns(root)) {
    const taskId = manifest.task.id;
    const rank = seen.get(taskId) ?? 0;
    seen.set(taskId, rank + 1);
    const created = Date.parse(manifest.run.createdAt);
    if (rank < options.keep || !(now - created > options.olderThanMs)) {
      plan.kept++;
      continue;
    }
    const runId = manifest.run.id;
    const status = manifest.result.status;
    const skip = (why: string) => plan.skipped.push({ runId, taskId, why });
    if (status === 'running') {
      skip('still running');
      continue;
    }
    if (status === 'review' && !manifest.signoffs?.length && !options.includeReview) {
      skip('waiting for review (--include-review prunes it)');
      continue;
    }
    let record: PrunedRecord;
    try {
      record = readPruned(root, dir);
    } catch (e) {
      skip((e as Error).message);
      continue;
    }
    const done = new Set(record.pruned.map((p) => p.path));
    // a manifest is input (another clone's, on the state ref): only paths inside the run directory
    const artifacts = (Array.isArray(manifest.artifacts) ? manifest.artifacts : []).filter(
      (a) => insideRunDir(a?.path, dir) && !done.has(a.path),
    );
    if (artifacts.length === 0) continue;
    const bytes = artifacts.reduce((sum, a) => sum + sizeOf(join(root, storedPathOf(a))), 0);
    plan.prune.push({ dir, taskId, runId, status, artifacts, bytes });
  }
  return plan;
}

/**
 * Removes the artifacts' bytes from `.runs/`, the pruned record first: a kill in between leaves
 * records of files still there, which verify then checks as usual.
 */
export function pruneRunFiles(root: string, run: GcRun, at: string): void {
  const record = readPruned(root, run.dir);
  record.pruned.push(...run.artifacts.map((a) => ({ path: a.path, sha256: a.sha256, bytes: a.bytes, at })));
  writePruned(root, run.dir, record);
  for (const a of run.artifacts) {
    rmSync(join(root, a.path), { force: true });
    rmSync(join(root, `${a.path}${GZIP_SUFFIX}`), { force: true });
  }
}

function insideRunDir(path: unknown, dir: string): boolean {
  if (typeof path !== 'string' || !path.startsWith(`${dir}/`)) return false;
  return path
    .slice(dir.length + 1)
    .split('/')
    .every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'));
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
