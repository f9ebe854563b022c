/**
 * ai-dev-tasks (snarktank/ai-dev-tasks) checklists, `tasks/tasks-<feature>.md`: a "Relevant Files"
 * section of `- \`path\` - why` bullets, then numbered check boxes, parents `- [ ] 1.0 Title` with
 * indented sub-tasks `  - [ ] 1.1 Title`, ticked as `- [x]` when done.
 */
import {
  addUnique,
  convertId,
  draft,
  finish,
  IdAllocator,
  importedStatus,
  joinSections,
  Reporter,
  sanitizeIdPart,
  stripBom,
  type TaskDraft,
  toRepoPath,
  trimEnd,
} from './common.js';
import type { ImportResult } from './types.js';

/** Titles longer than this are cut at a word; the whole text moves to the description. */
const MAX_TITLE = 120;
/** Keeps `<slug>-<number>` ids readable and under the id length limit. */
const MAX_SLUG = 48;

const CHECKBOX = /^([ \t]*)(?:[-*+]|\d+[.)])[ \t]+\[([ xX])\][ \t]+(.*)$/;
// "1.0 Title", "1.1. Title", "**1.0** Title", "1.0 — Title", "2) Title"; a bare "2024 plans" is no number.
const NUMBERED = /^(\*\*|__)?(\d+(?:\.\d+)+|\d+(?=[.):]))[.):]?(\*\*|__)?(?:[ \t]*[—–-][ \t]+|[ \t]+|$)/;
const HEADING = /^ {0,3}#{1,6}[ \t]+(.*)$/;
const BULLET = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(.*)$/;
const FENCE = /^[ \t]*(```|~~~)/;

interface Item {
  offset: number;
  number: string;
  text: string;
  checked: boolean;
  parent?: Item;
  notes: string[];
  task?: TaskDraft;
}

interface Open {
  indent: number;
  item?: Item;
}

function indentWidth(ws: string): number {
  let w = 0;
  for (const ch of ws) w += ch === '\t' ? 4 - (w % 4) : 1;
  return w;
}

/** The id prefix for a checklist file: `tasks/tasks-user-profile.md` -> `user-profile`. */
export function checklistSlug(file: string): string {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? '';
  const stem = base.replace(/\.(md|markdown|txt)$/i, '').replace(/^tasks?[-_]/i, '');
  return sanitizeIdPart(sanitizeIdPart(stem).slice(0, MAX_SLUG)) || 'checklist';
}

/** The path written in a Relevant Files bullet: the first code span, else the first word. */
function relevantPath(bullet: string): string | undefined {
  const code = /^(?:\*\*)?`([^`]+)`/.exec(bullet);
  const raw = code ? code[1] : trimEnd(bullet.split(/\s+/)[0] ?? '', ',:;');
  if (!raw || !/[./]/.test(raw)) return undefined;
  return raw;
}

/** Drops bold markers around the whole title, as in "**1.0 Title**" or "1.0 **Title**". */
function cleanTitle(text: string, openBold: string | undefined, closeBold: string | undefined): string {
  let t = text.trim();
  if (openBold && !closeBold && t.endsWith(openBold)) t = t.slice(0, -openBold.length).trim();
  const wrapped = /^(\*\*|__)(.+)\1$/.exec(t);
  if (wrapped && !wrapped[2].includes(wrapped[1])) t = wrapped[2].trim();
  return t.replace(/\s+/g, ' ');
}

function shorten(text: string): string {
  if (text.length <= MAX_TITLE) return text;
  const cut = text.slice(0, MAX_TITLE - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_TITLE / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function convertChecklist(
  file: string,
  input: string,
  existingIds: ReadonlySet<string>,
): ImportResult {
  const text = stripBom(input);
  const r = new Reporter(file, text);
  const lines = text.split('\n');
  const items: Item[] = [];
  const relevant: { path: string; offset: number }[] = [];

  let offset = 0;
  let start = 0;
  // YAML front matter, written by some ai-dev-tasks forks, is metadata rather than tasks.
  if (lines[0]?.trimEnd() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (close > 0) {
      start = close + 1;
      for (let i = 0; i < start; i++) offset += lines[i].length + 1;
    }
  }

  let fence: string | undefined;
  let inRelevant = false;
  let stack: Open[] = [];
  for (let i = start; i < lines.length; offset += lines[i].length + 1, i++) {
    const line = lines[i].replace(/\r$/, '');
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1] === fence) fence = undefined;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      stack = [];
      continue;
    }
    if (line.trim() === '') continue;

    const heading = HEADING.exec(line);
    if (heading) {
      inRelevant = /^relevant files\b/i.test(trimEnd(heading[1], ' \t#').replace(/[*_`]/g, '').trim());
      stack = [];
      continue;
    }

    const box = CHECKBOX.exec(line);
    if (inRelevant && !box) {
      const bullet = BULLET.exec(line);
      const path = bullet ? relevantPath(bullet[1].trim()) : undefined;
      if (path) relevant.push({ path, offset: offset + line.indexOf(path) });
      continue;
    }

    const indent = indentWidth(/^[ \t]*/.exec(line)?.[0] ?? '');
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    if (!box) {
      // Plain text indented under an item (notes, hints) belongs to it; unindented text has no owner.
      stack[stack.length - 1]?.item?.notes.push(line.trim());
      continue;
    }

    const body = box[3];
    const bodyOffset = offset + line.length - body.length;
    const numbered = NUMBERED.exec(body);
    if (!numbered) {
      r.warn(
        'unnumbered-item',
        'check box without an item number; skipped',
        bodyOffset,
        'number items like "1.0" (parents) and "1.1" (sub-tasks) so they can be referenced',
      );
      stack.push({ indent });
      continue;
    }
    const number = numbered[2];
    const numberOffset = bodyOffset + body.indexOf(number);
    const title = cleanTitle(body.slice(numbered[0].length), numbered[1], numbered[3]);
    const parent = stack.findLast((o) => o.item)?.item;
    const item: Item = {
      offset: numberOffset,
      number,
      text: title,
      checked: box[2] !== ' ',
      parent,
      notes: [],
    };
    stack.push({ indent, item });
    if (!title) {
      r.error(
        'missing-title',
        `item ${number} has no title`,
        numberOffset,
        'write the task after its number',
      );
      continue;
    }
    items.push(item);
  }

  const paths: string[] = [];
  for (const { path, offset: at } of relevant) {
    const p = toRepoPath(path);
    if (p) addUnique(paths, p);
    else
      r.warn(
        'invalid-path',
        `relevant file ${JSON.stringify(path)} is not a repository-relative path; ignored`,
        at,
      );
  }

  const slug = checklistSlug(file);
  // Checklist references must be repository paths without '#', or the index would reject them.
  const repoFile = toRepoPath(file);
  const ref = repoFile && !repoFile.includes('#') ? repoFile : undefined;
  if (!ref) {
    r.warn(
      'invalid-path',
      `${JSON.stringify(file)} is not a repository-relative path without "#", so items get no checklist reference`,
      undefined,
      'import the file by its path inside the repository',
    );
  }
  const ids = new IdAllocator(existingIds);
  const tasks: TaskDraft[] = [];
  for (const item of items) {
    const id = convertId(r, `${slug}-`, item.number, item.offset, `item ${item.number}`);
    if (!id) continue;
    const title = shorten(item.text);
    const task = draft(ids.claim(r, id, item.offset), title);
    item.task = task;
    task.description = joinSections([title !== item.text ? item.text : undefined, item.notes.join('\n')]);
    if (ref) task.checklist = `${ref}#${item.number}`;
    // Only the nearest converted ancestor is recorded; parents never depend on their sub-tasks.
    let parent = item.parent;
    while (parent && !parent.task) parent = parent.parent;
    if (parent?.task) addUnique(task.labels, `parent:${parent.task.id}`);
    task.paths.push(...paths);
    if (item.checked) task.status = importedStatus('done', `ticked in ${ref ?? file}`);
    tasks.push(task);
  }
  return finish(r, tasks);
}
