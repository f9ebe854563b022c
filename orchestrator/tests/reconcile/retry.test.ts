import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import planCommand from '../../src/cli/commands/plan.js';
import { DispatchLedger, ledgerPath } from '../../src/reconcile/dedupe.js';
import { type ReconcileEvent, reconcileOnce, type RunOutcome } from '../../src/reconcile/reconcile-pass.js';
import {
  DEFAULT_RETRY,
  jitterOf,
  retryDelayMs,
  type RetrySettings,
  retrySettingsOf,
} from '../../src/reconcile/retry-policy.js';
import { isTransient } from '../../src/reconcile/transient.js';
import { type Config, defaultConfig } from '../../src/repo/config.js';
import { loadConfig } from '../../src/repo/repo-files.js';
import { indexJson, makeRepo } from '../helpers/temp-repo.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { committedTask, handlerContext, ledgerEntries, runsOf } from '../helpers/reconcile-repo.js';

/** A builder that outlives its 1 s step timeout: the run fails with Timeout, a transient failure. */
const TIMEOUT_CONFIG = [
  'guard:',
  '  require_spec: false',
  'timeouts:',
  '  step_seconds: 1',
  '  command_seconds: 20',
  'agents:',
  '  manager: none',
  '  builder: "command:sleep 5"',
  '',
].join('\n');

const ACCEPTANCE_CONFIG = [
  'guard:',
  '  require_spec: false',
  'timeouts:',
  '  step_seconds: 20',
  '  command_seconds: 20',
  'agents:',
  '  manager: none',
  '  builder: "command:echo {task_id} > {task_id}.txt"',
  '',
].join('\n');

/** Large base and cap: real time never reaches them during the test, only the injected clock does. */
const RETRY = { max_attempts: 3, base_seconds: 60, cap_seconds: 90 };

/** The repository's config with this test's `watch.retry`. */
async function configOf(root: string, retry: Record<string, number> = RETRY): Promise<Config> {
  const { config } = await loadConfig(root);
  return { ...config, watch: { retry } } as Config;
}

interface PassOptions {
  now?: Date;
  detach?: { capacity: number; track: (run: Promise<RunOutcome>) => void; stop: AbortSignal };
}

async function pass(root: string, config: Config, options: PassOptions = {}) {
  const events: ReconcileEvent[] = [];
  const summary = await reconcileOnce({
    root,
    config,
    env: process.env,
    concurrency: 2,
    signal: new AbortController().signal,
    progress: (e) => events.push(e),
    ...(options.now ? { now: () => options.now! } : {}),
    ...(options.detach ? { detach: options.detach } : {}),
  });
  return { summary, events };
}

describe('retry policy', () => {
  it('grows the backoff exponentially, caps it, and keeps equal jitter within [d/2, d]', () => {
    const settings: RetrySettings = { maxAttempts: 10, baseMs: 30_000, capMs: 900_000 };
    const random = seededRandom(42);
    const ceilings = [30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000];
    const delays = ceilings.map((d, i) => {
      const delay = retryDelayMs(i + 1, settings, random());
      expect(delay).toBeGreaterThanOrEqual(d / 2);
      expect(delay).toBeLessThanOrEqual(d);
      return delay;
    });
    // every wait at least halves the one before it would allow: the lower bound doubles until the cap
    expect(delays[5]).toBeGreaterThanOrEqual(450_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(900_000);
    expect(retryDelayMs(60, settings, 0.999)).toBeLessThanOrEqual(900_000);
    // the jitter's extremes
    expect(retryDelayMs(2, settings, 0)).toBe(30_000);
    expect(retryDelayMs(2, settings, 1)).toBe(60_000);
    // the same seed, the same jitter: a restarted watcher computes the same due time
    expect(jitterOf('t/r/1/run-a')).toBe(jitterOf('t/r/1/run-a'));
    expect(jitterOf('t/r/1/run-a')).not.toBe(jitterOf('t/r/1/run-b'));
    expect(jitterOf('x')).toBeGreaterThanOrEqual(0);
    expect(jitterOf('x')).toBeLessThan(1);
  });

  it('reads watch.retry from the config, with defaults for what is missing or unusable', () => {
    expect(retrySettingsOf(defaultConfig())).toEqual(DEFAULT_RETRY);
    const config = { ...defaultConfig(), watch: { retry: { max_attempts: 5, base_seconds: 0.5 } } };
    expect(retrySettingsOf(config as Config)).toEqual({ maxAttempts: 5, baseMs: 500, capMs: 900_000 });
    const bad = { ...defaultConfig(), watch: { retry: { max_attempts: 0, cap_seconds: 'soon' } } };
    expect(retrySettingsOf(bad as unknown as Config)).toEqual(DEFAULT_RETRY);
  });

  it('treats outside causes as transient and judged or configured failures as not', () => {
    for (const r of ['ModelError', 'Timeout', 'WorktreeFailed']) expect(isTransient(r)).toBe(true);
    for (const r of [
      'AcceptanceFailed',
      'ReviewFailed',
      'SecretLeak',
      'InvalidPlan',
      'InvalidReview',
      'MaxTurns',
      'BudgetExceeded',
      'Cancelled',
      'Stalled',
      'AgentNotFound',
      'AdapterFailed',
      null,
    ])
      expect(isTransient(r)).toBe(false);
  });
});

describe('dispatch ledger attempts', () => {
  it('reads old lines as attempt 1 and claims each attempt once', () => {
    const root = makeRepo({}, { git: true });
    mkdirSync(join(ledgerPath(root), '..'), { recursive: true });
    writeFileSync(
      ledgerPath(root),
      '{"task":"a","request":"r1","runId":"run-1","at":"2026-01-01T00:00:00Z"}\n',
    );
    const ledger = new DispatchLedger(root);
    expect(ledger.latest('a', 'r1')).toMatchObject({ runId: 'run-1', attempt: 1 });
    expect(ledger.claim('a', 'r1', 'run-x')).toBe(false);
    expect(ledger.claim('a', 'r1', 'run-2', new Date(), 2)).toBe(true);
    expect(ledger.claim('a', 'r1', 'run-y', new Date(), 2)).toBe(false);
    const again = new DispatchLedger(root);
    expect(again.find('a', 'r1')?.runId).toBe('run-1');
    expect(again.find('a', 'r1', 2)?.runId).toBe('run-2');
    expect(again.latest('a', 'r1')).toMatchObject({ runId: 'run-2', attempt: 2 });
    expect(again.latest('a', 'r2')).toBeUndefined();
  });
});

describe('retries of transient failures', () => {
  it('retries a Timeout after a growing, capped backoff, once per attempt, up to max_attempts', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': TIMEOUT_CONFIG,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    const config = await configOf(root);

    // attempt 1 fails transiently
    const first = await pass(root, config);
    expect(first.summary.dispatched).toMatchObject([{ taskId: 't', status: 'failed', reason: 'Timeout' }]);
    expect(committedTask(root, 't')?.status).toMatchObject({ phase: 'failed', observedRequest: 'r1' });

    // before the backoff: nothing is dispatched, the wait is reported
    const early = await pass(root, config);
    expect(early.summary.dispatched).toEqual([]);
    expect(early.summary.retrying).toHaveLength(1);
    const wait1 = early.summary.retrying[0];
    expect(wait1).toMatchObject({ taskId: 't', request: 'r1', attempt: 2, maxAttempts: 3 });
    expect(wait1.after).toMatchObject({ runId: first.summary.dispatched[0].runId, reason: 'Timeout' });
    const backoff1 = Date.parse(wait1.dueAt) - Date.parse(wait1.after.endedAt);
    expect(backoff1).toBeGreaterThanOrEqual(30_000); // d = 60 s, equal jitter
    expect(backoff1).toBeLessThanOrEqual(60_000);
    expect(early.events).toContainEqual(expect.objectContaining({ type: 'retry-wait', taskId: 't' }));
    const justBefore = await pass(root, config, { now: new Date(Date.parse(wait1.dueAt) - 1) });
    expect(justBefore.summary.dispatched).toEqual([]);

    // `cxo plan` shows the wait (it reads the file config: the defaults, 3 attempts)
    const planned = handlerContext(root, {});
    expect(await planCommand(planned.ctx)).toBe(0);
    expect(planned.text()).toMatch(
      /waiting for a retry\n {2}t {2}attempt 2 of 3, due at \S+ \(run \S+ failed: Timeout\)/,
    );
    const plannedJson = handlerContext(root, { json: true });
    expect(await planCommand(plannedJson.ctx)).toBe(0);
    expect(JSON.parse(plannedJson.text())).toMatchObject({
      batches: [],
      retrying: [{ id: 't', attempt: 2 }],
    });

    // after the backoff: attempt 2 starts; a second pass while it runs does not start it again
    const due1 = new Date(Date.parse(wait1.dueAt) + 1);
    const started: Promise<RunOutcome>[] = [];
    const detach = {
      capacity: 2,
      track: (run: Promise<RunOutcome>) => started.push(run),
      stop: new AbortController().signal,
    };
    const second = await pass(root, config, { now: due1, detach });
    expect(second.events).toContainEqual(
      expect.objectContaining({ type: 'dispatch', taskId: 't', attempt: 2 }),
    );
    const twice = await pass(root, config, { now: due1, detach });
    expect(twice.summary.dispatched).toEqual([]);
    expect(twice.summary.running).toMatchObject([{ taskId: 't' }]);
    expect(started).toHaveLength(1);
    const ended2 = await started[0];
    expect(ended2).toMatchObject({ status: 'failed', reason: 'Timeout' });
    expect(ledgerEntries(root).map((l) => l.attempt ?? 1)).toEqual([1, 2]);

    // just after attempt 2 failed: attempt 3 waits for a longer, capped backoff (not the clock
    // of attempt 2's due time: the jittered waits overlap, [30, 60] s then [45, 90] s)
    const again = await pass(root, config, { now: new Date() });
    expect(again.summary.dispatched).toEqual([]);
    const wait2 = again.summary.retrying[0];
    expect(wait2).toMatchObject({ attempt: 3, maxAttempts: 3, after: { runId: ended2.runId } });
    const backoff2 = Date.parse(wait2.dueAt) - Date.parse(wait2.after.endedAt);
    expect(backoff2).toBeGreaterThanOrEqual(45_000); // d = min(90 s, 120 s)
    expect(backoff2).toBeLessThanOrEqual(90_000);

    const third = await pass(root, config, { now: new Date(Date.parse(wait2.dueAt) + 1) });
    expect(third.summary.dispatched).toMatchObject([{ taskId: 't', status: 'failed', reason: 'Timeout' }]);
    expect(third.events).toContainEqual(expect.objectContaining({ type: 'dispatch', attempt: 3 }));

    // max attempts reached: the task stays failed, however late it is
    const later = await pass(root, config, { now: new Date(Date.now() + 86_400_000) });
    expect(later.summary.dispatched).toEqual([]);
    expect(later.summary.retrying).toEqual([]);
    expect(runsOf(root, 't')).toHaveLength(3);
    expect(ledgerEntries(root).map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(committedTask(root, 't')?.status).toMatchObject({ phase: 'failed', reason: 'Timeout' });
  }, 90_000);

  it('a retry claimed before a restart is not dispatched again, even without its run', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': TIMEOUT_CONFIG,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1' }]),
      },
      { git: true },
    );
    const config = await configOf(root);
    await pass(root, config);
    const [wait] = (await pass(root, config)).summary.retrying;
    // a watcher killed between claiming attempt 2 and starting its run
    appendFileSync(
      ledgerPath(root),
      `${JSON.stringify({ task: 't', request: 'r1', runId: 'run-lost', at: new Date().toISOString(), attempt: 2 })}\n`,
    );
    const after = await pass(root, config, { now: new Date(Date.parse(wait.dueAt) + 1) });
    expect(after.summary.dispatched).toEqual([]);
    expect(after.summary.skippedDuplicate).toEqual([{ taskId: 't', request: 'r1', runId: 'run-lost' }]);
    expect(runsOf(root, 't')).toHaveLength(1);
  }, 60_000);

  it('does not retry a failure the change caused (AcceptanceFailed)', async () => {
    const root = makeRepo(
      {
        'codex.config.yaml': ACCEPTANCE_CONFIG,
        'codex.tasks.json': indexJson([{ id: 't', title: 'T', request: 'r1', acceptance: ['false'] }]),
      },
      { git: true },
    );
    const config = await configOf(root, { max_attempts: 3, base_seconds: 0.01, cap_seconds: 0.02 });
    const first = await pass(root, config);
    expect(first.summary.dispatched).toMatchObject([{ status: 'failed', reason: 'AcceptanceFailed' }]);
    const later = await pass(root, config, { now: new Date(Date.now() + 3_600_000) });
    expect(later.summary.dispatched).toEqual([]);
    expect(later.summary.retrying).toEqual([]);
    expect(runsOf(root, 't')).toHaveLength(1);
    expect(committedTask(root, 't')?.status).toMatchObject({ phase: 'failed', reason: 'AcceptanceFailed' });
  }, 60_000);
});
