import { git } from '../git/git.js';
import type { Config } from '../repo/config.js';
import { leaseExpired } from './claim-lease.js';
import { daySpend, utcDayText } from './cost-ledger.js';
import { StateClaims } from './state-claims.js';
import { StateRef } from './state-ref.js';
import { listStateRuns } from './state-runs.js';
import { readStatuses } from './state-statuses.js';

/** What `cxo state show` prints: the state ref's tip and what it holds. */
export interface StateSummary {
  ref: string;
  /** The remote the state is shared through; undefined when it stays in this clone. */
  remote?: string;
  /** The state commit read (the local ref, or the remote's as last fetched when ahead). */
  commit?: string;
  /** When and why the tip was written. */
  updatedAt?: string;
  subject?: string;
  /** Commits on the state ref. */
  commits: number;
  /** Tasks with a status, and how many are in each phase. */
  statuses: { tasks: number; byPhase: Record<string, number> };
  claims: { total: number; leased: number };
  runs: { total: number; tasks: number };
  /** Today's (UTC) runs in the cost ledger against `budget.per_day_usd`. */
  spend: { day: string; runs: number; spentUsd: number; reservedUsd: number; capUsd?: number };
  /** Entries that are not valid (`<ref>:<path>: <why>`), which every reader ignores. */
  problems: string[];
}

/** Reads the state as this clone last saw it (no network: `git fetch` first for the remote's). */
export function summarizeState(root: string, config: Config, now = Date.now()): StateSummary {
  const state = StateRef.open(root, config);
  const snapshot = state.snapshot();
  const { byTask, problems } = readStatuses(snapshot);
  const byPhase: Record<string, number> = {};
  for (const status of byTask.values()) byPhase[status.phase] = (byPhase[status.phase] ?? 0) + 1;
  const claims = new StateClaims(state, snapshot, config.gitops.claim_lease_seconds * 1000);
  const all = claims.all();
  const runs = listStateRuns(snapshot);
  const day = utcDayText(new Date(now));
  const { problems: ledgerProblems, ...spend } = daySpend(snapshot, day);
  const cap = config.budget.per_day_usd;
  const summary: StateSummary = {
    ref: state.ref,
    ...(state.remote ? { remote: state.remote } : {}),
    commits: 0,
    statuses: { tasks: byTask.size, byPhase },
    claims: {
      total: all.length,
      leased: all.filter((c) => c.leaseUntil !== undefined && !leaseExpired(c, now)).length,
    },
    runs: { total: runs.length, tasks: new Set(runs.map((r) => r.task)).size },
    spend: { day, ...spend, ...(cap !== undefined ? { capUsd: cap } : {}) },
    problems: [
      ...problems.map((p) => `${state.ref}:${p}`),
      ...claims.problems,
      ...ledgerProblems.map((p) => `${state.ref}:${p}`),
    ],
  };
  if (!snapshot.commit) return summary;
  const [updatedAt, subject] = git(root, ['log', '-1', '--format=%cI%x00%s', snapshot.commit])
    .stdout.trim()
    .split('\0');
  return {
    ...summary,
    commit: snapshot.commit,
    updatedAt,
    subject,
    commits: Number(git(root, ['rev-list', '--count', snapshot.commit]).stdout.trim()),
  };
}
