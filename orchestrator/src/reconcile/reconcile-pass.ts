/**
 * One reconcile pass: load desired and observed state, write `blocked` statuses, resume stalled
 * runs once, and dispatch due tasks batch by batch, at most `concurrency` at a time.
 *
 * Rules (docs/watch.md explains them for users):
 * - in flight: a request changed while its run goes does not stop it; it is due once the run ends;
 * - stalled: a stalled run is resumed once; stalled again (a resume is recorded in its manifest),
 *   it is left for `cxo runs clean`, which records it failed, and reported as abandoned;
 * - failed runs: a transient failure (transient.ts) is dispatched again after a capped, jittered
 *   backoff, as a new attempt in the ledger, up to `watch.retry.max_attempts` (retry-policy.ts);
 *   any other failure, or the last attempt, stays failed until a person sets a new request;
 * - a task whose dependencies are due too waits for them to be done, i.e. reviewed, so in one
 *   pass only batch 1 runs and later batches are reported as waiting.
 *
 * `cxo watch --once` awaits the runs it starts; the long-running watcher detaches them (see
 * `ReconcileOptions.detach`) so that file events go on while runs take minutes.
 */
import { utcDayOf } from '../guard/utc-date.js';
import { writeTaskStatus } from '../state/write-task-status.js';
import { StateClaims } from '../state/state-claims.js';
import { usesStateRef } from '../state/state-layout.js';
import { StateRef } from '../state/state-ref.js';
import { CxoError, ExitCode } from '../errors.js';
import { unfinishedDependencies } from '../plan/next-task.js';
import type { Config } from '../repo/config.js';
import { loadSpec } from '../repo/load-repo.js';
import type { SpecDoc } from '../repo/markdown-docs.js';
import { loadObservedIndex } from '../state/observed-index.js';
import type { TaskIndex } from '../repo/task-index.js';
import type { TaskStatus } from '../repo/task-types.js';
import type { RunManifest } from '../runs/manifest-types.js';
import type { ProgressEvent } from '../runs/pipeline.js';
import type { RunCache } from '../runs/run-cache.js';
import { isStalled, listRuns } from '../runs/run-index.js';
import { newRunId } from '../runs/run-layout.js';
import { RunRecorder } from '../runs/run-recorder.js';
import { DispatchLedger } from './dedupe.js';
import { localBudgetRefusal } from './local-spend.js';
import { desiredState, type Situation } from './desired-state.js';
import { type PlanBlock, planBatches, type ReconcilePlan } from './plan.js';
import { type Retry, retrySettingsOf } from './retry-policy.js';
import { type ChildRun, runInChild } from './run-process.js';
import { acquireWatchLock, type WatchLock } from './watch-lock.js';

export interface ReconcileState {
  index: TaskIndex;
  situations: Map<string, Situation>;
  plan: ReconcilePlan;
  /** As read for the decisions; the pass claims its dispatches in it (on the state ref in ref mode). */
  ledger: DispatchLedger | StateClaims;
  /** The state commit the statuses were read from (ref mode; undefined before the first write). */
  stateCommit?: string;
}

/**
 * Everything a pass (or `cxo plan`) decides from: no writes. A long-running caller passes its
 * RunCache, so that the runs are not all read again at every pass.
 */
export function loadReconcileState(
  root: string,
  config: Config,
  concurrency: number,
  now = new Date(),
  runCache?: RunCache,
): ReconcileState {
  // one state snapshot for the statuses and the claims: the pass decides from one moment
  const state = usesStateRef(config) ? StateRef.open(root, config) : undefined;
  const snapshot = state?.snapshot();
  const { index } = loadObservedIndex(root, config, 'fast', { snapshot });
  const specs = new Map<string, SpecDoc | undefined>();
  const specOf = (path: string) => {
    if (!specs.has(path)) specs.set(path, loadSpec(root, path, config).spec);
    return specs.get(path);
  };
  const ledger = state
    ? new StateClaims(state, snapshot!, config.gitops.claim_lease_seconds * 1000)
    : new DispatchLedger(root);
  const situations = desiredState({
    index,
    specOf,
    config,
    today: utcDayOf(now),
    runs: runCache ? runCache.list(tasksToDecide(index, ledger)) : listRuns(root),
    lastClaim: (task, request) => ledger.latest(task, request),
    retry: { settings: retrySettingsOf(config), now: now.getTime() },
    now: now.getTime(),
  });
  return {
    index,
    situations,
    plan: planBatches(index, situations, concurrency),
    ledger,
    stateCommit: snapshot?.commit,
  };
}

/**
 * The tasks whose runs a pass must see as they are now: a new request, a request dispatched
 * before (retries, claims), or a run in progress. For the others, only a live or stalled run
 * matters, and that waits minutes to count (RunCache looks at them every FULL_SCAN_MS).
 */
function tasksToDecide(index: TaskIndex, ledger: ReconcileState['ledger']): Set<string> {
  const focus = new Set<string>();
  for (const t of index.tasks) {
    const request = t.request;
    if (
      t.status?.phase === 'running' ||
      (request !== undefined && (request !== t.status?.observedRequest || ledger.latest(t.id, request)))
    )
      focus.add(t.id);
  }
  return focus;
}

type RunStatus = RunManifest['result']['status'] | 'error';

export type ReconcileEvent =
  | {
      type: 'pass';
      /** Due tasks in a batch; those the plan blocks count as blocked. */
      due: number;
      blocked: number;
      running: number;
      stalled: number;
      claimed: number;
      /** Waiting for the backoff before a retry. */
      retrying: number;
      batches: number;
    }
  | {
      type: 'blocked';
      taskId: string;
      reasons: PlanBlock[];
      /**
       * unchanged: the status said so already; off: gitops.write_back is off; moved: another clone
       * wrote the task's status since the pass read it (its decision stands); failed: see warning.
       */
      written: 'unchanged' | 'committed' | 'off' | 'moved' | 'failed';
      commit?: string;
      warning?: string;
    }
  | { type: 'duplicate'; taskId: string; request: string; runId: string }
  | {
      type: 'dispatch';
      taskId: string;
      runId: string;
      request: string;
      batch: number;
      attempt?: number;
      /** The run of another clone whose expired claim this one took over. */
      takesOver?: string;
    }
  | ({ type: 'retry-wait'; taskId: string; request: string } & Retry)
  | { type: 'run-event'; taskId: string; runId: string; event: ProgressEvent }
  | { type: 'run-ended'; taskId: string; runId: string; status: RunStatus; reason: string | null }
  | { type: 'waiting'; taskId: string; on: string[] }
  | { type: 'resume'; taskId: string; runId: string }
  | { type: 'abandoned'; taskId: string; runId: string; message: string }
  | { type: 'lock-lost'; message: string };

export interface RunOutcome {
  taskId: string;
  runId: string;
  request?: string;
  status: RunStatus;
  reason: string | null;
}

export interface ReconcileSummary {
  dispatched: RunOutcome[];
  blocked: {
    taskId: string;
    reasons: PlanBlock[];
    written: Extract<ReconcileEvent, { type: 'blocked' }>['written'];
  }[];
  resumed: RunOutcome[];
  skippedDuplicate: { taskId: string; request: string; runId: string }[];
  /** Due tasks whose dependencies are due too: they run in a later pass, once those are done. */
  waiting: { taskId: string; on: string[] }[];
  /** Runs in progress; `holder` for another clone's, whose claim's lease holds. */
  running: { taskId: string; runId: string; pendingRequest?: string; holder?: string }[];
  /** Transient failures whose next attempt waits for its backoff: the watcher passes again at the earliest. */
  retrying: ({ taskId: string; request: string } & Retry)[];
  /** Stalled again after their one resume: left for `cxo runs clean`. */
  abandoned: { taskId: string; runId: string }[];
  lockLost: boolean;
}

export interface ReconcileOptions {
  root: string;
  config: Config;
  env: NodeJS.ProcessEnv;
  concurrency: number;
  signal: AbortSignal;
  progress: (event: ReconcileEvent) => void;
  /** The watch lock the caller holds; without it the pass takes (and releases) the lock itself. */
  lock?: WatchLock;
  /**
   * Start runs without awaiting them: at most `capacity` starts (resumes included), each handed to
   * `track`, which settles with the outcome after its `run-ended` event (or rejects with a bug). The
   * summary lists them with status `running`. `stop` ends dispatching; `signal` still cancels runs.
   */
  detach?: {
    capacity: number;
    track: (run: Promise<RunOutcome>, runId: string) => void;
    stop: AbortSignal;
    /**
     * Start each run in a CLI process of its own (run-process.ts): `[node, cxo.js]`. Without it,
     * runs go in this process.
     */
    command?: readonly string[];
    /** The runs the caller tracks: a run whose process has not written its manifest yet is running, not a duplicate. */
    inFlight?: ReadonlySet<string>;
  };
  /** The clock that decides whether a retry's backoff is over (tests move it instead of sleeping). */
  now?: () => Date;
  /** The runs as the caller's previous passes saw them (the watcher's); all are read without it. */
  runCache?: RunCache;
}

export async function reconcileOnce(options: ReconcileOptions): Promise<ReconcileSummary> {
  if (options.lock) return pass(options, options.lock);
  const acquired = await acquireWatchLock(options.root);
  if (!acquired.ok) throw new CxoError(acquired.message, ExitCode.Failure);
  try {
    return await pass(options, acquired.lock);
  } finally {
    acquired.lock.release();
  }
}

async function pass(options: ReconcileOptions, lock: WatchLock): Promise<ReconcileSummary> {
  const { root, config, progress, signal } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const summary: ReconcileSummary = {
    dispatched: [],
    blocked: [],
    resumed: [],
    skippedDuplicate: [],
    waiting: [],
    running: [],
    retrying: [],
    abandoned: [],
    lockLost: false,
  };
  const now = options.now ?? (() => new Date());
  // shared state: see what the other clones claimed and wrote before deciding (the claim itself is the guarantee)
  if (usesStateRef(config)) await StateRef.open(root, config).refresh();
  const { index, situations, plan, ledger, stateCommit } = loadReconcileState(
    root,
    config,
    concurrency,
    now(),
    options.runCache,
  );
  const all = [...situations.values()];
  const count = (kind: Situation['kind']) => all.filter((s) => s.kind === kind).length;
  progress({
    type: 'pass',
    due: plan.batches.reduce((n, b) => n + b.tasks.length, 0),
    blocked: plan.blocked.length,
    running: count('running') + count('held'),
    stalled: count('stalled'),
    claimed: count('claimed'),
    retrying: count('retry-wait'),
    batches: plan.batches.length,
  });
  for (const s of all) {
    if (s.kind === 'running') {
      const { id } = s.run.manifest.run;
      summary.running.push({
        taskId: s.task.id,
        runId: id,
        ...(s.pendingRequest ? { pendingRequest: s.pendingRequest } : {}),
      });
    } else if (s.kind === 'held') {
      summary.running.push({ taskId: s.task.id, runId: s.runId, ...(s.holder ? { holder: s.holder } : {}) });
    } else if (s.kind === 'claimed' && options.detach?.inFlight?.has(s.runId)) {
      summary.running.push({ taskId: s.task.id, runId: s.runId });
    } else if (s.kind === 'claimed') {
      summary.skippedDuplicate.push({ taskId: s.task.id, request: s.request, runId: s.runId });
      progress({ type: 'duplicate', taskId: s.task.id, request: s.request, runId: s.runId });
    } else if (s.kind === 'retry-wait') {
      summary.retrying.push({ taskId: s.task.id, request: s.request, ...s.retry });
      progress({ type: 'retry-wait', taskId: s.task.id, request: s.request, ...s.retry });
    }
  }

  // blocked statuses first: they move HEAD, and the runs below start from it
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 18);
  for (const b of plan.blocked) {
    const event = await writeBlocked(root, config, index, b.id, b.reasons, `reconcile-${stamp}`, stateCommit);
    summary.blocked.push({ taskId: b.id, reasons: b.reasons, written: event.written });
    progress(event);
  }

  const internal: unknown[] = [];
  const { detach } = options;
  let capacity = detach ? Math.max(0, Math.floor(detach.capacity)) : Infinity;
  const mayGoOn = () => {
    if (signal.aborted || detach?.stop.aborted || capacity <= 0 || summary.lockLost) return false;
    if (lock.refresh()) return true;
    summary.lockLost = true;
    progress({
      type: 'lock-lost',
      message: `${lock.path} was taken over by another watcher: dispatching stops`,
    });
    return false;
  };
  const child = detach?.command;
  const pipeline = child ? undefined : await import('../runs/pipeline.js');
  const inChild = (run: ChildRun, taskId: string) =>
    runInChild(run, {
      root,
      command: child!,
      env: options.env,
      signal,
      progress: forward(progress, taskId, run.runId),
    });
  /** Awaits a run, or (detached) starts it and hands it to the caller; both report `run-ended`. */
  const settle = async (
    taskId: string,
    runId: string,
    request: string | undefined,
    into: RunOutcome[],
    go: () => Promise<RunManifest>,
  ) => {
    capacity--;
    if (!detach) {
      const outcome = await settleRun(taskId, runId, request, internal, go);
      into.push(outcome);
      progress({ type: 'run-ended', ...outcome });
      return;
    }
    const bugs: unknown[] = [];
    // in this process, startRun and resumeRun save the manifest (status running) before their first
    // await; a child process saves it a moment later, and until then `detach.inFlight` says running:
    // either way the next pass sees the task as running, not as a duplicate claim
    const run = settleRun(taskId, runId, request, bugs, go).then((outcome) => {
      progress({ type: 'run-ended', ...outcome });
      if (bugs.length) throw bugs[0];
      return outcome;
    });
    into.push({
      taskId,
      runId,
      ...(request !== undefined ? { request } : {}),
      status: 'running',
      reason: null,
    });
    detach.track(run, runId);
  };
  const startEach = <T>(items: readonly T[], work: (item: T) => Promise<void>) =>
    detach ? sequence(items, work) : pool(items, concurrency, work);

  // stalled runs: resumed once, then left for `cxo runs clean`
  const stalled = all.filter((s): s is Extract<Situation, { kind: 'stalled' }> => s.kind === 'stalled');
  for (const s of stalled.filter((s) => !s.resumable)) {
    const runId = s.run.manifest.run.id;
    summary.abandoned.push({ taskId: s.task.id, runId });
    progress({
      type: 'abandoned',
      taskId: s.task.id,
      runId,
      message: `run ${runId} stalled again after a resume; \`cxo runs clean\` records it failed`,
    });
  }
  await startEach(
    stalled.filter((s) => s.resumable),
    async (s) => {
      const runId = s.run.manifest.run.id;
      // someone may have resumed it since the state was read
      if (!mayGoOn() || !isStalled(RunRecorder.read(root, s.run.dir))) return;
      // its claim ran out and another clone took the request over: that run answers it now
      const request = s.run.manifest.trigger.request;
      const claim = request !== null ? ledger.latest(s.task.id, request) : undefined;
      if (ledger instanceof StateClaims && claim && claim.runId !== runId) {
        summary.abandoned.push({ taskId: s.task.id, runId });
        progress({
          type: 'abandoned',
          taskId: s.task.id,
          runId,
          message: `run ${runId} stalled and its claim was taken over by run ${claim.runId}; \`cxo runs clean\` records it failed`,
        });
        return;
      }
      progress({ type: 'resume', taskId: s.task.id, runId });
      await settle(s.task.id, runId, undefined, summary.resumed, () =>
        pipeline
          ? pipeline.resumeRun({
              root,
              config,
              dir: s.run.dir,
              env: options.env,
              signal,
              progress: forward(progress, s.task.id, runId),
            })
          : inChild({ kind: 'resume', dir: s.run.dir, runId }, s.task.id),
      );
    },
  );

  for (const batch of plan.batches) {
    let startable = batch.tasks;
    if (batch.number > 1) {
      // dependencies must be done; the runs of earlier batches end in review, so usually they are not
      const fresh = loadObservedIndex(root, config, 'fast').index;
      startable = [];
      for (const t of batch.tasks) {
        const task = fresh.byId.get(t.id);
        const on = task ? unfinishedDependencies(fresh, task) : [];
        if (task && on.length === 0) startable.push(t);
        else {
          summary.waiting.push({ taskId: t.id, on });
          progress({ type: 'waiting', taskId: t.id, on });
        }
      }
    }
    await startEach(startable, async (t) => {
      if (!mayGoOn()) return;
      const runId = newRunId();
      const { takeover } = t;
      const attempt = takeover?.attempt ?? t.retry?.attempt ?? 1;
      const at = now();
      const claimed =
        ledger instanceof StateClaims
          ? takeover
            ? await ledger.takeOver(t.id, t.request, attempt, takeover.from, runId, at, config.budget)
            : await ledger.claim(t.id, t.request, runId, at, attempt, config.budget)
          : ledger.claim(t.id, t.request, runId, at, attempt, () =>
              localBudgetRefusal(root, ledger, config.budget, t.id, at),
            );
      if (typeof claimed === 'object') {
        // over budget: nothing was claimed, so the request stays due and is tried again next pass
        const reasons: PlanBlock[] = [{ reason: 'BudgetExceeded', message: claimed.refused }];
        const event = await writeBlocked(
          root,
          config,
          index,
          t.id,
          reasons,
          `reconcile-${stamp}`,
          stateCommit,
        );
        summary.blocked.push({ taskId: t.id, reasons, written: event.written });
        progress(event);
        return;
      }
      if (!claimed) {
        const prior = ledger.find(t.id, t.request, attempt)!;
        summary.skippedDuplicate.push({ taskId: t.id, request: t.request, runId: prior.runId });
        progress({ type: 'duplicate', taskId: t.id, request: t.request, runId: prior.runId });
        return;
      }
      progress({
        type: 'dispatch',
        taskId: t.id,
        runId,
        request: t.request,
        batch: batch.number,
        ...(attempt > 1 ? { attempt } : {}),
        ...(takeover ? { takesOver: takeover.from } : {}),
      });
      await settle(t.id, runId, t.request, summary.dispatched, async () => {
        const manifest = pipeline
          ? await pipeline.startRun({
              root,
              config,
              taskId: t.id,
              runId,
              roleFlags: {},
              noCommit: false,
              env: options.env,
              signal,
              progress: forward(progress, t.id, runId),
            })
          : await inChild({ kind: 'start', taskId: t.id, runId }, t.id);
        // the request changed between the plan and the start: the run answers the newer one
        const answered = manifest.trigger.request;
        if (answered && answered !== t.request) await ledger.claim(t.id, answered, runId, now());
        return manifest;
      });
    });
  }
  // a bug in one run is re-thrown only once the others have finished and recorded their evidence
  if (internal.length) throw internal[0];
  return summary;
}

/** Runs one start or resume; an expected error (CxoError) becomes the outcome, anything else is kept. */
async function settleRun(
  taskId: string,
  runId: string,
  request: string | undefined,
  internal: unknown[],
  go: () => Promise<RunManifest>,
): Promise<RunOutcome> {
  const base = { taskId, runId, ...(request !== undefined ? { request } : {}) };
  try {
    const manifest = await go();
    return { ...base, status: manifest.result.status, reason: manifest.result.reason };
  } catch (e) {
    if (!(e instanceof CxoError)) internal.push(e);
    return { ...base, status: 'error', reason: (e as Error).message };
  }
}

/** Writes a `blocked` status (committed inline, on the state ref in ref mode) unless the task says exactly that already. */
async function writeBlocked(
  root: string,
  config: Config,
  index: TaskIndex,
  taskId: string,
  reasons: PlanBlock[],
  runId: string,
  stateCommit: string | undefined,
): Promise<Extract<ReconcileEvent, { type: 'blocked' }>> {
  const previous = index.byId.get(taskId)?.status;
  const reason = reasons[0].reason;
  const message = reasons.map((r) => `${r.reason}: ${r.message}`).join('; ');
  const base = { type: 'blocked' as const, taskId, reasons };
  if (previous?.phase === 'blocked' && previous.reason === reason && previous.message === message)
    return { ...base, written: 'unchanged' };
  if (!config.gitops.write_back) return { ...base, written: 'off' };
  // the request stays unobserved (so the task is due again once unblocked); the last run is kept
  const status: TaskStatus = {
    phase: 'blocked',
    reason,
    message,
    ...(previous?.observedRequest !== undefined ? { observedRequest: previous.observedRequest } : {}),
    ...(previous?.lastRun ? { lastRun: previous.lastRun } : {}),
    updatedAt: new Date().toISOString(),
  };
  try {
    // a status another clone wrote after this pass read the state (a dispatch, a sign-off) is newer
    const result = await writeTaskStatus({
      root,
      config,
      taskId,
      status,
      runId,
      unlessMovedSince: stateCommit,
    });
    if (result.moved) return { ...base, written: 'moved' };
    return { ...base, written: 'committed', commit: result.commit };
  } catch (e) {
    if (!(e instanceof CxoError)) throw e;
    return { ...base, written: 'failed', warning: e.message };
  }
}

function forward(
  progress: (event: ReconcileEvent) => void,
  taskId: string,
  runId: string,
): (event: ProgressEvent) => void {
  return (event) => progress({ type: 'run-event', taskId, runId, event });
}

/** Runs `work` over `items` one after the other (detached starts return at once). */
async function sequence<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (const item of items) await work(item);
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
