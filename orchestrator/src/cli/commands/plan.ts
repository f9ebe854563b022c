import { UsageError } from '../../errors.js';
import type { Situation } from '../../reconcile/desired-state.js';
import { loadReconcileState } from '../../reconcile/reconcile-pass.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';

/** `cxo plan [--json] [--concurrency N]`: what one `cxo watch --once` pass would do, without doing it. */
const plan: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openRepo(cwd);
  const concurrency = parseConcurrency(options.concurrency, config.concurrency);
  const { situations, plan } = loadReconcileState(root, config, concurrency);
  const of = <K extends Situation['kind']>(kind: K) =>
    [...situations.values()].filter((s): s is Extract<Situation, { kind: K }> => s.kind === kind);
  const running = of('running').map((s) => ({
    id: s.task.id,
    runId: s.run.manifest.run.id,
    pendingRequest: s.pendingRequest ?? null,
  }));
  const stalled = of('stalled').map((s) => ({
    id: s.task.id,
    runId: s.run.manifest.run.id,
    action: s.resumable ? 'resume' : 'abandon',
  }));
  const claimed = of('claimed').map((s) => ({ id: s.task.id, request: s.request, runId: s.runId }));
  const retrying = of('retry-wait').map((s) => ({ id: s.task.id, request: s.request, ...s.retry }));
  if (options.json) {
    out.json({
      concurrency: plan.concurrency,
      batches: plan.batches.map((b) => ({
        batch: b.number,
        // a run ends in review: only batch 1 starts now, later batches once their dependencies are done
        startsNow: b.number === 1,
        tasks: b.tasks,
        chunks: b.chunks,
      })),
      blocked: plan.blocked,
      running,
      stalled,
      claimed,
      retrying,
    });
    return 0;
  }
  if (plan.batches.length === 0) out.line('nothing is due');
  for (const b of plan.batches) {
    const when =
      b.number === 1
        ? `starts now, at most ${plan.concurrency} at a time`
        : 'waits until its dependencies are done, i.e. reviewed and approved';
    out.line(
      `${out.bold(`batch ${b.number}`)} (${b.tasks.length} task${b.tasks.length === 1 ? '' : 's'}, ${when})`,
    );
    for (const t of b.tasks) {
      const retry = t.retry
        ? `  retry: attempt ${t.retry.attempt} of ${t.retry.maxAttempts} (run ${t.retry.after.runId} failed: ${t.retry.after.reason})`
        : '';
      out.line(
        `  ${t.id}  request ${JSON.stringify(t.request)}${t.after.length ? `  after ${t.after.join(', ')}` : ''}${retry}`,
      );
    }
  }
  if (plan.blocked.length) {
    out.line(out.bold('blocked'));
    for (const b of plan.blocked)
      out.line(`  ${b.id}  ${b.reasons.map((r) => `${r.reason} (${r.message})`).join('; ')}`);
  }
  if (running.length) {
    out.line(out.bold('running'));
    for (const r of running) {
      const next = r.pendingRequest
        ? `; request ${JSON.stringify(r.pendingRequest)} is due when it ends`
        : '';
      out.line(`  ${r.id}  run ${r.runId}${next}`);
    }
  }
  if (stalled.length) {
    out.line(out.bold('stalled'));
    for (const s of stalled)
      out.line(
        `  ${s.id}  run ${s.runId}: ${s.action === 'resume' ? 'will be resumed' : 'stalled after its resume; run `cxo runs clean`'}`,
      );
  }
  if (retrying.length) {
    out.line(out.bold('waiting for a retry'));
    for (const r of retrying)
      out.line(
        `  ${r.id}  attempt ${r.attempt} of ${r.maxAttempts}, due at ${r.dueAt} (run ${r.after.runId} failed: ${r.after.reason})`,
      );
  }
  if (claimed.length) {
    out.line(out.bold('dispatched before (not run again)'));
    for (const c of claimed)
      out.line(
        `  ${c.id}  request ${JSON.stringify(c.request)} went to run ${c.runId}; set a new request to run it again`,
      );
  }
  return 0;
};
export default plan;

/** `--concurrency N`: a whole number of at least 1; the config's `concurrency` when absent. */
export function parseConcurrency(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1)
    throw new UsageError(`--concurrency must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return n;
}
