import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateStateStatus } from '../generated/validators.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { canonicalJson } from '../repo/canonical-json.js';
import { cacheDirFor } from '../repo/parse-cache.js';
import type { TaskStatus } from '../repo/task-types.js';
import { readBlobs } from '../git/cat-file.js';
import { git } from '../git/git.js';
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
  statuses: Record<string, TaskStatus>;
  problems: string[];
}

const CACHE_FILE = 'state-statuses.json';

/**
 * Every task's status on the state ref at `snapshot`. The `status/` tree's id keys a cache in the
 * clone's git directory, so a read costs one `rev-parse` while the statuses did not change; when
 * they did, all blobs are read by one `git cat-file --batch`. The state ref is input like any file
 * of the repository: each entry is schema-checked, and a bad one is reported, not trusted.
 */
export function readStatuses(snapshot: StateSnapshot): StateStatuses {
  const tree = snapshot.treeOf('status');
  if (!tree) return { byTask: new Map(), problems: [] };
  const cachePath = join(cacheDirFor(snapshot.root), CACHE_FILE);
  const cached = readCache(cachePath);
  if (cached?.tree === tree)
    return { byTask: new Map(Object.entries(cached.statuses)), problems: cached.problems };

  const listed = git(snapshot.root, ['ls-tree', '-r', '-z', tree]).stdout.split('\0');
  const entries: { task: string; path: string; id: string }[] = [];
  const problems: string[] = [];
  for (const record of listed) {
    const m = /^\d+ blob ([0-9a-f]+)\t[0-9a-f]{2}\/(.+)\.json$/.exec(record);
    if (m) entries.push({ task: m[2], path: `status/${m[2]}`, id: m[1] });
    else if (record) problems.push(`status/${record.split('\t')[1] ?? record}: not a status entry`);
  }
  const blobs = readBlobs(
    snapshot.root,
    entries.map((e) => e.id),
  );
  const statuses: Record<string, TaskStatus> = Object.create(null);
  for (const { task, id } of entries) {
    const path = statusPathOf(task);
    let value: unknown;
    try {
      value = JSON.parse(blobs.get(id)?.toString('utf8') ?? '');
    } catch {
      problems.push(`${path}: not JSON`);
      continue;
    }
    if (!validateStateStatus(value)) {
      problems.push(`${path}: not a status block (${validateStateStatus.errors?.[0]?.message ?? 'invalid'})`);
      continue;
    }
    statuses[task] = value as TaskStatus;
  }
  writeCache(cachePath, { tree, statuses, problems });
  return { byTask: new Map(Object.entries(statuses)), problems };
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

function readCache(path: string): CachedStatuses | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as CachedStatuses;
    return typeof value?.tree === 'string' && value.statuses && Array.isArray(value.problems)
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(path: string, value: CachedStatuses): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileAtomic(path, JSON.stringify(value));
  } catch {
    // a cache that cannot be written costs speed only
  }
}
