import { createHash } from 'node:crypto';
import type { Config } from '../repo/config.js';

/**
 * Where things live in the state ref's tree. Entries of one task share a shard (two hex digits of
 * the task id's sha256), so a write rewrites a few small trees whatever the number of tasks and
 * runs: the root, a 256-entry shard list and a shard of ~n/256 tasks.
 *
 * ```
 * cxo-state.json                          format marker {format: 1}
 * status/<shard>/<task>.json              the task's status block (what `status` holds inline)
 * claims/<shard>/<task>.json              the task's claims (the dispatch ledger)
 * runs/<shard>/<task>/<run>/              the run's evidence: manifest.json and its artifacts
 * costs/<day>/<shard>.json                the cost ledger: runs claimed that UTC day (cost-ledger.ts)
 * ```
 */
export const STATE_FORMAT = 1;
export const STATE_MARKER = 'cxo-state.json';

export function shardOf(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 2);
}

export function statusPathOf(taskId: string): string {
  return `status/${shardOf(taskId)}/${taskId}.json`;
}

export function claimPathOf(taskId: string): string {
  return `claims/${shardOf(taskId)}/${taskId}.json`;
}

/** A run's folder on the state ref; inside it, paths are the same as under `.runs/<task>/<run>/`. */
export function stateRunDirOf(taskId: string, runId: string): string {
  return `runs/${shardOf(taskId)}/${taskId}/${runId}`;
}

/**
 * Where a file of a run's local directory (`.runs/<task>/<run>/<file>`, as a task's status names
 * its manifest) is on the state ref; undefined for a path outside a run directory.
 */
export function statePathOfRunFile(path: string): string | undefined {
  const m = /^\.runs\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  return m ? `${stateRunDirOf(m[1], m[2])}/${m[3]}` : undefined;
}

/** The full name of the state ref, e.g. `refs/heads/cxo/state`. */
export function stateRefName(config: Config): string {
  return `refs/heads/${config.gitops.state_ref}`;
}

/** Whether statuses, claims and evidence go to the state ref. */
export function usesStateRef(config: Config): boolean {
  return config.gitops.state === 'ref';
}
