import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateStateStatus } from '../generated/index-validators.js';
import { writeCacheFile } from '../repo/cache-file.js';
import { canonicalJson } from '../repo/canonical-json.js';
import { cacheDirFor } from '../repo/parse-cache.js';
import type { TaskStatus } from '../repo/task-types.js';
import { readBlobs } from '../git/cat-file.js';
import { git } from '../git/git.js';
import { parseRawDiff } from '../git/raw-diff.js';
import { statusPathOf } from './state-layout.js';
import type { StateRef, StateSnapshot, StateUpdate, StateWrite } from './state-ref.js';

export interface StateStatuses {
  /** Task id → its status block on the state ref. */
  byTask: Map<string, TaskStatus>;
  /** Entries that were not a valid status block (`<path>: <why>`), left out of `byTask`. */
  problems: string[];
}

interface CachedStatuses {
  tree: string;
  statuses: Map<string, TaskStatus>;
  problems: string[];
}

const CACHE_FILE = 'state-statuses.json';

/**
 * Every task's status on the state ref at `snapshot`. The `status/` tree's id keys a cache in the
 * clone's git directory, so a read costs one `rev-parse` while the statuses did not change. When
 * they did (every status write changes the tree), only the entries that differ from the cached
 * tree are read again (`git diff-tree`, typically one or two); without a usable cache, all blobs
 * are read by one `git cat-file --batch`. The state ref is input like any file of the repository:
 * each entry is schema-checked, and a bad one is reported, not trusted.
 */
export function readStatuses(snapshot: StateSnapshot): StateStatuses {
  const tree = snapshot.treeOf('status');
  if (!tree) return { byTask: new Map(), problems: [] };
  const cachePath = join(cacheDirFor(snapshot.root), CACHE_FILE);
  const cached = readCache(cachePath);
  if (cached?.tree === tree) return { byTask: cached.statuses, problems: cached.problems };

  const read = (cached && readChanged(snapshot.root, cached, tree)) ?? readAll(snapshot.root, tree);
  writeCache(cachePath, read);
  return { byTask: read.statuses, problems: read.problems };
}

/** A `status/` tree record (`<shard>/<task>.json` relative to it) → the task, or undefined. */
const STATUS_ENTRY = /^[0-9a-f]{2}\/(.+)\.json$/;

/** Every entry of the `status/` tree, read and checked. */
function readAll(root: string, tree: string): CachedStatuses {
  const listed = git(root, ['ls-tree', '-r', '-z', tree]).stdout.split('\0');
  const entries: { task: string; id: string }[] = [];
  const problems: string[] = [];
  for (const record of listed) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(record);
    const task = m && STATUS_ENTRY.exec(m[2])?.[1];
    if (task) entries.push({ task, id: m[1] });
    else if (record) problems.push(`status/${record.split('\t')[1] ?? record}: not a status entry`);
  }
  const statuses = new Map<string, TaskStatus>();
  const blobs = readBlobs(
    root,
    entries.map((e) => e.id),
  );
  for (const { task, id } of entries) checkEntry(statuses, problems, task, blobs.get(id));
  return { tree, statuses, problems };
}

/** Most entries a changed tree may differ by before a full read is cheaper than the diff. */
const MAX_CHANGED = 2000;

/**
 * The cache brought from its tree to `tree` by reading only the entries that differ; undefined
 * (read everything) when the cached tree is gone, the change is large, or an entry is not of the
 * plain `<shard>/<task>.json` blob form (a full read reports it exactly as before).
 */
function readChanged(root: string, cached: CachedStatuses, tree: string): CachedStatuses | undefined {
  const diff = git(root, ['diff-tree', '-r', '-z', '--no-renames', cached.tree, tree], { allowFail: true });
  if (diff.status !== 0) return undefined;
  const changes: { task: string; id: string | null }[] = [];
  for (const { path, mode, id, status } of parseRawDiff(diff.stdout)) {
    const task = STATUS_ENTRY.exec(path)?.[1];
    if (!task || (status !== 'D' && mode !== '100644' && mode !== '100755')) return undefined;
    if (statusPathOf(task) !== `status/${path}`) return undefined;
    changes.push({ task, id: status === 'D' ? null : id });
    if (changes.length > MAX_CHANGED) return undefined;
  }
  // the cache was parsed for this read alone: brought up to date in place, not copied
  const statuses = cached.statuses;
  const touched = new Set(changes.map((c) => `${statusPathOf(c.task)}:`));
  const problems = cached.problems.filter((p) => ![...touched].some((t) => p.startsWith(t)));
  const blobs = readBlobs(
    root,
    changes.flatMap((c) => (c.id ? [c.id] : [])),
  );
  for (const { task, id } of changes) {
    statuses.delete(task);
    if (id) checkEntry(statuses, problems, task, blobs.get(id));
  }
  return { tree, statuses, problems };
}

/** Adds one entry's status to `statuses`, or why it is not one to `problems`. */
function checkEntry(
  statuses: Map<string, TaskStatus>,
  problems: string[],
  task: string,
  blob: Buffer | undefined,
): void {
  let value: unknown;
  try {
    value = JSON.parse(blob?.toString('utf8') ?? '');
  } catch {
    problems.push(`${statusPathOf(task)}: not JSON`);
    return;
  }
  // the path (a sha256 of the id) only for a problem: 10,000 hashes cost a fresh clone's read 10 ms
  if (!validateStateStatus(value)) {
    problems.push(
      `${statusPathOf(task)}: not a status block (${validateStateStatus.errors?.[0]?.message ?? 'invalid'})`,
    );
    return;
  }
  statuses.set(task, value as TaskStatus);
}

/** The write that sets a task's status on the state ref. */
export function statusWrite(taskId: string, status: TaskStatus): StateWrite {
  return { path: statusPathOf(taskId), content: `${canonicalJson(status)}\n` };
}

/** Sets a task's status on the state ref (one compare-and-swap update). */
export function writeStatus(
  state: StateRef,
  taskId: string,
  status: TaskStatus,
  message = `status of ${taskId}: ${status.phase}`,
): Promise<StateUpdate> {
  return state.update(message, () => [statusWrite(taskId, status)]);
}

/** On disk the statuses are `[task, status]` pairs: a Map is built from them without copying. */
interface StoredStatuses {
  tree: string;
  statuses: [string, TaskStatus][];
  problems: string[];
}

function readCache(path: string): CachedStatuses | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as StoredStatuses;
    return typeof value?.tree === 'string' && Array.isArray(value.statuses) && Array.isArray(value.problems)
      ? { tree: value.tree, statuses: new Map(value.statuses), problems: value.problems }
      : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(path: string, value: CachedStatuses): void {
  const stored: StoredStatuses = {
    tree: value.tree,
    statuses: [...value.statuses],
    problems: value.problems,
  };
  try {
    writeCacheFile(path, JSON.stringify(stored));
  } catch {
    // a cache that cannot be written costs speed only
  }
}
