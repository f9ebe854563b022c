/**
 * The runs under .runs/, kept between the passes of a long-running watcher so that a pass does not
 * read thousands of manifests again. Same result as listRuns, at the cost of one stat per task
 * directory:
 * - a directory (.runs/ or .runs/<task>/) is listed again only when its identity or mtime changed,
 *   which any run directory created, removed or renamed in it does;
 * - a finished run's manifest is read once: what a pass decides from (task, run id, result,
 *   trigger, resumes) never changes after a run ends; later writes add sign-offs only;
 * - a running run's manifest is read at every pass: its heartbeat, resumes and end are news;
 * - a pass names the tasks it decides about (`focus`): the other task directories are looked at
 *   at most every FULL_SCAN_MS.
 */
import { readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from './manifest-types.js';
import { isStalled, newestFirst, type RunEntry, RUNS_DIR_SKIPPED } from './run-index.js';
import { runDirOf } from './run-layout.js';
import { RunRecorder } from './run-recorder.js';

interface Listing {
  identity: string;
  names: Set<string>;
}

export class RunCache {
  private top: Listing | undefined;
  private readonly taskDirs = new Map<string, Listing>();
  /** Manifests of finished runs, by run directory. */
  private readonly finished = new Map<string, RunManifest>();
  private lastFullScan = -Infinity;

  constructor(private readonly root: string) {}

  /**
   * Every run under .runs/, newest first; unparseable manifests are skipped, as listRuns does.
   * With `focus`, only the directories of those tasks (and .runs/ itself, for new tasks) are
   * looked at again, unless the last full look is FULL_SCAN_MS old: the other tasks' listings may
   * miss a run another process started since then. Running runs are read again either way.
   */
  list(focus?: ReadonlySet<string>, now = Date.now()): RunEntry[] {
    const full = !focus || now - this.lastFullScan >= FULL_SCAN_MS;
    if (full) this.lastFullScan = now;
    const base = join(this.root, '.runs');
    this.top = relist(base, this.top);
    const runs: RunEntry[] = [];
    const seen = new Set<string>();
    for (const task of this.top?.names ?? []) {
      if (RUNS_DIR_SKIPPED.has(task)) continue;
      const known = this.taskDirs.get(task);
      const listing = known && !full && !focus?.has(task) ? known : relist(join(base, task), known);
      if (!listing) {
        this.taskDirs.delete(task);
        continue;
      }
      this.taskDirs.set(task, listing);
      seen.add(task);
      for (const run of listing.names) {
        const dir = runDirOf(task, run);
        const manifest = this.finished.get(dir) ?? this.read(dir);
        if (manifest) runs.push({ dir, manifest, stalled: isStalled(manifest) });
      }
    }
    if (full) this.forgetGone(seen);
    return runs.sort(newestFirst);
  }

  /** Drops what is gone, so that a long-running watcher does not hold removed runs. */
  private forgetGone(seen: ReadonlySet<string>): void {
    for (const task of this.taskDirs.keys()) if (!seen.has(task)) this.taskDirs.delete(task);
    for (const dir of this.finished.keys()) {
      const [, task, run] = dir.split('/');
      if (!this.taskDirs.get(task)?.names.has(run)) this.finished.delete(dir);
    }
  }

  private read(dir: string): RunManifest | undefined {
    let manifest: RunManifest;
    try {
      manifest = RunRecorder.read(this.root, dir);
    } catch {
      // no manifest (a directory being created, or not a run) or a damaged one: verify reports it
      return undefined;
    }
    if (manifest.result.status !== 'running') this.finished.set(dir, manifest);
    return manifest;
  }
}

/** The directory's subdirectory names, listed again only when the directory changed; undefined when it is gone. */
function relist(path: string, previous: Listing | undefined): Listing | undefined {
  // stat before listing: a change after the stat moves the mtime again and is seen next time
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return undefined;
  const identity = identityOf(stat);
  if (previous?.identity === identity) return previous;
  // file times tick coarsely (a jiffy): a change in the same tick as this listing would leave the
  // mtime as it is, so a listing this recent is not trusted next time (git's "racily clean" rule)
  const racy = Date.now() - stat.mtimeMs < RACY_MS;
  const names = new Set(
    readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name),
  );
  return { identity: racy ? '' : identity, names };
}

/** Well above any file system's time granularity. */
const RACY_MS = 2000;
/**
 * How old a full look at .runs/ may be when a pass only needs some tasks'. A run of another task
 * that another process started meanwhile matters only for stall detection, which waits minutes.
 */
export const FULL_SCAN_MS = 10_000;

/** Adding, removing or renaming an entry sets a directory's mtime (POSIX); the inode tells a replaced directory. */
function identityOf(stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.nlink}:${stat.mtimeMs}`;
}
