import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readBlobs } from '../git/cat-file.js';
import { git } from '../git/git.js';
import { runDirOf } from '../runs/run-layout.js';
import { GZIP_SUFFIX, storedPathOf } from '../runs/artifact-store.js';
import type { ArtifactRecord } from '../runs/manifest-types.js';
import { parsePruned, PRUNED, readPruned } from '../runs/pruned-record.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { readEvidence } from './evidence-ref.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import type { Config } from '../repo/config.js';
import { cacheDirFor } from '../repo/parse-cache.js';
import { stateRunDirOf, usesStateRef } from './state-layout.js';
import { fetchRunBranches } from './share-run-branch.js';
import { StateRef, StateSnapshot } from './state-ref.js';

/** A run whose evidence is on the state ref. */
export interface StateRun {
  task: string;
  runId: string;
  /** Its folder on the state ref, `runs/<shard>/<task>/<run>`. */
  path: string;
  /** The folder's tree id: it changes when the run's evidence does (a sign-off). */
  tree: string;
}

/** Names the state ref may use for a task's or run's folder: one path component, nothing hidden. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Which runs of `.runs/` are as the state ref had them (run folder → that tree id), in the git
 * dir: copies made here, and this clone's runs once their evidence was written there.
 */
const SYNC_FILE = 'state-run-sync.json';

/**
 * Every run folder on the state ref (`runs/<shard>/<task>/<run>`), from one `ls-tree` of its
 * trees. The state ref is input like any file: a folder whose name could leave `.runs/` when
 * copied there (`..`, a hidden name) is not a run.
 */
export function listStateRuns(snapshot: StateSnapshot): StateRun[] {
  const root = snapshot.treeOf('runs');
  if (!root) return [];
  const runs: StateRun[] = [];
  for (const record of git(snapshot.root, ['ls-tree', '-r', '-d', '-z', root]).stdout.split('\0')) {
    const m = /^040000 tree ([0-9a-f]+)\t([0-9a-f]{2})\/([^/]+)\/([^/]+)$/.exec(record);
    if (m && SAFE_NAME.test(m[3]) && SAFE_NAME.test(m[4]))
      runs.push({ task: m[3], runId: m[4], path: `runs/${m[2]}/${m[3]}/${m[4]}`, tree: m[1] });
  }
  return runs;
}

/**
 * Brings `.runs/` up to the state ref's runs, so every reader of run evidence (runs list/show,
 * status, verify, review) sees another clone's runs as it sees its own: a run this clone does not
 * have is copied into `.runs/<task>/<run>/`, and one whose evidence changed on the state ref since
 * this clone last had it the same (a sign-off made elsewhere) is copied again. A run of this clone
 * not yet on the state ref as it is here (in flight, or its write failed) is left alone, and a run
 * still running elsewhere is not copied: its process is not here, so here it would look stalled
 * and be resumed. Only regular files are written, at paths inside the run's folder. Files kept out
 * of the state tree come from the run's evidence ref (fetched from `remote` when shared); those
 * it no longer has (pruned) stay missing, and files its pruned.json names are removed here too.
 * Returns the runs copied.
 */
export function materializeStateRuns(root: string, snapshot: StateSnapshot, remote?: string): StateRun[] {
  const syncPath = join(cacheDirFor(root), SYNC_FILE);
  const synced = readSync(syncPath);
  const copied: StateRun[] = [];
  for (const run of listStateRuns(snapshot)) {
    const local = runDirOf(run.task, run.runId);
    const here = existsSync(join(root, local, MANIFEST));
    if (synced[local] === run.tree || (here && synced[local] === undefined)) continue;
    const files = runFiles(snapshot, run);
    const blobs = readBlobs(root, [...files.values()]);
    const manifest = blobs.get(files.get(MANIFEST) ?? '');
    if (!manifest || manifestStatus(manifest) === 'running') continue;
    const contents = new Map<string, Buffer>();
    for (const [rel, id] of files) {
      const bytes = blobs.get(id);
      if (bytes) contents.set(rel, bytes);
    }
    if (outOfTree(manifest, local, files, contents.get(PRUNED)))
      for (const [rel, bytes] of readEvidence(root, run.task, run.runId, remote, isSafePath))
        if (!contents.has(rel)) contents.set(rel, bytes);
    const dir = join(root, local);
    // the manifest last: a reader that finds it finds the artifacts it names
    const order = [...contents.keys()].sort((a, b) => Number(a === MANIFEST) - Number(b === MANIFEST));
    for (const rel of order) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileAtomic(join(dir, rel), contents.get(rel)!);
    }
    removePruned(root, local);
    synced[local] = run.tree;
    copied.push(run);
  }
  if (copied.length > 0) writeSync(syncPath, synced);
  return copied;
}

/**
 * Whether an artifact the manifest lists, and the run's pruned.json does not, is stored outside
 * the run's tree: then the run has an evidence ref to read.
 */
function outOfTree(
  manifest: Buffer,
  local: string,
  files: Map<string, string>,
  pruned: Buffer | undefined,
): boolean {
  let artifacts: unknown;
  let prunedPaths: Set<string>;
  try {
    artifacts = (JSON.parse(manifest.toString('utf8')) as { artifacts?: unknown }).artifacts;
    prunedPaths = new Set(
      pruned ? parsePruned(pruned.toString('utf8'), PRUNED).pruned.map((p) => p.path) : [],
    );
  } catch {
    return false; // verify reports what does not parse
  }
  return (Array.isArray(artifacts) ? (artifacts as ArtifactRecord[]) : []).some(
    (a) =>
      typeof a?.path === 'string' &&
      a.path.startsWith(`${local}/`) &&
      !prunedPaths.has(a.path) &&
      !files.has(storedPathOf(a).slice(local.length + 1)),
  );
}

/** Another clone's gc reaches this one: the bytes of the artifacts its pruned.json names are removed. */
function removePruned(root: string, local: string): void {
  let record;
  try {
    record = readPruned(root, local);
  } catch {
    return; // verify reports the invalid record
  }
  for (const { path } of record.pruned) {
    if (!path.startsWith(`${local}/`) || !isSafePath(path.slice(local.length + 1))) continue;
    rmSync(join(root, path), { force: true });
    rmSync(join(root, `${path}${GZIP_SUFFIX}`), { force: true });
  }
}

const isSafePath = (path: string) => path.split('/').every((part) => SAFE_NAME.test(part));

function manifestStatus(bytes: Buffer): string | undefined {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { result?: { status?: string } }).result?.status;
  } catch {
    return undefined;
  }
}

function readSync(path: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, string>)
      : Object.create(null);
  } catch {
    return Object.create(null) as Record<string, string>;
  }
}

function writeSync(path: string, synced: Record<string, string>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(synced)}\n`);
}

/** A run folder's regular files (relative path → blob id); symlinks and submodules are skipped. */
function runFiles(snapshot: StateSnapshot, run: StateRun): Map<string, string> {
  const files = new Map<string, string>();
  for (const record of git(snapshot.root, ['ls-tree', '-r', '-z', run.tree]).stdout.split('\0')) {
    const m = /^(100644|100755) blob ([0-9a-f]+)\t(.+)$/s.exec(record);
    if (m && isSafePath(m[3])) files.set(m[3], m[2]);
  }
  return files;
}

/** In ref mode, `materializeStateRuns` from the state as this clone last saw it; nothing inline. */
export function syncStateRuns(root: string, config: Config): StateRun[] {
  if (!usesStateRef(config)) return [];
  const state = StateRef.open(root, config);
  return materializeStateRuns(root, state.snapshot(), state.remote);
}

/** Records that this clone's run `runId` is on the state ref, at `commit`, as it is in `.runs/`. */
export function recordRunSynced(root: string, commit: string, taskId: string, runId: string): void {
  const tree = new StateSnapshot(root, commit).treeOf(stateRunDirOf(taskId, runId));
  if (!tree) return;
  const syncPath = join(cacheDirFor(root), SYNC_FILE);
  const synced = readSync(syncPath);
  synced[runDirOf(taskId, runId)] = tree;
  try {
    writeSync(syncPath, synced);
  } catch {
    // without the record, this clone keeps its own copy and does not see a sign-off made elsewhere
  }
}

/**
 * Before a sign-off: the shared state as the remote has it now, its runs copied into `.runs/`,
 * and the run branches fetched, so that a run another clone just finished can be verified here.
 * A fetch that fails leaves what this clone saw last (the write that follows fetches again).
 */
export async function syncStateRunsFromRemote(root: string, config: Config): Promise<string | undefined> {
  if (!usesStateRef(config)) return undefined;
  const state = StateRef.open(root, config);
  let warning: string | undefined;
  if (state.shared) {
    try {
      await state.refresh();
    } catch (e) {
      warning = (e as Error).message;
    }
    warning = (await fetchRunBranches(root, config)) ?? warning;
  }
  materializeStateRuns(root, state.snapshot());
  return warning;
}
