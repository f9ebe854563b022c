/**
 * Dependency-aware batches of the due tasks. Batch 1 holds due tasks whose dependencies are all
 * done; batch k+1 those whose dependencies are done or in earlier batches. A batch is run at most
 * `concurrency` tasks at a time (its chunks). Pure.
 *
 * A run ends in `review`, not `done`: a task in batch 2 or later can only start once a reviewer
 * has approved what it depends on, so in practice one pass runs batch 1 and reports the rest as
 * waiting; the pass after the approval runs them.
 */
import type { BlockReason } from '../guard/dispatch-gate.js';
import { findCycles } from '../plan/graph.js';
import type { TaskIndex } from '../repo/task-index.js';
import { phaseOf, PRIORITIES, priorityOf, type Task } from '../repo/task-types.js';
import type { Situation, Takeover } from './desired-state.js';
import type { Retry } from './retry-policy.js';

/**
 * The gate's reasons, a dependency cycle (which the index loader normally refuses earlier), and a
 * claim the budget refused (reconcile-pass.ts: decided where the claim is made, not by the plan).
 */
export type PlanReason = BlockReason | 'DependencyCycle' | 'BudgetExceeded';

export interface PlanBlock {
  reason: PlanReason;
  message: string;
}

export interface PlannedTask {
  id: string;
  request: string;
  /** Due dependencies in earlier batches: this task waits until they are done (reviewed). */
  after: string[];
  /** A retry of a transient failure: the attempt it is. */
  retry?: Retry;
  /** The claim of another clone's run whose lease ran out: this run takes it over. */
  takeover?: Takeover;
}

export interface Batch {
  /** 1-based. */
  number: number;
  tasks: PlannedTask[];
  /** The batch cut into groups of at most `concurrency` tasks, in start order. */
  chunks: string[][];
}

export interface BlockedTask {
  id: string;
  request: string;
  reasons: PlanBlock[];
}

export interface ReconcilePlan {
  concurrency: number;
  batches: Batch[];
  /** Due tasks that may not run: the spec gate's verdicts and the dependency verdicts. */
  blocked: BlockedTask[];
}

type Resolution = { batch: number } | { blocked: PlanBlock[] };

export function planBatches(
  index: TaskIndex,
  situations: ReadonlyMap<string, Situation>,
  concurrency: number,
): ReconcilePlan {
  const limit = Math.max(1, Math.floor(concurrency));
  const due = new Map<string, Extract<Situation, { kind: 'due' }>>();
  for (const s of situations.values()) if (s.kind === 'due') due.set(s.task.id, s);

  // edges between due tasks; every other dependency is judged right away
  const outside = new Map<string, PlanBlock[]>();
  const waitsOn = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const [id, s] of due) {
    const blocks: PlanBlock[] = [];
    const inside: string[] = [];
    for (const dep of s.task.dependsOn ?? []) {
      if (due.has(dep)) {
        inside.push(dep);
        dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
      } else {
        const block = outsideDependency(index, situations, dep);
        if (block) blocks.push(block);
      }
    }
    outside.set(id, blocks);
    waitsOn.set(id, inside);
  }

  // Kahn's algorithm: a task is resolved once all its due dependencies are
  const resolved = new Map<string, Resolution>();
  const remaining = new Map([...waitsOn].map(([id, deps]) => [id, deps.length]));
  const queue = [...due.keys()].filter((id) => remaining.get(id) === 0);
  const settle = (id: string, resolution: Resolution) => {
    resolved.set(id, resolution);
    for (const child of dependents.get(id) ?? []) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0 && !resolved.has(child)) queue.push(child);
    }
  };
  const drain = () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (resolved.has(id)) continue;
      const blocks = [...outside.get(id)!];
      let batch = 1;
      for (const dep of waitsOn.get(id)!) {
        const r = resolved.get(dep)!;
        if ('blocked' in r) blocks.push(inheritedBlock(dep, r.blocked));
        else batch = Math.max(batch, r.batch + 1);
      }
      settle(id, blocks.length ? { blocked: blocks } : { batch });
    }
  };
  drain();

  // what is left sits on a dependency cycle or downstream of one
  const left = [...due.keys()].filter((id) => !resolved.has(id));
  if (left.length) {
    const nodes = left.map((id) => ({ id, dependsOn: waitsOn.get(id)!.filter((d) => !resolved.has(d)) }));
    for (const cycle of findCycles(nodes)) {
      for (const id of cycle.slice(0, -1)) {
        if (resolved.has(id)) continue;
        settle(id, {
          blocked: [{ reason: 'DependencyCycle', message: `dependency cycle: ${cycle.join(' -> ')}` }],
        });
      }
    }
    drain();
    // a cycle findCycles did not name (one sharing nodes with another): same verdict
    for (const id of left) {
      if (!resolved.has(id))
        resolved.set(id, {
          blocked: [{ reason: 'DependencyCycle', message: `${id} depends on itself through a cycle` }],
        });
    }
  }

  const byBatch = new Map<number, Extract<Situation, { kind: 'due' }>[]>();
  const blocked: BlockedTask[] = [];
  for (const s of situations.values()) {
    if (s.kind === 'blocked') blocked.push({ id: s.task.id, request: s.request, reasons: s.reasons });
    if (s.kind !== 'due') continue;
    const r = resolved.get(s.task.id)!;
    if ('blocked' in r) blocked.push({ id: s.task.id, request: s.request, reasons: r.blocked });
    else byBatch.set(r.batch, [...(byBatch.get(r.batch) ?? []), s]);
  }
  const batches: Batch[] = [...byBatch.keys()]
    .sort((a, b) => a - b)
    .map((number) => {
      const tasks = byBatch
        .get(number)!
        .sort((a, b) => rank(index, a.task) - rank(index, b.task))
        .map((s) => ({
          id: s.task.id,
          request: s.request,
          after: waitsOn.get(s.task.id)!,
          ...(s.retry ? { retry: s.retry } : {}),
          ...(s.takeover ? { takeover: s.takeover } : {}),
        }));
      const chunks: string[][] = [];
      for (let i = 0; i < tasks.length; i += limit) chunks.push(tasks.slice(i, i + limit).map((t) => t.id));
      return { number, tasks, chunks };
    });
  return { concurrency: limit, batches, blocked };
}

/** A dependency that is not due itself: done, never going to be, or not yet. */
function outsideDependency(
  index: TaskIndex,
  situations: ReadonlyMap<string, Situation>,
  dep: string,
): PlanBlock | undefined {
  const task = index.byId.get(dep);
  if (!task) return { reason: 'DependencyFailed', message: `dependency ${dep} is missing` };
  const phase = phaseOf(task);
  if (phase === 'done') return undefined;
  const s = situations.get(dep);
  const notReady = (why: string): PlanBlock => ({
    reason: 'DependencyNotReady',
    message: `dependency ${dep} ${why}`,
  });
  // the message goes into the dependent's blocked status: it says the same in every clone (a run
  // is `running` here and `held` in the others), or watchers in several clones rewrite it in turn
  switch (s?.kind) {
    case 'blocked':
      return notReady(`is blocked (${[...new Set(s.reasons.map((r) => r.reason))].join(', ')})`);
    case 'running':
    case 'stalled':
      return notReady(`is running (run ${s.run.manifest.run.id})`);
    case 'claimed':
    case 'held':
      return notReady(`is running (run ${s.runId})`);
    case 'retry-wait':
      return notReady(`failed (${s.retry.after.reason}) and is retried at ${s.retry.dueAt}`);
  }
  // idle: nothing will make it done unless a person acts
  if (phase === 'failed' || phase === 'cancelled')
    return { reason: 'DependencyFailed', message: `dependency ${dep} is ${phase}` };
  if (phase === 'review') return notReady('is in review (a reviewer must approve it)');
  return notReady(`is ${phase}${task.request === undefined ? ' and not requested' : ''}`);
}

/** A due dependency that is blocked blocks its dependents: for good if it can never be satisfied. */
function inheritedBlock(dep: string, blocks: PlanBlock[]): PlanBlock {
  const fatal = blocks.find((b) => b.reason === 'DependencyFailed' || b.reason === 'DependencyCycle');
  return fatal
    ? { reason: 'DependencyFailed', message: `dependency ${dep} can never run: ${fatal.message}` }
    : {
        reason: 'DependencyNotReady',
        message: `dependency ${dep} is blocked (${[...new Set(blocks.map((b) => b.reason))].join(', ')})`,
      };
}

/** Start order inside a batch: priority, then position in the file. */
function rank(index: TaskIndex, task: Task): number {
  return PRIORITIES.indexOf(priorityOf(task)) * 1e9 + (index.positionOf(task.id) ?? 0);
}
