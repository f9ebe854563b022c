import { CxoError } from '../errors.js';
import { type CommitTaskStatusResult, commitTaskStatus, type FileEdit } from '../git/status-commit.js';
import type { Config } from '../repo/config.js';
import type { TaskStatus } from '../repo/task-types.js';
import { runDirOf } from '../runs/run-layout.js';
import { MANIFEST } from '../runs/run-recorder.js';
import { spentWrite } from './cost-ledger.js';
import { runEvidenceWrites } from './run-evidence.js';
import { parseClaims } from './state-claims.js';
import { claimPathOf, statusPathOf, usesStateRef } from './state-layout.js';
import { StateRef, StateSnapshot } from './state-ref.js';
import { recordRunSynced } from './state-runs.js';
import { statusWrite } from './state-statuses.js';

export interface WriteTaskStatusOptions {
  root: string;
  config: Config;
  taskId: string;
  status: TaskStatus;
  runId: string;
  /** The run's evidence (`.runs/<task>/<run>/`) goes with the status; its manifest is named in the message. */
  evidence?: boolean;
  /** Line edits of committed text files (a checklist tick): only ever on the branch (inline, or state_sync). */
  edits?: FileEdit[];
  /** More trailers, e.g. `Reviewed-by`. */
  trailers?: [string, string][];
  /**
   * The run's observed cost (ref mode: replaces its reservation in the cost ledger, in the same
   * update); `day` is where it goes when no claim reserved it (a run started by hand).
   */
  cost?: { usd: number; day: string };
  /** The person who acted: the commits' author; the orchestrator stays the committer. */
  author?: { name: string; email: string };
  /** `git -c` arguments that sign the commits with the person's key. */
  signWith?: string[];
  /**
   * Ref mode: the state commit the caller decided from. When the task's status on the state ref
   * is no longer what it was there, nothing is written and the result says `moved`.
   */
  unlessMovedSince?: string;
  /**
   * Ref mode, a run's own status: nothing is written when another run took the run's claim over
   * (checked inside the compare-and-swap, so a takeover that lands first always wins).
   */
  unlessTakenOver?: boolean;
}

export interface TaskStatusWritten extends CommitTaskStatusResult {
  /** Where `commit` is: the current branch (inline mode) or the state ref (ref mode). */
  on: 'branch' | 'state-ref';
  /** The `state_sync: done` commit of the final status on the current branch (ref mode). */
  synced?: string;
  /** Why the `state_sync` commit or pull request could not be made (the state ref has the status). */
  syncWarning?: string;
  /** `state_sync: pr`: the batched pull request that lands the `done` statuses on the base branch. */
  syncPullRequest?: { number: number; url: string; tasks: string[] };
  /** Nothing written: the status changed since `unlessMovedSince` (ref mode). */
  moved?: true;
  /** Nothing written: another run took this run's claim over (`unlessTakenOver`, ref mode). */
  takenOver?: true;
}

/**
 * Writes a task's status wherever the config keeps statuses, so no caller branches on the mode:
 * inline, the status block (with the evidence and edits) is committed on the current branch;
 * in ref mode the status and the run's evidence are one update of the state ref and nothing lands
 * on the branch, except, with `gitops.state_sync: done`, a `done` status (and its edits) committed
 * there too by the same write-back as inline.
 */
export async function writeTaskStatus(options: WriteTaskStatusOptions): Promise<TaskStatusWritten> {
  const { root, config, taskId, status, runId } = options;
  const manifest = options.evidence ? `${runDirOf(taskId, runId)}/${MANIFEST}` : undefined;
  const onBranch = () =>
    commitTaskStatus({
      root,
      indexFile: config.files.tasks,
      taskId,
      status,
      runId,
      manifest,
      extraFiles: manifest && !usesStateRef(config) ? [runDirOf(taskId, runId)] : [],
      edits: options.edits ?? [],
      trailers: options.trailers,
      author: options.author,
      signWith: options.signWith,
    });
  if (!usesStateRef(config)) return { ...(await onBranch()), on: 'branch' };

  const state = StateRef.open(root, config);
  // read once: the update's compute may run again on a lost race, with the same writes
  const writes = [
    statusWrite(taskId, status),
    ...(options.evidence
      ? await runEvidenceWrites(root, taskId, runId, {
          inlineMaxBytes: config.evidence.inline_max_bytes,
          remote: state.remote,
        })
      : []),
  ];
  const trailers = (options.trailers ?? []).map(([k, v]) => `${k}: ${v}`);
  const message = `${taskId}: ${status.phase} [${runId}]${trailers.length ? `\n\n${trailers.join('\n')}` : ''}`;
  const path = statusPathOf(taskId);
  const decidedOn = options.unlessMovedSince;
  const before = decidedOn === undefined ? undefined : new StateSnapshot(root, decidedOn).read(path);
  const { cost } = options;
  let moved = false;
  let takenOver = false;
  const update = await state.update(
    message,
    (current) => {
      moved = decidedOn !== undefined && !sameBytes(current.read(path), before);
      takenOver = Boolean(options.unlessTakenOver) && claimTakenOver(current, taskId, runId);
      if (moved || takenOver) return [];
      return cost ? [...writes, spentWrite(current, cost.day, taskId, runId, cost.usd, new Date())] : writes;
    },
    { author: options.author, sign: options.signWith },
  );
  const unwritten = { commit: update.commit!, attempts: update.attempts, on: 'state-ref' as const };
  if (moved) return { ...unwritten, moved: true };
  if (takenOver) return { ...unwritten, takenOver: true };
  const written: TaskStatusWritten = { commit: update.commit!, attempts: update.attempts, on: 'state-ref' };
  if (options.evidence) recordRunSynced(root, update.commit!, taskId, runId);
  if (status.phase === 'done' && config.gitops.state_sync === 'done') {
    try {
      const synced = await onBranch();
      Object.assign(written, {
        synced: synced.commit,
        conflict: synced.conflict,
        keptFiles: synced.keptFiles,
      });
    } catch (e) {
      if (!(e instanceof CxoError)) throw e;
      written.syncWarning = `the status is on the state ref, but not synced to the branch: ${e.message}`;
    }
  }
  if (status.phase === 'done' && config.gitops.state_sync === 'pr') {
    try {
      // loaded only here: octokit is not for every status write
      const [{ connectGitHub }, { syncStatusesByPullRequest }] = await Promise.all([
        import('../github/github-repo.js'),
        import('./status-sync-pr.js'),
      ]);
      const pull = await syncStatusesByPullRequest(root, config, connectGitHub(root, config, process.env));
      if (pull) written.syncPullRequest = { number: pull.number, url: pull.url, tasks: pull.tasks };
    } catch (e) {
      if (!(e instanceof CxoError)) throw e;
      written.syncWarning = `the status is on the state ref, but the status pull request was not updated: ${e.message}`;
    }
  }
  return written;
}

/** Whether a claim of the task on the snapshot took run `runId`'s over. */
function claimTakenOver(snapshot: StateSnapshot, taskId: string, runId: string): boolean {
  const bytes = snapshot.read(claimPathOf(taskId));
  const file = bytes && parseClaims(bytes);
  return Boolean(file && file.claims.some((c) => c.takes === runId));
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}
