/**
 * The dispatch ledger: `<git dir>/codex-orchestrator/dispatched.ndjson`, one line
 * {task, request, runId, at} per dispatch, append-only. A (task, request) pair is dispatched at
 * most once, whatever the status says: a restart, a status write-back that did not land, or a
 * second watcher never runs the same request twice.
 *
 * A read followed by an append is not atomic, and needs not be: only the holder of the watch lock
 * dispatches, so there is one writer. The claim is written before the run starts, so a watcher
 * killed in between leaves a claimed request without a run; it is reported as claimed (at most
 * once beats twice for work that edits code), and a new request runs it again.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDirOf } from '../git/git-dir.js';

export interface LedgerEntry {
  task: string;
  request: string;
  runId: string;
  at: string;
}

export function ledgerPath(root: string): string {
  return join(gitDirOf(root) ?? join(root, '.git'), 'codex-orchestrator', 'dispatched.ndjson');
}

export class DispatchLedger {
  readonly path: string;
  private readonly entries = new Map<string, LedgerEntry>();
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
      if (entry && !this.entries.has(key(entry.task, entry.request)))
        this.entries.set(key(entry.task, entry.request), entry);
    }
  }

  /** The dispatch of (task, request), if there was one. */
  find(task: string, request: string): LedgerEntry | undefined {
    return this.entries.get(key(task, request));
  }

  /** Records the dispatch of (task, request) by `runId`; false when it was claimed before. */
  claim(task: string, request: string, runId: string, now = new Date()): boolean {
    if (this.entries.has(key(task, request))) return false;
    const entry: LedgerEntry = { task, request, runId, at: now.toISOString() };
    mkdirSync(join(this.path, '..'), { recursive: true });
    // a torn last line stays unparseable on its own line instead of corrupting this one
    appendFileSync(this.path, `${this.torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
    this.torn = false;
    this.entries.set(key(task, request), entry);
    return true;
  }
}

function key(task: string, request: string): string {
  return JSON.stringify([task, request]);
}

function parseLine(line: string): LedgerEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    const v = JSON.parse(line) as LedgerEntry;
    return typeof v.task === 'string' && typeof v.request === 'string' && typeof v.runId === 'string'
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}
