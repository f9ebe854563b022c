import { ExitCode, UsageError } from '../../errors.js';
import { type ReconcileEvent, reconcileOnce } from '../../reconcile/reconcile-pass.js';
import { acquireWatchLock, WATCH_HEARTBEAT_MS } from '../../reconcile/watch-lock.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import type { Output } from '../output.js';
import { abortOnSignals, writeBackLine } from '../run-progress.js';
import { parseConcurrency } from './plan.js';

/** `cxo watch --once`: one reconcile pass under the single-instance lock (the file watcher comes later). */
const watch: CommandHandler = async ({ cwd, options, out }) => {
  if (!options.once)
    throw new UsageError(
      'cxo watch without --once is not available yet; run cxo watch --once from cron',
      'see docs/watch.md',
    );
  const { root, config } = await openRepo(cwd);
  const concurrency = parseConcurrency(options.concurrency, config.concurrency);
  const json = Boolean(options.json);
  const acquired = await acquireWatchLock(root);
  if (!acquired.ok) {
    if (json) out.line(JSON.stringify({ at: new Date().toISOString(), type: 'locked', ...acquired }));
    else out.error(`${acquired.message}; this pass did nothing`);
    return ExitCode.Failure;
  }
  const { lock } = acquired;
  const print = (event: WatchEvent) => {
    const line = json ? JSON.stringify({ at: new Date().toISOString(), ...event }) : eventLine(event, out);
    if (line !== undefined) out.line(line);
  };
  if (acquired.tookOver) print({ type: 'lock-taken-over', why: acquired.tookOver.why });
  // the heartbeat keeps the lock ours while runs take minutes
  const beat = setInterval(() => lock.refresh(), WATCH_HEARTBEAT_MS);
  beat.unref();
  const { signal, dispose } = abortOnSignals();
  try {
    const summary = await reconcileOnce({
      root,
      config,
      env: process.env,
      concurrency,
      signal,
      progress: print,
      lock,
    });
    const ended = [...summary.dispatched, ...summary.resumed];
    const failed = ended.filter((r) => r.status !== 'review');
    if (json) out.line(JSON.stringify({ at: new Date().toISOString(), type: 'summary', ...summary }));
    else
      out.line(
        `pass done: ${summary.dispatched.length} dispatched, ${summary.resumed.length} resumed, ` +
          `${failed.length} failed, ${summary.blocked.length} blocked, ${summary.waiting.length} waiting, ` +
          `${summary.running.length} running, ${summary.skippedDuplicate.length} dispatched before`,
      );
    return failed.length || summary.lockLost ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    clearInterval(beat);
    lock.release();
    dispose();
  }
};
export default watch;

type WatchEvent = ReconcileEvent | { type: 'lock-taken-over'; why: string };

function eventLine(event: WatchEvent, out: Output): string | undefined {
  switch (event.type) {
    case 'lock-taken-over':
      return out.dim(`took over a stale watch lock: ${event.why}`);
    case 'pass':
      return `pass: ${event.due} due in ${event.batches} batch(es), ${event.blocked} blocked, ${event.running} running, ${event.stalled} stalled`;
    case 'blocked': {
      const why = event.reasons.map((r) => `${r.reason} (${r.message})`).join('; ');
      const written = {
        unchanged: 'status already says so',
        committed: `status committed (${event.commit?.slice(0, 12)})`,
        off: 'status not written: gitops.write_back is off',
        failed: `status not written: ${event.warning}`,
      }[event.written];
      return `blocked ${out.bold(event.taskId)}: ${why}; ${written}`;
    }
    case 'duplicate':
      return `skipped ${event.taskId}: request ${JSON.stringify(event.request)} was dispatched before (run ${event.runId})`;
    case 'dispatch':
      return `dispatch ${out.bold(event.taskId)}: run ${event.runId} (batch ${event.batch}, request ${JSON.stringify(event.request)})`;
    case 'run-event':
      return runEventLine(event.taskId, event.event);
    case 'run-ended':
      return `${event.taskId}: run ${event.runId} ended ${event.status}${event.reason ? ` (${event.reason})` : ''}`;
    case 'waiting':
      return `waiting ${event.taskId}: on ${event.on.join(', ')} (a dependency must be done: reviewed and approved)`;
    case 'resume':
      return `resume ${out.bold(event.taskId)}: stalled run ${event.runId}`;
    case 'abandoned':
      return `abandoned ${event.taskId}: ${event.message}`;
    case 'lock-lost':
      return `lock lost: ${event.message}`;
  }
}

/** A run's progress, prefixed with its task: runs of one batch go at the same time. */
function runEventLine(
  taskId: string,
  event: Extract<ReconcileEvent, { type: 'run-event' }>['event'],
): string | undefined {
  const p = `  [${taskId}]`;
  switch (event.type) {
    case 'step':
      return event.status === 'running'
        ? undefined
        : `${p} ${event.role} ${event.status}${event.summary ? `: ${event.summary}` : ''}`;
    case 'command':
      return `${p} $ ${event.command}  -> exit ${event.exitCode ?? 'none'} in ${Math.round(event.durationMs)} ms`;
    case 'write-back':
      return `${p} ${writeBackLine(event)}`;
    default:
      return undefined;
  }
}
