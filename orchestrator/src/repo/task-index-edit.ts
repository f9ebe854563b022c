import { applyEdits, type FormattingOptions, format, modify } from 'jsonc-parser';
import type { JsonPath } from './json-document.js';
import { ownValue } from './own-property.js';
import type { TaskIndex } from './task-index.js';
import { locateTask } from './task-locator.js';
import type { Task, TaskStatus } from './task-types.js';

/**
 * Minimal-diff edits of the task index text. Each function returns the new text (without BOM);
 * key order, indentation, line endings and the trailing newline of the file are kept, and only
 * the lines of the edited fields change.
 */

export function formattingOf(text: string, eol: string): FormattingOptions {
  const indented = /\n([ \t]+)\S/.exec(text);
  const unit = indented?.[1] ?? '  ';
  if (unit.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  // the first indented line is one level deep in a well-formed file
  return { insertSpaces: true, tabSize: unit.length, eol };
}

function edit(
  text: string,
  path: JsonPath,
  value: unknown,
  formatting: FormattingOptions,
  insert = false,
): string {
  const edits = modify(text, path, value, { formattingOptions: formatting, isArrayInsertion: insert });
  return applyEdits(text, edits);
}

/** Sets (or, with `undefined`, removes) human-owned fields of one task. */
export function setTaskFields(
  index: TaskIndex,
  id: string,
  fields: Partial<Omit<Task, 'id' | 'status'>>,
): string {
  const i = requirePosition(index, id);
  const formatting = formattingOf(index.doc.source.text, index.doc.source.eol);
  let text = index.doc.source.text;
  for (const [key, value] of Object.entries(fields)) text = edit(text, ['tasks', i, key], value, formatting);
  return text;
}

/**
 * Replaces a task's status block. Fields are set one by one so that a phase change is a
 * one-line diff when the block already exists.
 */
export function setTaskStatus(index: TaskIndex, id: string, status: TaskStatus): string {
  const i = requirePosition(index, id);
  const formatting = formattingOf(index.doc.source.text, index.doc.source.eol);
  return editStatus(index.doc.source.text, ['tasks', i], index.tasks[i].status, status, formatting);
}

/**
 * The same edit as `setTaskStatus` on the text of a valid task index, touching only the task's own
 * slice: no syntax tree of the whole file is built. Undefined when the task is not in the text.
 */
export function setTaskStatusInText(
  text: string,
  eol: string,
  id: string,
  status: TaskStatus,
): { text: string; before: Task; after: Task; beforeText: string } | undefined {
  const slice = locateTask(text, id);
  if (!slice) return undefined;
  // from the start of the task's line, so jsonc-parser sees the indentation it must continue
  const lineStart = text.lastIndexOf('\n', slice.start) + 1;
  const beforeText = text.slice(slice.start, slice.end);
  const before = JSON.parse(beforeText) as Task;
  const formatting = formattingOf(text, eol);
  if (text.slice(lineStart, slice.start).trim() !== '') {
    // the task shares its line with other JSON (a one-line file): edit the whole text
    const whole = editStatus(text, ['tasks', slice.position], before.status, status, formatting);
    const after = JSON.parse(whole) as { tasks: Task[] };
    return { text: whole, before, beforeText, after: after.tasks[slice.position] };
  }
  const sub = text.slice(lineStart, slice.end);
  const edited = editStatus(sub, [], before.status, status, formatting);
  return {
    text: text.slice(0, lineStart) + edited + text.slice(slice.end),
    before,
    beforeText,
    after: JSON.parse(edited) as Task,
  };
}

function editStatus(
  text: string,
  taskPath: JsonPath,
  current: TaskStatus | undefined,
  status: TaskStatus,
  formatting: FormattingOptions,
): string {
  if (!current) return edit(text, [...taskPath, 'status'], status, formatting);
  let out = text;
  for (const key of Object.keys(current) as (keyof TaskStatus)[]) {
    if (!Object.hasOwn(status, key)) out = edit(out, [...taskPath, 'status', key], undefined, formatting);
  }
  for (const [key, value] of Object.entries(status)) {
    if (JSON.stringify(ownValue(current, key)) !== JSON.stringify(value)) {
      out = edit(out, [...taskPath, 'status', key], value, formatting);
    }
  }
  return out;
}

/** Appends a task at the end of the tasks array. */
export function appendTask(index: TaskIndex, task: Task): string {
  return appendTasks(index, [task]);
}

/**
 * Appends tasks at the end of the tasks array in one splice: the first is placed by jsonc-parser
 * (which knows the file's layout) and the rest are rendered the same way after it, so importing
 * many tasks into a large index does not re-parse the file once per task.
 */
export function appendTasks(index: TaskIndex, tasks: Task[]): string {
  const text = index.doc.source.text;
  if (tasks.length === 0) return text;
  const formatting = formattingOf(text, index.doc.source.eol);
  const eol = formatting.eol ?? '\n';
  const [first] = modify(text, ['tasks', -1], tasks[0], {
    formattingOptions: formatting,
    isArrayInsertion: true,
  });
  const placed = applyEdits(text, [first]);
  const slice = locateTask(placed, tasks[0].id);
  // the first task's closing brace: its line's indentation is every item's indentation
  const lineStart = slice ? placed.lastIndexOf('\n', slice.end - 1) + 1 : 0;
  const itemIndent = slice ? placed.slice(lineStart, slice.end - 1) : '';
  if (slice?.position !== index.tasks.length || itemIndent.trim() !== '') {
    // a one-line layout (or an id used twice): let jsonc-parser place each task; small files only
    return tasks.slice(1).reduce((acc, task) => edit(acc, ['tasks', -1], task, formatting, true), placed);
  }
  let content = '';
  for (const task of tasks.slice(1)) {
    const raw = JSON.stringify(task);
    const body = applyEdits(raw, format(raw, undefined, formatting))
      .split(eol)
      .join(`${eol}${itemIndent}`);
    content += `,${eol}${itemIndent}${body}`;
  }
  return placed.slice(0, slice.end) + content + placed.slice(slice.end);
}

function requirePosition(index: TaskIndex, id: string): number {
  const i = index.positionOf(id);
  if (i === undefined) throw new Error(`task ${id} is not in the index`);
  return i;
}
