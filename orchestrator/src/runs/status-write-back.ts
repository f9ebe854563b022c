import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CxoError } from '../errors.js';
import { requireGitDir } from '../repo/git-dir.js';
import { personIdentity } from '../git/person.js';
import { writeFileAtomic } from '../repo/atomic-write.js';
import type { Config } from '../repo/config.js';
import { usesStateRef } from '../state/state-layout.js';
import { writeTaskStatus } from '../state/write-task-status.js';
import { hasErrors } from '../repo/diagnostics.js';
import { decodeSource, encodeSource } from '../repo/source-text.js';
import { parseTaskIndex } from '../repo/task-index.js';
import { setTaskStatus } from '../repo/task-index-edit.js';
import type { Phase, TaskStatus } from '../repo/task-types.js';
import type { RunManifest } from './manifest-types.js';
import { utcDayText } from '../state/cost-ledger.js';
import { runCostOf } from './run-cost.js';
import { runDirOf } from './run-layout.js';
import { MANIFEST } from './run-recorder.js';

export interface WriteBackOutcome {
  phase: Phase;
  /** The commit holding the status; absent when nothing was committed. */
  commit?: string;
  attempts?: number;
  /** The person changed the same status block (their value was kept), removed the task, or broke the file. */
  conflict?: { field: string };
  /** Why the status could only be written to the working copy, or not at all. */
  warning?: string;
  /** Why the run's branch could not be pushed with its evidence (ref mode, shared state). */
  branchWarning?: string;
}

/**
 * Writes a run's task status back with its evidence (`writeTaskStatus`): inline, the status block
 * in the task index committed on the current branch, or only into the working copy when the task
 * is not committed yet; in ref mode, one update of the state ref (nothing on the branch). A write-back problem never changes the run's result: it is returned as a
 * warning and logged to `.git/codex-orchestrator/write-back.ndjson`, as is every conflict.
 */
export async function writeBackRunStatus(
  root: string,
  config: Config,
  manifest: RunManifest,
  phase: Phase,
  options: { evidence: boolean; message?: string; reason?: string | null; result?: string },
): Promise<WriteBackOutcome> {
  const dir = runDirOf(manifest.task.id, manifest.run.id);
  const status: TaskStatus = {
    phase,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.message ? { message: options.message } : {}),
    ...(manifest.trigger.request ? { observedRequest: manifest.trigger.request } : {}),
    lastRun: {
      id: manifest.run.id,
      ...(options.evidence ? { manifest: `${dir}/${MANIFEST}` } : {}),
      result: options.result ?? manifest.result.status,
    },
    updatedAt: new Date().toISOString(),
  };
  let outcome: WriteBackOutcome;
  try {
    const committed = await writeTaskStatus({
      root,
      config,
      taskId: manifest.task.id,
      status,
      runId: manifest.run.id,
      evidence: options.evidence,
      // the run is over: its observed cost replaces its reservation in the cost ledger
      ...(phase !== 'running'
        ? { cost: { usd: runCostOf(manifest), day: utcDayText(new Date(manifest.run.createdAt)) } }
        : {}),
      // the person who ran cxo run (or cxo watch) authors the commit; the orchestrator commits it
      author: personIdentity(root),
      unlessTakenOver: true,
    });
    outcome = committed.takenOver
      ? {
          phase,
          warning: `another run took the claim of run ${manifest.run.id} over (its lease had run out): the status was not written`,
        }
      : { phase, commit: committed.commit, attempts: committed.attempts, conflict: committed.conflict };
  } catch (e) {
    if (!(e instanceof CxoError)) throw e;
    // in ref mode the person's working copy of the index is never the orchestrator's to edit
    const fallback = usesStateRef(config)
      ? '; the status was not written'
      : writeWorkingCopy(root, config.files.tasks, manifest, status);
    outcome = { phase, warning: `${e.message}${fallback}` };
  }
  logWriteBack(root, manifest, outcome);
  return outcome;
}

/** Fallback when the status cannot be committed: the same minimal edit in the working copy. */
function writeWorkingCopy(root: string, file: string, manifest: RunManifest, status: TaskStatus): string {
  const path = join(root, file);
  try {
    const decoded = decodeSource(file, readFileSync(path));
    const parsed = decoded.source ? parseTaskIndex(decoded.source, 'full') : undefined;
    if (!decoded.source || !parsed?.index || hasErrors(parsed.diagnostics))
      return `; ${file} is not valid, so the status was not written at all`;
    if (!parsed.index.byId.has(manifest.task.id))
      return `; the task is not in ${file} any more, so the status was not written at all`;
    writeFileAtomic(
      path,
      encodeSource(decoded.source, setTaskStatus(parsed.index, manifest.task.id, status)),
    );
    return '; the status was written to the working copy only';
  } catch (e) {
    return `; the status was not written at all: ${(e as Error).message}`;
  }
}

function logWriteBack(root: string, manifest: RunManifest, outcome: WriteBackOutcome): void {
  const dir = join(requireGitDir(root), 'codex-orchestrator');
  mkdirSync(dir, { recursive: true });
  const line = { at: new Date().toISOString(), task: manifest.task.id, run: manifest.run.id, ...outcome };
  appendFileSync(join(dir, 'write-back.ndjson'), `${JSON.stringify(line)}\n`);
}
