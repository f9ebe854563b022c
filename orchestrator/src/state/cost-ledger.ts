/**
 * The cost ledger on the state ref: `costs/<day>/<shard>.json`, the runs claimed on one UTC day by
 * the tasks of one shard (state-layout.ts), each with what it reserved while it ran and what it
 * cost once it ended. A claim adds its run's reservation in the same compare-and-swap as the claim
 * itself (state-claims.ts), and the run's final status turns it into the observed cost in the same
 * update as the status (write-task-status.ts), so the ledger and the claims never disagree.
 *
 * Sharded by day and task so that a write rewrites one small file, and a budget check reads one
 * day's folder (at most 256 files) and one file per day for the task. The state ref is input:
 * a file that is not valid is ignored and reported, and an entry speaks only for its own shard.
 */
import { validateStateCosts } from '../generated/validators.js';
import { shardOf } from './state-layout.js';
import type { StateSnapshot, StateWrite } from './state-ref.js';

export interface CostEntry {
  task: string;
  runId: string;
  /** reserved: what the claim set aside; spent: what the run's steps cost. */
  usd: number;
  state: 'reserved' | 'spent';
  at: string;
}

/** What one task and one day have spent or reserved, from one snapshot. */
export interface Spend {
  taskUsd: number;
  dayUsd: number;
  /** Ledger files that were not valid (`<path>: <why>`), ignored. */
  problems: string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC calendar day of an instant, as the ledger names its folders (YYYY-MM-DD). */
export function utcDayText(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

export function costPathOf(day: string, taskId: string): string {
  return `costs/${day}/${shardOf(taskId)}.json`;
}

/** What `taskId` (all days) and `day` (all tasks) have spent or reserved. */
export function spendOf(snapshot: StateSnapshot, taskId: string, day: string): Spend {
  const days = [...snapshot.list('costs').keys()].filter((d) => DAY.test(d));
  const dayFiles = days.includes(day)
    ? [...snapshot.list(`costs/${day}`).keys()].map((name) => `costs/${day}/${name}`)
    : [];
  const taskFiles = days.map((d) => costPathOf(d, taskId));
  const files = readCostFiles(snapshot, [...new Set([...dayFiles, ...taskFiles])]);
  const spend: Spend = { taskUsd: 0, dayUsd: 0, problems: files.problems };
  for (const [path, entries] of files.byPath)
    for (const e of entries) {
      if (path.startsWith(`costs/${day}/`)) spend.dayUsd += e.usd;
      if (e.task === taskId) spend.taskUsd += e.usd;
    }
  return spend;
}

/** The write that adds run `runId`'s reservation of `usd` to the day's ledger. */
export function reservationWrite(
  snapshot: StateSnapshot,
  day: string,
  taskId: string,
  runId: string,
  usd: number,
  now: Date,
): StateWrite {
  const path = costPathOf(day, taskId);
  const entries = (readCostFiles(snapshot, [path]).byPath.get(path) ?? []).filter((e) => e.runId !== runId);
  entries.push({ task: taskId, runId, usd, state: 'reserved', at: now.toISOString() });
  return { path, content: serializeCosts(entries) };
}

/**
 * The write that records run `runId`'s observed cost in place of its reservation, in the day
 * folder that has it (the day it was claimed), else under `day` (a run started by hand).
 */
export function spentWrite(
  snapshot: StateSnapshot,
  day: string,
  taskId: string,
  runId: string,
  usd: number,
  now: Date,
): StateWrite {
  const days = [...snapshot.list('costs').keys()].filter((d) => DAY.test(d));
  const files = readCostFiles(
    snapshot,
    days.map((d) => costPathOf(d, taskId)),
  ).byPath;
  const path =
    [...files].find(([, entries]) => entries.some((e) => e.runId === runId))?.[0] ?? costPathOf(day, taskId);
  const entries = (files.get(path) ?? []).filter((e) => e.runId !== runId);
  entries.push({ task: taskId, runId, usd, state: 'spent', at: now.toISOString() });
  return { path, content: serializeCosts(entries) };
}

/**
 * The writes that enter finished runs at their observed cost, each under the day it started,
 * keeping what the files hold (`cxo state migrate`: the runs of an inline repository).
 */
export function spentWrites(
  snapshot: StateSnapshot,
  runs: readonly { day: string; task: string; runId: string; usd: number }[],
  now: Date,
): StateWrite[] {
  const byPath = new Map<string, CostEntry[]>();
  for (const { day, task, runId, usd } of runs) {
    const path = costPathOf(day, task);
    if (!byPath.has(path)) byPath.set(path, readCostFiles(snapshot, [path]).byPath.get(path) ?? []);
    const entries = byPath.get(path)!.filter((e) => e.runId !== runId);
    entries.push({ task, runId, usd, state: 'spent', at: now.toISOString() });
    byPath.set(path, entries);
  }
  return [...byPath].map(([path, entries]) => ({ path, content: serializeCosts(entries) }));
}

/** One day's runs in the ledger: what they spent, what the running ones reserve (`cxo state show`). */
export function daySpend(
  snapshot: StateSnapshot,
  day: string,
): { runs: number; spentUsd: number; reservedUsd: number; problems: string[] } {
  const paths = [...snapshot.list(`costs/${day}`).keys()].map((name) => `costs/${day}/${name}`);
  const files = readCostFiles(snapshot, paths);
  const entries = [...files.byPath.values()].flat();
  const sum = (state: CostEntry['state']) =>
    entries.filter((e) => e.state === state).reduce((n, e) => n + e.usd, 0);
  return {
    runs: entries.length,
    spentUsd: sum('spent'),
    reservedUsd: sum('reserved'),
    problems: files.problems,
  };
}

/** Every entry of the ledger (for tests), with the files that were not valid. */
export function readCostLedger(snapshot: StateSnapshot): {
  byDay: Map<string, CostEntry[]>;
  problems: string[];
} {
  const paths: string[] = [];
  for (const day of snapshot.list('costs').keys())
    if (DAY.test(day))
      for (const name of snapshot.list(`costs/${day}`).keys()) paths.push(`costs/${day}/${name}`);
  const files = readCostFiles(snapshot, paths);
  const byDay = new Map<string, CostEntry[]>();
  for (const [path, entries] of files.byPath) {
    const day = path.split('/')[1];
    byDay.set(day, [...(byDay.get(day) ?? []), ...entries]);
  }
  return { byDay, problems: files.problems };
}

/** The valid entries of each ledger file that exists (one `git cat-file --batch`). */
function readCostFiles(
  snapshot: StateSnapshot,
  paths: readonly string[],
): { byPath: Map<string, CostEntry[]>; problems: string[] } {
  const byPath = new Map<string, CostEntry[]>();
  const problems: string[] = [];
  for (const [path, bytes] of snapshot.readMany(paths)) {
    const entries = parseCosts(bytes);
    if (!entries) {
      problems.push(`${path}: not a cost ledger file`);
      continue;
    }
    const shard = /\/([0-9a-f]{2})\.json$/.exec(path)?.[1];
    // an entry speaks for its own shard only, and a run counts once
    const seen = new Set<string>();
    byPath.set(
      path,
      entries.filter((e) => shardOf(e.task) === shard && !seen.has(e.runId) && seen.add(e.runId)),
    );
  }
  return { byPath, problems };
}

function parseCosts(bytes: Buffer): CostEntry[] | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return validateStateCosts(value) ? (value as { runs: CostEntry[] }).runs : undefined;
  } catch {
    return undefined;
  }
}

function serializeCosts(runs: CostEntry[]): string {
  return `${JSON.stringify({ runs }, null, 2)}\n`;
}
