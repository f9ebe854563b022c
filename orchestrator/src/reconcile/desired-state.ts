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
 *
 * Leases (claims on the state ref): a task whose run another clone claimed is `held` while the
 * claim's lease lasts, newer requests waiting for it as they wait for a local run; once the lease
 * has run out with the run unfinished, the task is due again as a takeover of that claim.
 */
import { type GateResult, gateTask } from '../guard/dispatch-gate.js';
import type { Config } from '../repo/config.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import type { TaskIndex } from '../repo/task-index.js';
import type { Task } from '../repo/task-types.js';
import type { RunEntry } from '../runs/run-index.js';
import { leaseExpired } from '../state/claim-lease.js';
import { type Retry, retryAfter, type RetrySettings } from './retry-policy.js';

export type Situation =
  /** Nothing requested, or the request was handled already. */
  | { kind: 'idle'; task: Task }
  /**
   * A new request whose spec passes the gate; the plan decides when its dependencies allow it.
   * `retry`: the request was tried and failed transiently; this is a later attempt, due now.
   */
  | { kind: 'due'; task: Task; request: string; gate: GateResult; retry?: Retry; takeover?: Takeover }
  /** The last attempt failed transiently: the next one is due at `retry.dueAt`. */
  | { kind: 'retry-wait'; task: Task; request: string; retry: Retry }
  /** A new request the spec gate refuses (the reasons include unfinished dependencies too). */
  | { kind: 'blocked'; task: Task; request: string; reasons: GateResult['reasons'] }
  /** A live run handles the task; `pendingRequest` is a newer request that waits for it to end. */
  | { kind: 'running'; task: Task; run: RunEntry; pendingRequest?: string }
  /** Its run's process is gone: resumable once (no resume recorded yet), else left for `cxo runs clean`. */
  | { kind: 'stalled'; task: Task; run: RunEntry; resumable: boolean }
  /** The dispatch ledger says this request was dispatched already (run `runId`): never again. */
  | { kind: 'claimed'; task: Task; request: string; runId: string }
  /** Another clone's run has the task; its claim's lease holds until `leaseUntil`. */
  | { kind: 'held'; task: Task; request: string; runId: string; holder?: string; leaseUntil: string };

/** A claim as the decisions need it; `leaseUntil` only for claims on the state ref. */
export interface ClaimView {
  runId: string;
  attempt: number;
  holder?: string;
  leaseUntil?: string;
}

/** The claim of a run that stopped renewing its lease: the new run takes its (request, attempt). */
export interface Takeover {
  from: string;
  attempt: number;
}

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
  lastClaim?: (taskId: string, request: string) => ClaimView | undefined;
  /** Retries of transient failures, judged at `now` (ms); none without it. */
  retry?: { settings: RetrySettings; now: number };
  /** When leases are judged (ms); claims never expire without it. */
  now?: number;
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
    const elsewhere = claimOfRemoteRun(input, task);
    if (elsewhere && !leaseExpired(elsewhere.claim, input.now)) {
      const { runId, holder, leaseUntil } = elsewhere.claim;
      out.set(task.id, {
        kind: 'held',
        task,
        request: elsewhere.request,
        runId,
        holder,
        leaseUntil: leaseUntil!,
      });
      continue;
    }
    const claim = request === undefined ? undefined : lastClaimOf(input, task.id, request);
    // the run that had the request stopped renewing its lease before it ended: rerun it here
    const stale =
      elsewhere && !outstanding
        ? elsewhere.claim
        : claim && outstanding && leaseExpired(claim, input.now) && !runIds.has(claim.runId)
          ? claim
          : undefined;
    if (request !== undefined && stale) {
      const spec = task.spec ? input.specOf(task.spec) : undefined;
      const gate = gateTask(task, index, spec, config, today);
      const takeover = { from: stale.runId, attempt: stale.attempt };
      out.set(
        task.id,
        gate.reasons.some((r) => !DEPENDENCY_REASONS.has(r.reason))
          ? { kind: 'blocked', task, request, reasons: gate.reasons }
          : { kind: 'due', task, request, gate, takeover },
      );
      continue;
    }
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

/**
 * The claim of the run a `running` status names, when it is another clone's (a local run is in
 * `input.runs`) and the claim has a lease: that lease says whether the run still works.
 */
function claimOfRemoteRun(
  input: DesiredStateInput,
  task: Task,
): { request: string; claim: ClaimView } | undefined {
  const status = task.status;
  const request = status?.observedRequest;
  if (status?.phase !== 'running' || !status.lastRun || request === undefined) return undefined;
  const claim = lastClaimOf(input, task.id, request);
  return claim && claim.runId === status.lastRun.id && claim.leaseUntil !== undefined
    ? { request, claim }
    : undefined;
}

function lastClaimOf(input: DesiredStateInput, taskId: string, request: string): ClaimView | undefined {
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
