/** What the reconcile tests look at in a repository: committed statuses, runs, the ledger, and a command's output. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Output } from '../../src/cli/output.js';
import { ledgerPath, type LedgerEntry } from '../../src/reconcile/dedupe.js';
import type { Task } from '../../src/repo/task-types.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { gitIn } from './temp-repo.js';

/** The tasks as committed at HEAD (the status write-backs land there). */
export function committedTasks(root: string): Record<string, Task> {
  const index = JSON.parse(gitIn(root, 'show', 'HEAD:codex.tasks.json')) as { tasks: Task[] };
  return Object.fromEntries(index.tasks.map((t) => [t.id, t]));
}

export function committedTask(root: string, id: string): Task | undefined {
  return committedTasks(root)[id];
}

/** The run ids under `.runs/<task>/`, none when it does not exist. */
export function runsOf(root: string, task: string): string[] {
  try {
    return readdirSync(join(root, '.runs', task));
  } catch {
    return [];
  }
}

export function manifestOf(root: string, task: string, runId: string): RunManifest | undefined {
  const path = join(root, '.runs', task, runId, 'manifest.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunManifest) : undefined;
}

/** The dispatch ledger's entries, in order. */
export function ledgerEntries(root: string): LedgerEntry[] {
  return readFileSync(ledgerPath(root), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LedgerEntry);
}

/** A command handler's context whose stdout and stderr are captured. */
export function handlerContext(cwd: string, options: Record<string, string | boolean>) {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { ctx: { cwd, args: {}, options, out: new Output(sink, sink, false) }, text: () => text };
}
