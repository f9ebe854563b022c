/**
 * Desired state (each task's `request`) against observed state (its `status`, the runs under
 * .runs/, the dispatch ledger): what each task needs now. Pure: the caller loads the files.
 *
 * The in-flight rule: a request changed while a run of the task is in flight does not cancel or
 * restart that run. The task stays `running`; the run records the request it started with as
 * `observedRequest`, so once it ends the new request differs from it and the task is due again.
 *
 * Retries: when the task's newest run is the last attempt the ledger claimed for its request, and
 * that run failed transiently with attempts left, the task is due again once the backoff is over
 * (`retry-wait` until then), whatever its status says about the request.
 */
import { type GateResult, gateTask } from '../guard/dispatch-gate.js';
import type { Config } from '../repo/config.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import type { TaskIndex } from '../repo/task-index.js';
import type { Task } from '../repo/task-types.js';
import type { RunEntry } from '../runs/run-index.js';
import { type Retry, retryAfter, type RetrySettings } from './retry-policy.js';

export type Situation =
  /** Nothing requested, or the request was handled already. */
  | { kind: 'idle'; task: Task }
  /**
   * A new request whose spec passes the gate; the plan decides when its dependencies allow it.
   * `retry`: the request was tried and failed transiently; this is a later attempt, due now.
   */
  | { kind: 'due'; task: Task; request: string; gate: GateResult; retry?: Retry }
  /** The last attempt failed transiently: the next one is due at `retry.dueAt`. */
  | { kind: 'retry-wait'; task: Task; request: string; retry: Retry }
  /** A new request the spec gate refuses (the reasons include unfinished dependencies too). */
  | { kind: 'blocked'; task: Task; request: string; reasons: GateResult['reasons'] }
  /** A live run handles the task; `pendingRequest` is a newer request that waits for it to end. */
  | { kind: 'running'; task: Task; run: RunEntry; pendingRequest?: string }
  /** Its run's process is gone: resumable once (no resume recorded yet), else left for `cxo runs clean`. */
  | { kind: 'stalled'; task: Task; run: RunEntry; resumable: boolean }
  /** The dispatch ledger says this request was dispatched already (run `runId`): never again. */
  | { kind: 'claimed'; task: Task; request: string; runId: string };

export interface DesiredStateInput {
  index: TaskIndex;
  /** The parsed spec at a path, undefined when it is missing or invalid. */
  specOf: (path: string) => SpecDoc | undefined;
  config: Config;
  /** UTC day number (utcDayOf). */
  today: number;
  /** Every run, as listRuns returns them (newest first). */
  runs: readonly RunEntry[];
  /** The run id that claimed (task, request) in the dispatch ledger, if any. */
  claimedRun?: (taskId: string, request: string) => string | undefined;
  /** The last attempt of (task, request) in the dispatch ledger; `claimedRun` as attempt 1 without it. */
  lastClaim?: (taskId: string, request: string) => { runId: string; attempt: number } | undefined;
  /** Retries of transient failures, judged at `now` (ms); none without it. */
  retry?: { settings: RetrySettings; now: number };
}

/** Phases that say a person decided, or that the task has a result to review: no retry then. */
const SETTLED_PHASES = new Set(['done', 'review', 'changes-requested', 'cancelled']);

/** The gate's reasons about dependencies: the plan handles those, since a due dependency is no block. */
const DEPENDENCY_REASONS = new Set(['DependencyNotReady', 'DependencyFailed']);

/** Each task's situation, in file order. */
export function desiredState(input: DesiredStateInput): Map<string, Situation> {
  const { index, config, today } = input;
  const liveRuns = new Map<string, RunEntry>();
  const stalledRuns = new Map<string, RunEntry>();
  const newestRuns = new Map<string, RunEntry>();
  const runIds = new Set<string>();
  // newest first: the first running run seen of a task is the one that counts
  for (const run of input.runs) {
    const id = run.manifest.task.id;
    if (!newestRuns.has(id)) newestRuns.set(id, run);
    runIds.add(run.manifest.run.id);
    if (run.manifest.result.status !== 'running') continue;
    const into = run.stalled ? stalledRuns : liveRuns;
    if (!into.has(id)) into.set(id, run);
  }
  const out = new Map<string, Situation>();
  for (const task of index.tasks) {
    if (out.has(task.id)) continue;
    const request = task.request;
    const outstanding = request !== undefined && request !== task.status?.observedRequest;
    const live = liveRuns.get(task.id);
    if (live) {
      const pending =
        request !== undefined && request !== live.manifest.trigger.request ? request : undefined;
      out.set(task.id, { kind: 'running', task, run: live, ...(pending ? { pendingRequest: pending } : {}) });
      continue;
    }
    // a live run outranks a stalled one: someone resumed or restarted the task meanwhile
    const stalled = stalledRuns.get(task.id);
    if (stalled) {
      out.set(task.id, {
        kind: 'stalled',
        task,
        run: stalled,
        resumable: stalled.manifest.resumes.length === 0,
      });
      continue;
    }
    const claim = request === undefined ? undefined : lastClaimOf(input, task.id, request);
    const retry =
      request !== undefined && claim && input.retry
        ? retryOf(task, request, claim, newestRuns.get(task.id), input.retry.settings)
        : undefined;
    if (request !== undefined && retry && Date.parse(retry.dueAt) > (input.retry?.now ?? 0)) {
      out.set(task.id, { kind: 'retry-wait', task, request, retry });
      continue;
    }
    // a retry claimed without a run (a watcher killed in between) says so even when the status is settled
    const orphan = claim !== undefined && claim.attempt > 1 && !runIds.has(claim.runId);
    if (request === undefined || (!outstanding && !retry && !orphan)) {
      out.set(task.id, { kind: 'idle', task });
      continue;
    }
    if (claim && !retry) {
      out.set(task.id, { kind: 'claimed', task, request, runId: claim.runId });
      continue;
    }
    const spec = task.spec ? input.specOf(task.spec) : undefined;
    const gate = gateTask(task, index, spec, config, today);
    const specBlocked = gate.reasons.some((r) => !DEPENDENCY_REASONS.has(r.reason));
    out.set(
      task.id,
      specBlocked
        ? { kind: 'blocked', task, request, reasons: gate.reasons }
        : { kind: 'due', task, request, gate, ...(retry ? { retry } : {}) },
    );
  }
  return out;
}

function lastClaimOf(
  input: DesiredStateInput,
  taskId: string,
  request: string,
): { runId: string; attempt: number } | undefined {
  if (input.lastClaim) return input.lastClaim(taskId, request);
  const runId = input.claimedRun?.(taskId, request);
  return runId ? { runId, attempt: 1 } : undefined;
}

/** The retry owed when the task's newest run is the claimed attempt and nobody has acted since. */
function retryOf(
  task: Task,
  request: string,
  claim: { runId: string; attempt: number },
  newest: RunEntry | undefined,
  settings: RetrySettings,
): Retry | undefined {
  if (!newest || newest.manifest.run.id !== claim.runId) return undefined;
  const status = task.status;
  if (status && (SETTLED_PHASES.has(status.phase) || (status.lastRun && status.lastRun.id !== claim.runId)))
    return undefined;
  return retryAfter(task.id, request, claim.attempt, newest.manifest, settings);
}
