import type { Config } from '../repo/config.js';
import type { Diagnostic } from '../repo/diagnostics.js';
import { loadTaskIndex } from '../repo/repo-files.js';
import type { TaskIndex } from '../repo/task-index.js';
import type { TaskStatus } from '../repo/task-types.js';
import { usesStateRef } from './state-layout.js';
import { StateRef, type StateSnapshot } from './state-ref.js';
import { readStatuses } from './state-statuses.js';

export interface ObservedIndex {
  index: TaskIndex;
  diagnostics: Diagnostic[];
  /** The state ref read (ref mode only). */
  state?: StateRef;
  /** The state commit the statuses came from (ref mode; undefined before the first write). */
  stateCommit?: string;
  /** State entries that were not valid and were ignored. */
  stateProblems: string[];
}

/**
 * The task index as every reader shows it: the desired state (the tasks people wrote, from the
 * working tree) with the observed state laid over it. In `inline` mode the index's own status
 * blocks are the observed state; in `ref` mode each task's status comes from the state ref (read
 * from git objects, no checkout), and a task the state ref has no entry for keeps the block the
 * index has (written before the state ref, or landed there by `state_sync`).
 */
export function loadObservedIndex(
  root: string,
  config: Config,
  mode: 'full' | 'fast' = 'fast',
  options: { cache?: boolean; snapshot?: StateSnapshot } = {},
): ObservedIndex {
  const { index, diagnostics } = loadTaskIndex(root, config, mode, options);
  if (!usesStateRef(config)) return { index, diagnostics, stateProblems: [] };
  const state = StateRef.open(root, config);
  const snapshot = options.snapshot ?? state.snapshot();
  const { byTask, problems } = readStatuses(snapshot);
  overlayStatuses(index, byTask);
  return {
    index,
    diagnostics,
    state,
    stateCommit: snapshot.commit,
    stateProblems: problems.map((p) => `${state.ref}:${p}`),
  };
}

/** Sets each task's status to the state ref's; tasks it has no status for keep theirs. */
export function overlayStatuses(index: TaskIndex, statuses: ReadonlyMap<string, TaskStatus>): void {
  if (statuses.size === 0) return;
  for (const task of index.tasks) {
    const status = statuses.get(task.id);
    if (status) task.status = status;
  }
}
