/**
 * When a transient failure (transient.ts) is tried again. The time of the next attempt is derived
 * only from the dispatch ledger (which attempt failed, as which run) and that run's manifest (when
 * it ended), so a restarted watcher computes the same time: the jitter is seeded by the failed
 * attempt, never drawn afresh.
 *
 * The wait after attempt n is d = min(cap, base × 2^(n-1)) with equal jitter: d/2 + u × d/2, u in
 * [0, 1). Equal rather than full jitter (u × d): full jitter may retry almost at once, straight
 * into the rate limit that failed the run; equal jitter always waits at least half the backoff and
 * still spreads tasks that failed together.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../repo/config.js';
import type { RunManifest } from '../runs/manifest-types.js';
import { isTransient } from './transient.js';

export interface RetrySettings {
  /** Attempts in all, the first one included: 1 turns retries off. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/** `watch.retry` defaults: max_attempts 3, base_seconds 30, cap_seconds 900. */
export const DEFAULT_RETRY: Readonly<RetrySettings> = { maxAttempts: 3, baseMs: 30_000, capMs: 900_000 };

/** A retry owed to a task: the attempt it would be, and from when. */
export interface Retry {
  /** The attempt the retry is: 2 or more. */
  attempt: number;
  maxAttempts: number;
  /** ISO time from which the retry may be dispatched. */
  dueAt: string;
  /** The attempt that failed transiently. */
  after: { runId: string; reason: string; endedAt: string };
}

/** `watch.retry` of codex.config.yaml over the defaults; a missing or unusable value keeps its default. */
export function retrySettingsOf(config: Config): RetrySettings {
  // checked value by value: a config assembled by a library caller may lack parts of the section
  const watch: unknown = config.watch;
  const retry = isRecord(watch) && isRecord(watch.retry) ? watch.retry : {};
  const attempts = numberOf(retry.max_attempts, (n) => Number.isInteger(n) && n >= 1);
  const base = numberOf(retry.base_seconds, (n) => n > 0);
  const cap = numberOf(retry.cap_seconds, (n) => n > 0);
  return {
    maxAttempts: attempts ?? DEFAULT_RETRY.maxAttempts,
    baseMs: base !== undefined ? base * 1000 : DEFAULT_RETRY.baseMs,
    capMs: cap !== undefined ? cap * 1000 : DEFAULT_RETRY.capMs,
  };
}

/** The wait after failed attempt `attempt` (1-based), for `u` in [0, 1): capped exponential, equal jitter. */
export function retryDelayMs(attempt: number, settings: RetrySettings, u: number): number {
  const backoff = Math.min(settings.capMs, settings.baseMs * 2 ** (Math.max(1, attempt) - 1));
  return Math.round(backoff / 2 + (Math.min(Math.max(u, 0), 1) * backoff) / 2);
}

/** A number in [0, 1) fixed by `seed`: the same attempt always gets the same jitter. */
export function jitterOf(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * When a run ended: its last recorded moment (a step's end, a heartbeat, a resume, its start). The
 * manifest has no end time of its own, and the failing step's end is written just before it ends.
 */
export function runEndedAt(manifest: RunManifest): number {
  const times = [
    manifest.run?.createdAt,
    manifest.heartbeat?.at,
    ...(manifest.resumes ?? []).map((r) => r.at),
    ...(manifest.steps ?? []).map((s) => s.endedAt),
  ]
    .map((at) => (at ? Date.parse(at) : NaN))
    .filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : 0;
}

/**
 * The retry owed after `attempt` of (task, request) ran as `run`: only when the run answered that
 * request, failed transiently, and attempts are left. Undefined otherwise: the task stays failed.
 */
export function retryAfter(
  taskId: string,
  request: string,
  attempt: number,
  run: RunManifest,
  settings: RetrySettings,
): Retry | undefined {
  const { status, reason } = run.result;
  if (status !== 'failed' || !isTransient(reason) || run.trigger.request !== request) return undefined;
  if (attempt >= settings.maxAttempts) return undefined;
  const ended = runEndedAt(run);
  const seed = JSON.stringify([taskId, request, attempt, run.run.id]);
  const due = ended + retryDelayMs(attempt, settings, jitterOf(seed));
  return {
    attempt: attempt + 1,
    maxAttempts: settings.maxAttempts,
    dueAt: new Date(due).toISOString(),
    after: { runId: run.run.id, reason: reason!, endedAt: new Date(ended).toISOString() },
  };
}

function numberOf(v: unknown, ok: (n: number) => boolean): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
