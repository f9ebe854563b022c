import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findChecklistItem, parseChecklist } from '../repo/checklist.js';
import type { Task } from '../repo/task-types.js';

/** How much of the PRD a prompt carries: its opening, where the problem is stated. */
export const PRD_EXCERPT_CHARS = 8000;

/** The opening of the task's PRD (front matter dropped), from the run's worktree; undefined without one. */
export function prdExcerpt(worktree: string, task: Task): string | undefined {
  const text = readIfThere(worktree, task.prd);
  if (text === undefined) return undefined;
  const body = text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '').trim();
  return body.length > PRD_EXCERPT_CHARS
    ? `${body.slice(0, PRD_EXCERPT_CHARS)}\n[PRD cut at ${PRD_EXCERPT_CHARS} characters: ${task.prd}]`
    : body;
}

/** The task's checklist item with the items it sits under, e.g. `1.0 Slugs` then `1.1 Collapse ...`. */
export function checklistContext(worktree: string, task: Task): string | undefined {
  if (!task.checklist) return undefined;
  const hash = task.checklist.lastIndexOf('#');
  const file = task.checklist.slice(0, hash);
  const text = readIfThere(worktree, file);
  if (text === undefined) return undefined;
  const { checklist } = parseChecklist({ file, text, bom: false, eol: '\n' });
  const chain: string[] = [];
  for (let item = findChecklistItem(checklist, task.checklist.slice(hash + 1)); item;) {
    chain.unshift(`- [${item.checked ? 'x' : ' '}] ${item.number} ${item.text}`);
    item = item.parent ? checklist.byNumber.get(item.parent) : undefined;
  }
  return chain.length
    ? `${task.checklist}\n${chain.map((line, i) => `${'  '.repeat(i)}${line}`).join('\n')}`
    : undefined;
}

function readIfThere(worktree: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  const path = join(worktree, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
