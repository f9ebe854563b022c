/**
 * The dispatch ledger: `<git dir>/codex-orchestrator/dispatched.ndjson`, one line
 * {task, request, runId, at, attempt} per dispatch, append-only. A (task, request, attempt) is
 * dispatched at most once, whatever the status says: a restart, a status write-back that did not
 * land, or a second watcher never runs the same attempt twice. Attempt 1 answers a new request;
 * attempts 2 and up are retries of transient failures (retry-policy.ts). Lines written before
 * retries existed have no `attempt`: they are attempt 1.
 *
 * A read followed by an append is not atomic, and needs not be: only the holder of the watch lock
 * dispatches, so there is one writer. The claim is written before the run starts, so a watcher
 * killed in between leaves a claimed attempt without a run; it is reported as claimed (at most
 * once beats twice for work that edits code), and a new request runs it again.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireGitDir } from '../repo/git-dir.js';
import type { BudgetRefusal } from '../state/budget-check.js';

export interface LedgerEntry {
  task: string;
  request: string;
  runId: string;
  at: string;
  /** 1-based; absent in lines written before retries existed, which are attempt 1. */
  attempt?: number;
}

export function ledgerPath(root: string): string {
  return join(requireGitDir(root), 'codex-orchestrator', 'dispatched.ndjson');
}

export class DispatchLedger {
  readonly path: string;
  private readonly entries = new Map<string, LedgerEntry>();
  /** The highest attempt claimed of each (task, request). */
  private readonly latestOf = new Map<string, LedgerEntry>();
  /** Whether the file ends mid-line (a writer killed during an append). */
  private torn = false;

  constructor(root: string) {
    this.path = ledgerPath(root);
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.torn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      const entry = parseLine(line);
      if (entry && !this.entries.has(key(entry.task, entry.request, attemptOf(entry)))) this.remember(entry);
    }
  }

  /** The dispatch of attempt `attempt` of (task, request), if there was one. */
  find(task: string, request: string, attempt = 1): LedgerEntry | undefined {
    return this.entries.get(key(task, request, attempt));
  }

  /** The last attempt dispatched of (task, request), if any, with its attempt number. */
  latest(task: string, request: string): (LedgerEntry & { attempt: number }) | undefined {
    const entry = this.latestOf.get(key(task, request, 0));
    return entry && { ...entry, attempt: attemptOf(entry) };
  }

  /** Every dispatch recorded, one per (task, request, attempt). */
  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Records the dispatch of attempt `attempt` of (task, request) by `runId`; false when it was
   * claimed before, the refusal (nothing recorded) when `refuse` gives one (the budget).
   */
  claim(
    task: string,
    request: string,
    runId: string,
    now = new Date(),
    attempt = 1,
    refuse?: () => string | undefined,
  ): boolean | BudgetRefusal {
    if (this.entries.has(key(task, request, attempt))) return false;
    const refused = refuse?.();
    if (refused) return { refused };
    const entry: LedgerEntry = { task, request, runId, at: now.toISOString(), attempt };
    mkdirSync(join(this.path, '..'), { recursive: true });
    // a torn last line stays unparseable on its own line instead of corrupting this one
    appendFileSync(this.path, `${this.torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
    this.torn = false;
    this.remember(entry);
    return true;
  }

  private remember(entry: LedgerEntry): void {
    const attempt = attemptOf(entry);
    this.entries.set(key(entry.task, entry.request, attempt), entry);
    const last = this.latestOf.get(key(entry.task, entry.request, 0));
    if (!last || attemptOf(last) < attempt) this.latestOf.set(key(entry.task, entry.request, 0), entry);
  }
}

function attemptOf(entry: LedgerEntry): number {
  return entry.attempt ?? 1;
}

/** Attempt 0 keys the (task, request) itself. */
function key(task: string, request: string, attempt: number): string {
  return JSON.stringify([task, request, attempt]);
}

function parseLine(line: string): LedgerEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    const v = JSON.parse(line) as LedgerEntry;
    const attemptOk =
      v.attempt === undefined ||
      (typeof v.attempt === 'number' && Number.isInteger(v.attempt) && v.attempt >= 1);
    return typeof v.task === 'string' &&
      typeof v.request === 'string' &&
      typeof v.runId === 'string' &&
      attemptOk
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}
