import { ExitCode, UsageError } from '../../errors.js';
import type { Config } from '../../repo/config.js';
import { type ReconcileEvent, type ReconcileSummary, reconcileOnce } from '../../reconcile/reconcile-pass.js';
import type { WatcherEvent } from '../../reconcile/watcher.js';
import { acquireWatchLock, WATCH_HEARTBEAT_MS } from '../../reconcile/watch-lock.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import type { Output } from '../output.js';
import { abortOnSignals, writeBackLine } from '../run-progress.js';
import { parseConcurrency } from './plan.js';
import { escapeTerminal } from '../../util/terminal-text.js';

/**
 * `cxo watch`: the long-running watcher (reconcile/watcher.ts), or with `--once` one reconcile
 * pass under the single-instance lock, for cron.
 */
const watch: CommandHandler = async ({ cwd, options, out }) => {
  const pullSeconds = parsePull(options.pull);
  const { root, config } = await openGitRepo(cwd);
  const json = Boolean(options.json);
  if (!options.once) {
    const concurrency =
      options.concurrency === undefined
        ? undefined
        : parseConcurrency(options.concurrency, config.concurrency);
    return watchForever(root, config, out, json, concurrency, pullSeconds);
  }
  if (pullSeconds !== undefined) throw new UsageError('--pull is for the long-running watcher, not --once');
  const concurrency = parseConcurrency(options.concurrency, config.concurrency);
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
    else out.line(summaryLine(summary, failed.length));
    return failed.length || summary.lockLost ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    clearInterval(beat);
    lock.release();
    dispose();
  }
};
export default watch;

/** The long-running watcher until SIGINT/SIGTERM; lines or NDJSON as --once prints them. */
async function watchForever(
  root: string,
  config: Config,
  out: Output,
  json: boolean,
  concurrency: number | undefined,
  pullSeconds: number | undefined,
): Promise<number> {
  // loaded here only: chokidar is for this command, not for --once or the read commands
  const { Watcher, stopOnSignals } = await import('../../reconcile/watcher.js');
  // a live view on a terminal; plain lines (or NDJSON with --json) otherwise
  const live = !json && out.color ? await (await import('../watch-listr.js')).watchLiveView() : undefined;
  const plain = quietPasses(out);
  const print = (event: WatcherEvent) => {
    if (json) out.line(JSON.stringify({ at: new Date().toISOString(), ...event }));
    else if (live) live.print(event);
    else plain(event);
  };
  const watcher = new Watcher({
    root,
    config,
    env: process.env,
    // each run in a `cxo run` process of its own, started the way this one was
    childCommand: [process.execPath, process.argv[1]],
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(pullSeconds !== undefined ? { pullSeconds } : {}),
    // internal knobs for tests, which cannot wait for the defaults
    ...internalMs('debounceMs', process.env.CXO_WATCH_DEBOUNCE_MS),
    ...internalMs('graceMs', process.env.CXO_WATCH_GRACE_MS),
    ...internalMs('lockRetryMs', process.env.CXO_WATCH_RETRY_MS),
    print,
  });
  const dispose = stopOnSignals(watcher);
  try {
    return await watcher.done;
  } finally {
    dispose();
    await live?.done();
  }
}

/**
 * Plain lines for the watcher. Its own status commits trigger passes that find nothing to do; the
 * lines of such a pass (and of the change that caused it) are dropped, except for the first pass.
 */
function quietPasses(out: Output): (event: WatcherEvent) => void {
  let held: string[] | undefined;
  let first = true;
  const show = (line: string | undefined) => {
    for (const h of held ?? []) out.line(h);
    held = undefined;
    if (line !== undefined) out.line(line);
  };
  return (event) => {
    const line = eventLine(event, out);
    if (event.type === 'pass-error' || event.type === 'run-error') return out.error(line!);
    if (event.type === 'change' || event.type === 'pass') {
      held = [...(held ?? []), ...(line === undefined ? [] : [line])];
      if (event.type === 'pass' && (first || event.stalled > 0)) show(undefined);
      if (event.type === 'pass') first = false;
    } else if (event.type === 'summary') {
      const eventful =
        held === undefined ||
        event.dispatched.length + event.resumed.length + event.abandoned.length > 0 ||
        event.blocked.some((b) => b.written !== 'unchanged') ||
        event.lockLost;
      if (eventful) show(line);
      held = undefined;
    } else if (IN_PASS.has(event.type)) {
      const news = event.type === 'blocked' ? event.written !== 'unchanged' : !QUIET.has(event.type);
      if (news || held === undefined) show(line);
      else held.push(line!);
    } else if (line !== undefined) out.line(line); // a detached run's progress: not part of the pass
  };
}

/** Events a pass prints between its `pass` and its `summary`. */
const IN_PASS = new Set<WatcherEvent['type']>([
  'blocked',
  'duplicate',
  'dispatch',
  'waiting',
  'retry-wait',
  'resume',
  'abandoned',
  'lock-lost',
]);
/** Events of a pass that repeat what earlier passes said. */
const QUIET = new Set<WatcherEvent['type']>(['blocked', 'duplicate', 'waiting', 'retry-wait']);

function parsePull(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value) || !(n > 0))
    throw new UsageError(`--pull must be a number of seconds above 0, not ${JSON.stringify(value)}`);
  return n;
}

function internalMs<K extends string>(key: K, value: string | undefined): { [k in K]?: number } {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? ({ [key]: n } as { [k in K]: number }) : {};
}

function summaryLine(summary: ReconcileSummary, failed?: number): string {
  // detached runs (the long-running watcher) have not ended yet: started, not failed or not
  const runs =
    failed === undefined
      ? `${summary.dispatched.length} started, ${summary.resumed.length} resumed`
      : `${summary.dispatched.length} dispatched, ${summary.resumed.length} resumed, ${failed} failed`;
  return (
    `pass done: ${runs}, ${summary.blocked.length} blocked, ${summary.waiting.length} waiting, ` +
    `${summary.running.length} running, ${summary.skippedDuplicate.length} dispatched before` +
    (summary.retrying.length ? `, ${summary.retrying.length} waiting for a retry` : '')
  );
}

type WatchEvent = ReconcileEvent | Exclude<WatcherEvent, ReconcileEvent>;

function eventLine(event: WatchEvent, out: Output): string | undefined {
  switch (event.type) {
    case 'lock-taken-over':
      return out.dim(`took over a stale watch lock: ${event.why}`);
    case 'lock-wait': {
      const holder = event.holder
        ? `pid ${event.holder.pid} on ${event.holder.host} (last heartbeat ${event.holder.heartbeatAt})`
        : 'a process that is writing it now';
      return `waiting: another cxo watch holds the lock, ${holder}; retrying every ${event.retryMs / 1000} s`;
    }
    case 'lock-acquired':
      return out.dim(`holding ${event.path} (pid ${event.pid})`);
    case 'watching':
      return (
        `watching ${event.paths.join(', ')} in ${event.root} (debounce ${event.debounceMs} ms` +
        `${event.pullSeconds ? `, pull every ${event.pullSeconds} s` : ''}); Ctrl-C stops`
      );
    case 'change':
      return out.dim(`changed: ${event.paths.join(', ')}`);
    case 'summary':
      return summaryLine(event);
    case 'pass-error':
      return `pass failed: ${event.message}`;
    case 'run-error':
      return `run failed unexpectedly: ${event.message}`;
    case 'pull':
      if (event.kind === 'fast-forwarded')
        return `pulled: ${event.branch} fast-forwarded ${event.from.slice(0, 12)}..${event.to.slice(0, 12)} (${event.files.length} file(s))`;
      return event.kind === 'skipped' ? `pull skipped: ${event.reason}` : undefined;
    case 'state-moved':
      return out.dim(`state ref moved: ${event.from?.slice(0, 12) ?? 'none'}..${event.to.slice(0, 12)}`);
    case 'shutdown':
      return (
        `${event.signal}: no new runs; ${event.running} run(s) may finish within ${Math.round(event.graceMs / 1000)} s, ` +
        'then they are cancelled (a second signal exits at once)'
      );
    case 'cancel-runs':
      return `grace period over: cancelling ${event.running} run(s)`;
    case 'stopped':
      return 'stopped';
    case 'pass':
      return `pass: ${event.due} due in ${event.batches} batch(es), ${event.blocked} blocked, ${event.running} running, ${event.stalled} stalled`;
    case 'blocked': {
      const why = event.reasons.map((r) => `${r.reason} (${r.message})`).join('; ');
      const written = {
        unchanged: 'status already says so',
        committed: `status committed (${event.commit?.slice(0, 12)})`,
        off: 'status not written: gitops.write_back is off',
        moved: 'status not written: another clone changed it since this pass read it',
        failed: `status not written: ${event.warning}`,
      }[event.written];
      return `blocked ${out.bold(event.taskId)}: ${why}; ${written}`;
    }
    case 'duplicate':
      return `skipped ${event.taskId}: request ${JSON.stringify(event.request)} was dispatched before (run ${event.runId})`;
    case 'dispatch':
      return `dispatch ${out.bold(event.taskId)}: run ${event.runId} (batch ${event.batch}, request ${JSON.stringify(event.request)}${event.attempt ? `, retry: attempt ${event.attempt}` : ''}${event.takesOver ? `, taking over run ${event.takesOver}, whose claim ran out` : ''})`;
    case 'retry-wait':
      return `retry ${event.taskId}: run ${event.after.runId} failed (${event.after.reason}); attempt ${event.attempt} of ${event.maxAttempts} is due at ${event.dueAt}`;
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
        : `${p} ${event.role} ${event.status}${event.summary ? `: ${escapeTerminal(event.summary)}` : ''}`;
    case 'command':
      return `${p} $ ${event.command}  -> exit ${event.exitCode ?? 'none'} in ${Math.round(event.durationMs)} ms`;
    case 'write-back':
      return `${p} ${writeBackLine(event)}`;
    default:
      return undefined;
  }
}
