/**
 * The long-running `cxo watch`: waits for the single-instance lock, then runs a reconcile pass at
 * start, after each (debounced) change to the task index, `tasks/`, `specs/` or the config, after
 * each run ends, after a `--pull` that moved the branch or fetched a moved shared state ref, and when a retry's backoff ends (the
 * earliest due time the last pass reported). Passes never overlap: a change during a pass asks for
 * exactly one more pass after it. Runs are detached from the pass (tracked here), so file events
 * go on while they take minutes.
 *
 * Shutdown: the first SIGINT/SIGTERM stops dispatching, lets running runs finish for a grace period
 * and then aborts them (the pipeline records them cancelled), closes the file watcher and releases
 * the lock. A second signal exits at once; its runs are left to stall and be resumed by the next watcher.
 */
import { relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { CONFIG_FILE, type Config } from '../repo/config.js';
import { hasErrors } from '../repo/diagnostics.js';
import { loadConfig } from '../repo/repo-files.js';
import { RunCache } from '../runs/run-cache.js';
import { stallMs } from '../runs/run-index.js';
import { usesStateRef } from '../state/state-layout.js';
import { StateRef } from '../state/state-ref.js';
import { type PullResult, pullOnce } from './pull.js';
import {
  type ReconcileEvent,
  type ReconcileSummary,
  type RunOutcome,
  reconcileOnce,
} from './reconcile-pass.js';
import { acquireWatchLock, type LockInfo, WATCH_HEARTBEAT_MS, type WatchLock } from './watch-lock.js';

export type WatcherEvent =
  | ReconcileEvent
  | { type: 'lock-wait'; holder: LockInfo | null; message: string; retryMs: number }
  | { type: 'lock-acquired'; path: string; pid: number }
  | { type: 'lock-taken-over'; why: string }
  | { type: 'watching'; root: string; paths: string[]; debounceMs: number; pullSeconds: number | null }
  | { type: 'change'; paths: string[] }
  | ({ type: 'summary' } & ReconcileSummary)
  | { type: 'pass-error'; message: string }
  | { type: 'run-error'; message: string }
  | ({ type: 'pull' } & PullResult)
  /** --pull fetched another clone's write to the shared state ref: a pass follows. */
  | { type: 'state-moved'; from: string | null; to: string }
  | { type: 'shutdown'; signal: string; running: number; graceMs: number }
  | { type: 'cancel-runs'; running: number }
  | { type: 'stopped' };

export interface WatcherOptions {
  root: string;
  /** The config at start; it is read again before each pass, so an edit applies to the next one. */
  config: Config;
  env: NodeJS.ProcessEnv;
  /** --concurrency; without it the config's, read again at each pass. */
  concurrency?: number;
  /** --pull: seconds between fetches; none without it. */
  pullSeconds?: number;
  debounceMs?: number;
  /** How long running runs may go on after the first signal before they are aborted. */
  graceMs?: number;
  /** How often a watcher that waits retries the lock. */
  lockRetryMs?: number;
  /**
   * Start each run in a CLI process of its own: `[node, cxo.js]` (reconcile/run-process.ts), so
   * that a run's synchronous git work never holds up file events. Without it, runs go in this process.
   */
  childCommand?: readonly string[];
  print: (event: WatcherEvent) => void;
}

export const DEFAULT_DEBOUNCE_MS = 100;
export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_LOCK_RETRY_MS = 3_000;
/** Directories never watched, wherever they are. */
const NEVER = new Set(['.git', '.runs', 'node_modules', '.worktrees', 'worktrees']);
/** Directories watched whole, besides the task index and the config. */
const WATCHED_DIRS = ['tasks', 'specs'];

export class Watcher {
  private readonly root: string;
  private config: Config;
  private readonly debounceMs: number;
  private readonly graceMs: number;
  private readonly retryMs: number;
  private stopping = false;
  /** Whatever sleeps in pause(): woken when the watcher stops, loses the lock or a run ends. */
  private readonly sleepers = new Set<() => void>();
  private lock: WatchLock | undefined;
  /** Set while the current lock is held and nothing said to stop: dispatching is allowed. */
  private dispatching: AbortController | undefined;
  /** Aborted when the grace period after the first signal is over: it cancels the runs. */
  private readonly runsAbort = new AbortController();
  private readonly inFlight = new Set<Promise<RunOutcome>>();
  /** The ids of those runs. */
  private readonly inFlightIds = new Set<string>();
  private passing: Promise<void> | undefined;
  private passWanted = false;
  private pullWanted = false;
  private lastPullSkip: string | undefined;
  private changed = new Set<string>();
  private debounce: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private signalName = 'stop';
  private readonly runCache: RunCache;
  readonly done: Promise<number>;

  constructor(private readonly options: WatcherOptions) {
    this.root = options.root;
    this.config = options.config;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.retryMs = options.lockRetryMs ?? DEFAULT_LOCK_RETRY_MS;
    this.runCache = new RunCache(this.root);
    this.done = this.main();
  }

  /** The first signal: stop dispatching, let runs finish within the grace period, release the lock. */
  stop(signal = 'stop'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.signalName = signal;
    this.dispatching?.abort();
    this.wake();
  }

  /** The second signal: give the lock back if it is ours and leave; runs in flight will look stalled. */
  abandon(): void {
    this.lock?.release();
  }

  private async main(): Promise<number> {
    let beat: NodeJS.Timeout | undefined;
    try {
      while (!this.stopping) {
        const lock = await this.waitForLock();
        if (!lock) break;
        this.lock = lock;
        this.dispatching = new AbortController();
        // the heartbeat keeps the lock ours; well under WATCH_STALE_MS
        beat = setInterval(() => {
          if (!refreshed(lock))
            this.lost(`${lock.path} was taken over by another watcher: dispatching stops`);
        }, WATCH_HEARTBEAT_MS);
        await this.serve();
        if (!this.stopping) {
          // the lock was lost: runs in flight go on (they are ours); wait to be the holder again
          clearInterval(beat);
          this.lock = undefined;
        }
      }
      await this.drainRuns();
      return 0;
    } finally {
      clearInterval(beat);
      this.lock?.release();
      this.options.print({ type: 'stopped' });
    }
  }

  /** Stops dispatching; `message` is printed unless the pass has said it already. */
  private lost(message?: string): void {
    if (!this.dispatching || this.dispatching.signal.aborted) return;
    if (message) this.options.print({ type: 'lock-lost', message });
    this.dispatching.abort();
    this.wake();
  }

  /** Retries until the lock is ours (undefined when the watcher stops first), saying once who holds it. */
  private async waitForLock(): Promise<WatchLock | undefined> {
    let told: string | undefined;
    while (!this.stopping) {
      const got = await acquireWatchLock(this.root);
      if (got.ok) {
        this.options.print({ type: 'lock-acquired', path: got.lock.path, pid: process.pid });
        if (got.tookOver) this.options.print({ type: 'lock-taken-over', why: got.tookOver.why });
        return got.lock;
      }
      const who = got.holder ? `${got.holder.token}` : 'unknown';
      if (who !== told) {
        told = who;
        this.options.print({
          type: 'lock-wait',
          holder: got.holder,
          message: got.message,
          retryMs: this.retryMs,
        });
      }
      await this.pause(this.retryMs);
    }
    return undefined;
  }

  /** Watches files and runs passes until the watcher stops or loses the lock. */
  private async serve(): Promise<void> {
    const files = await this.watchFiles();
    const pullMs = this.options.pullSeconds ? this.options.pullSeconds * 1000 : 0;
    const pull = pullMs ? setInterval(() => this.schedule('pull'), pullMs) : undefined;
    try {
      this.options.print({
        type: 'watching',
        root: this.root,
        paths: [this.config.files.tasks, CONFIG_FILE, ...WATCHED_DIRS.map((d) => `${d}/`)],
        debounceMs: this.debounceMs,
        pullSeconds: this.options.pullSeconds ?? null,
      });
      this.schedule('pass');
      const signal = this.dispatching!.signal;
      while (!signal.aborted) await this.pause();
    } finally {
      clearInterval(pull);
      clearTimeout(this.debounce);
      clearTimeout(this.recheck);
      clearTimeout(this.retryTimer);
      this.changed.clear();
      await files.close();
      // a pass in progress stops dispatching at its next start; its other writes are short
      await this.passing;
    }
  }

  private async watchFiles(): Promise<FSWatcher> {
    const files = watch(this.root, {
      ignoreInitial: true,
      // a function, not globs: a directory it rejects (.git, .runs) is never read
      ignored: (path) => !this.relevant(path),
    });
    files.on('all', (_event, path) => this.onChange(path));
    files.on('error', (e) =>
      this.options.print({ type: 'pass-error', message: `file watcher: ${String(e)}` }),
    );
    await new Promise<void>((resolve) => files.once('ready', resolve));
    return files;
  }

  /** The task index (and the directories on its way), the config, and everything under tasks/ and specs/. */
  private relevant(path: string): boolean {
    const rel = relative(this.root, path).split(sep).join('/');
    if (rel === '') return true;
    if (rel.startsWith('../')) return false;
    const parts = rel.split('/');
    if (parts.some((p) => NEVER.has(p))) return false;
    if (rel === CONFIG_FILE || WATCHED_DIRS.includes(parts[0])) return true;
    const index = this.config.files.tasks.replace(/^\.\//, '');
    return rel === index || index.startsWith(`${rel}/`);
  }

  private onChange(path: string): void {
    if (!this.dispatching || this.dispatching.signal.aborted) return;
    this.changed.add(relative(this.root, path).split(sep).join('/'));
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.options.print({ type: 'change', paths: [...this.changed].sort() });
      this.changed.clear();
      this.schedule('pass');
    }, this.debounceMs);
  }

  /** Asks for a pass (or a pull, then a pass if it moved the branch); one loop runs them in turn. */
  private schedule(what: 'pass' | 'pull'): void {
    if (what === 'pass') this.passWanted = true;
    else this.pullWanted = true;
    if (this.passing || !this.mayDispatch()) return;
    this.passing = this.loop().finally(() => {
      this.passing = undefined;
      // a run that ended while the loop was finishing
      if ((this.passWanted || this.pullWanted) && this.mayDispatch()) this.schedule('pass');
    });
  }

  private mayDispatch(): boolean {
    return Boolean(this.dispatching && !this.dispatching.signal.aborted);
  }

  private async loop(): Promise<void> {
    while (this.mayDispatch() && (this.passWanted || this.pullWanted)) {
      if (this.pullWanted) {
        this.pullWanted = false;
        await this.pull().catch((e: unknown) =>
          this.options.print({ type: 'pull', kind: 'skipped', reason: (e as Error).message }),
        );
      }
      if (this.passWanted && this.mayDispatch()) {
        this.passWanted = false;
        await this.pass();
      }
    }
  }

  private async pull(): Promise<void> {
    const stateBefore = this.stateTip();
    const result = await pullOnce(this.root, this.options.env);
    if (result.kind === 'fast-forwarded') this.passWanted = true;
    // the fetch brought the shared state ref too: a dependency done or a claim let go elsewhere
    const stateAfter = this.stateTip();
    if (stateAfter && stateAfter !== stateBefore) {
      this.passWanted = true;
      this.options.print({ type: 'state-moved', from: stateBefore ?? null, to: stateAfter });
    }
    // an unchanged reason is not repeated every interval
    const skip = result.kind === 'skipped' ? result.reason : undefined;
    if (result.kind === 'fast-forwarded' || (skip && skip !== this.lastPullSkip))
      this.options.print({ type: 'pull', ...result });
    this.lastPullSkip = skip;
  }

  /** The state ref's tip as this clone last saw it; undefined when statuses live inline. */
  private stateTip(): string | undefined {
    return usesStateRef(this.config) ? StateRef.open(this.root, this.config).snapshot().commit : undefined;
  }

  private async pass(): Promise<void> {
    const loaded = await loadConfig(this.root);
    if (hasErrors(loaded.diagnostics))
      this.options.print({
        type: 'pass-error',
        message: `${CONFIG_FILE} is invalid (cxo validate explains); the previous config is used`,
      });
    else this.config = loaded.config;
    const concurrency = this.options.concurrency ?? this.config.concurrency;
    try {
      const summary = await reconcileOnce({
        root: this.root,
        config: this.config,
        env: this.options.env,
        concurrency,
        signal: this.runsAbort.signal,
        progress: this.options.print,
        lock: this.lock,
        runCache: this.runCache,
        detach: {
          capacity: concurrency - this.inFlight.size,
          track: (run, runId) => this.track(run, runId),
          stop: this.dispatching!.signal,
          ...(this.options.childCommand ? { command: this.options.childCommand } : {}),
          inFlight: this.inFlightIds,
        },
      });
      this.options.print({ type: 'summary', ...summary });
      if (summary.lockLost) this.lost();
      // a run of another process may stall without touching a watched file: look again once it would count
      if (summary.running.length > this.inFlight.size && !this.recheck) {
        this.recheck = setTimeout(
          () => {
            this.recheck = undefined;
            this.schedule('pass');
          },
          stallMs(this.options.env) + 1000,
        );
      }
      this.scheduleRetry(summary.retrying);
    } catch (e) {
      this.options.print({ type: 'pass-error', message: (e as Error).message ?? String(e) });
    }
  }

  /** A retry's backoff ends without any file changing: pass again at the earliest due time. */
  private scheduleRetry(retrying: ReconcileSummary['retrying']): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (retrying.length === 0) return;
    const due = Math.min(...retrying.map((r) => Date.parse(r.dueAt)));
    // a little after the due time, so the pass's clock is past it; setTimeout's ceiling is 2^31-1 ms
    const ms = Math.min(Math.max(0, due - Date.now()) + 50, 2 ** 31 - 1);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule('pass');
    }, ms);
  }

  private track(run: Promise<RunOutcome>, runId: string): void {
    this.inFlight.add(run);
    this.inFlightIds.add(runId);
    run
      .catch((e: unknown) =>
        this.options.print({ type: 'run-error', message: (e as Error).message ?? String(e) }),
      )
      .finally(() => {
        this.inFlight.delete(run);
        this.inFlightIds.delete(runId);
        this.wake();
        // its status moved: dependents or a newer request may be due
        this.schedule('pass');
      });
  }

  /** After the first signal: runs get the grace period, then they are aborted and record themselves cancelled. */
  private async drainRuns(): Promise<void> {
    if (this.inFlight.size === 0) return;
    this.options.print({
      type: 'shutdown',
      signal: this.signalName,
      running: this.inFlight.size,
      graceMs: this.graceMs,
    });
    const cancel = setTimeout(() => {
      this.options.print({ type: 'cancel-runs', running: this.inFlight.size });
      this.runsAbort.abort();
    }, this.graceMs);
    try {
      await Promise.allSettled([...this.inFlight]);
    } finally {
      clearTimeout(cancel);
    }
  }

  /** Sleeps until `ms` pass (forever without it) or wake() is called. */
  private pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const done of [...this.sleepers]) done();
  }
}

function refreshed(lock: WatchLock): boolean {
  try {
    return lock.refresh();
  } catch {
    // the git dir is gone or unwritable: the lock cannot be shown to be ours
    return false;
  }
}

/**
 * SIGINT/SIGTERM: the first stops the watcher gracefully; a second exits at once (128 + signal
 * number, as shells report it). Returns a function that removes the handlers.
 */
export function stopOnSignals(watcher: Watcher): () => void {
  let seen = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (seen++ === 0) return watcher.stop(signal);
    watcher.abandon();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
