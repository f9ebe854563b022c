import {
  applyEdits,
  findNodeAtLocation,
  type FormattingOptions,
  modify,
  type Node,
  parseTree,
} from 'jsonc-parser';
import type { JsonPath } from './json-document.js';
import { jsonNestingOverflow } from './nesting-limit.js';
import { ownValue as own } from './own-property.js';
import { formattingOf } from './task-index-edit.js';

/**
 * A three-way merge of the task index, used as a git merge driver (`cxo merge-driver`).
 *
 * Tasks are matched by id. Human-owned fields merge field by field; the orchestrator-owned
 * `status` block resolves to the newer run. The result is `ours` with minimal edits, so a clean
 * merge changes only the merged lines; true conflicts are written as standard git conflict
 * markers around the lines concerned (the file is then not valid JSON, as with any conflict).
 */

export interface Conflict {
  kind: 'field' | 'delete' | 'invalid';
  /** The task concerned, if any. */
  taskId?: string;
  /** The field concerned (a top-level key when there is no task). */
  field?: string;
  message: string;
}

export interface MergeResult {
  text: string;
  conflicts: Conflict[];
}

type Json = unknown;
type Obj = Record<string, Json>;
interface Task extends Obj {
  id: string;
}

const OURS_MARKER = '<<<<<<< ours';
const SEPARATOR = '=======';
const THEIRS_MARKER = '>>>>>>> theirs';

export function mergeTaskIndexes(base: string, ours: string, theirs: string): MergeResult {
  const bom = ours.charCodeAt(0) === 0xfeff;
  const [b, o, t] = [base, ours, theirs].map(stripBom);
  const eol = eolOf(o);
  const restore = (text: string) => (bom ? `\ufeff${text}` : text);
  if (o === t) return { text: restore(o), conflicts: [] };

  const baseData = b.trim() === '' ? { tasks: [] } : parseIndex(b);
  const oursData = parseIndex(o);
  const theirsData = parseIndex(t);
  if (!baseData || !oursData || !theirsData) {
    const sides = [!baseData && 'base', !oursData && 'ours', !theirsData && 'theirs'].filter(
      Boolean,
    ) as string[];
    const conflict: Conflict = {
      kind: 'invalid',
      message: `not a valid task index (${sides.join(', ')}): cannot merge it task by task`,
    };
    const block = [
      OURS_MARKER + eol,
      withEol(o, eol),
      SEPARATOR + eol,
      withEol(t, eol),
      THEIRS_MARKER + eol,
    ].join('');
    return { text: restore(block), conflicts: [conflict] };
  }

  const formatting = formattingOf(o, eol);
  const editor = new Editor(o, formatting);
  const pending: PendingConflict[] = [];

  // top-level keys other than `tasks`: a plain three-way merge per key
  for (const key of unionKeys(baseData, oursData, theirsData)) {
    if (key === 'tasks') continue;
    const choice = mergeValue(own(baseData, key), own(oursData, key), own(theirsData, key));
    if (choice === 'theirs') editor.set([key], own(theirsData, key));
    else if (choice === 'conflict') {
      pending.push({
        conflict: { kind: 'field', field: key, message: `"${key}" changed differently on both sides` },
        edits: [{ path: () => [key], value: own(theirsData, key) }],
      });
    }
  }

  const baseTasks = byId(baseData.tasks as Task[]);
  const oursTasks = oursData.tasks as Task[];
  const theirsTasks = byId(theirsData.tasks as Task[]);
  const oursById = byId(oursTasks);

  // tasks on both sides: merge field by field (positions do not move yet)
  oursTasks.forEach((ot, i) => {
    if (oursById.get(ot.id) !== ot) return; // a duplicate id: the index is invalid anyway
    const tt = theirsTasks.get(ot.id);
    if (!tt) return;
    const bt = baseTasks.get(ot.id) ?? ({} as Obj);
    for (const key of unionKeys(bt, ot, tt)) {
      if (key === 'id') continue;
      if (key === 'status') {
        if (pickStatus(own(bt, 'status'), own(ot, 'status'), own(tt, 'status')) === 'theirs')
          editor.setStatus(i, own(ot, 'status') as Obj | undefined, own(tt, 'status') as Obj | undefined);
        continue;
      }
      const choice = mergeValue(own(bt, key), own(ot, key), own(tt, key));
      if (choice === 'theirs') editor.set(['tasks', i, key], own(tt, key));
      else if (choice === 'conflict') {
        const id = ot.id;
        pending.push({
          conflict: {
            kind: 'field',
            taskId: id,
            field: key,
            message: `task "${id}": "${key}" changed differently on both sides`,
          },
          edits: [{ path: (data) => taskPath(data, id, key), value: own(tt, key) }],
        });
      }
    }
  });

  // tasks one side deleted: deleted when the other side left them unchanged, else a conflict
  const deletions: number[] = [];
  oursTasks.forEach((ot, i) => {
    const bt = baseTasks.get(ot.id);
    if (!bt || theirsTasks.has(ot.id) || oursById.get(ot.id) !== ot) return;
    if (equal(bt, ot)) deletions.push(i);
    else {
      const id = ot.id;
      pending.push({
        conflict: {
          kind: 'delete',
          taskId: id,
          message: `task "${id}" was deleted on their side and changed on ours`,
        },
        edits: [{ path: (data) => taskPath(data, id), value: undefined }],
      });
    }
  });
  for (const i of deletions.reverse()) editor.set(['tasks', i], undefined);

  // tasks only theirs added are appended in their order
  const added: Task[] = [];
  const deletedByUs: Task[] = [];
  for (const tt of theirsTasks.values()) {
    if (oursById.has(tt.id)) continue;
    const bt = baseTasks.get(tt.id);
    if (!bt) added.push(tt);
    else if (!equal(bt, tt)) deletedByUs.push(tt);
  }
  editor.append(added);
  for (const tt of deletedByUs) {
    pending.push({
      conflict: {
        kind: 'delete',
        taskId: tt.id,
        message: `task "${tt.id}" was deleted on our side and changed on theirs`,
      },
      edits: [{ path: () => ['tasks', -1], value: tt, insert: true }],
    });
  }

  if (pending.length === 0) return { text: restore(editor.text), conflicts: [] };
  return {
    text: restore(markConflicts(editor.text, pending, formatting, eol)),
    conflicts: pending.map((p) => p.conflict),
  };
}

/** Applies edits one at a time with jsonc-parser, so each keeps the file's layout. */
class Editor {
  constructor(
    public text: string,
    private readonly formatting: FormattingOptions,
  ) {}

  set(path: JsonPath, value: Json, insert = false): void {
    this.text = applyEdit(this.text, path, value, this.formatting, insert);
  }

  /** Replaces a status block field by field, so a phase change stays a one-line diff. */
  setStatus(i: number, current: Obj | undefined, next: Obj | undefined): void {
    if (!current || !next) {
      this.set(['tasks', i, 'status'], next);
      return;
    }
    for (const key of Object.keys(current)) {
      if (!Object.hasOwn(next, key)) this.set(['tasks', i, 'status', key], undefined);
    }
    for (const [key, value] of Object.entries(next)) {
      if (!equal(own(current, key), value)) this.set(['tasks', i, 'status', key], value);
    }
  }

  append(tasks: Task[]): void {
    for (const task of tasks) this.set(['tasks', -1], task, true);
  }
}

function applyEdit(
  text: string,
  path: JsonPath,
  value: Json,
  formatting: FormattingOptions,
  insert = false,
): string {
  const edits = modify(text, path, value, {
    formattingOptions: formatting,
    isArrayInsertion: insert,
    // a field new to a task goes before its status block, which stays last
    getInsertionIndex: (properties) => {
      const at = path.length === 3 ? properties.indexOf('status') : -1;
      return at === -1 ? properties.length : at;
    },
  });
  return applyEdits(text, edits);
}

interface PendingEdit {
  /** Where to apply the edit, found in the (valid JSON) text it is applied to. */
  path: (data: Obj) => JsonPath;
  value: Json;
  insert?: boolean;
}

interface PendingConflict {
  conflict: Conflict;
  /** The edits that turn our side of the conflict into theirs. */
  edits: PendingEdit[];
}

interface Region {
  start: number;
  end: number;
  theirs: string;
  items: PendingConflict[];
}

/**
 * Wraps each conflict in markers. For each, "their" text is our merged text with their values
 * applied; the lines where the two differ (and at least the whole field) become one
 * `<<<<<<< ours` / `=======` / `>>>>>>> theirs` block. Overlapping blocks are combined.
 */
function markConflicts(
  text: string,
  pending: PendingConflict[],
  formatting: FormattingOptions,
  eol: string,
): string {
  const tree = parseTree(text, [], { disallowComments: true });
  let regions = pending.map((p) => regionOf(text, tree, [p], formatting));
  for (;;) {
    regions.sort((x, y) => x.start - y.start);
    const k = regions.findIndex((r, i) => i > 0 && r.start < regions[i - 1].end);
    if (k === -1) break;
    const merged = regionOf(text, tree, [...regions[k - 1].items, ...regions[k].items], formatting);
    regions = [...regions.slice(0, k - 1), merged, ...regions.slice(k + 1)];
  }
  let out = text;
  for (const r of [...regions].reverse()) {
    const ourLines = out.slice(r.start, r.end);
    const block = [
      OURS_MARKER + eol,
      ourLines === '' ? '' : withEol(ourLines, eol),
      SEPARATOR + eol,
      r.theirs === '' ? '' : withEol(r.theirs, eol),
      THEIRS_MARKER + eol,
    ].join('');
    out = out.slice(0, r.start) + block + out.slice(r.end);
  }
  return out;
}

function regionOf(
  text: string,
  tree: Node | undefined,
  items: PendingConflict[],
  formatting: FormattingOptions,
): Region {
  let theirs = text;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const data = JSON.parse(text) as Obj;
  for (const item of items) {
    for (const e of item.edits) {
      // the field as it is in our text, so the block shows all of it
      const path = e.path(data);
      const node = tree && !e.insert ? findNodeAtLocation(tree, path) : undefined;
      const whole = node?.parent?.type === 'property' ? node.parent : node;
      if (whole) {
        start = Math.min(start, whole.offset);
        end = Math.max(end, whole.offset + whole.length);
      }
      theirs = applyEdit(theirs, e.path(JSON.parse(theirs) as Obj), e.value, formatting, e.insert);
    }
  }
  // where the two texts differ
  let prefix = 0;
  const limit = Math.min(text.length, theirs.length);
  while (prefix < limit && text.charCodeAt(prefix) === theirs.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < limit - prefix &&
    text.charCodeAt(text.length - 1 - suffix) === theirs.charCodeAt(theirs.length - 1 - suffix)
  )
    suffix++;
  start = Math.min(start, prefix);
  end = Math.max(end, text.length - suffix);
  // whole lines
  start = text.lastIndexOf('\n', start - 1) + 1;
  if (end > start && text[end - 1] !== '\n') {
    const nl = text.indexOf('\n', end);
    end = nl === -1 ? text.length : nl + 1;
  }
  end = Math.max(end, start);
  const delta = theirs.length - text.length;
  return { start, end, theirs: theirs.slice(start, end + delta), items };
}

/** Which side's value a field takes: 'ours' (keep), 'theirs' (take), or 'conflict'. */
function mergeValue(base: Json, ours: Json, theirs: Json): 'ours' | 'theirs' | 'conflict' {
  if (equal(ours, theirs) || equal(base, theirs)) return 'ours';
  if (equal(base, ours)) return 'theirs';
  return 'conflict';
}

/**
 * The status block belongs to the orchestrator: when both sides changed it, the newer run wins
 * (later `updatedAt`, else the later `lastRun.id`, else ours). A missing value sorts first.
 */
function pickStatus(base: Json, ours: Json, theirs: Json): 'ours' | 'theirs' {
  const choice = mergeValue(base, ours, theirs);
  if (choice !== 'conflict') return choice;
  const o = (ours ?? {}) as { updatedAt?: unknown; lastRun?: { id?: unknown } };
  const t = (theirs ?? {}) as { updatedAt?: unknown; lastRun?: { id?: unknown } };
  const byTime = compareTimes(o.updatedAt, t.updatedAt);
  if (byTime !== 0) return byTime < 0 ? 'theirs' : 'ours';
  const oRun = typeof o.lastRun?.id === 'string' ? o.lastRun.id : '';
  const tRun = typeof t.lastRun?.id === 'string' ? t.lastRun.id : '';
  return tRun > oRun ? 'theirs' : 'ours';
}

function compareTimes(a: unknown, b: unknown): number {
  const ta = typeof a === 'string' ? Date.parse(a) : Number.NaN;
  const tb = typeof b === 'string' ? Date.parse(b) : Number.NaN;
  if (Number.isNaN(ta) && Number.isNaN(tb)) return 0;
  if (Number.isNaN(ta)) return -1;
  if (Number.isNaN(tb)) return 1;
  return Math.sign(ta - tb);
}

function taskPath(data: Obj, id: string, field?: string): JsonPath {
  const i = (data.tasks as Task[]).findIndex((task) => task.id === id);
  return field === undefined ? ['tasks', i] : ['tasks', i, field];
}

function parseIndex(text: string): (Obj & { tasks: Task[] }) | undefined {
  // the edits below use jsonc-parser, which recurses: a too deeply nested side is not an index
  if (jsonNestingOverflow(text) !== undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !Array.isArray(value.tasks)) return undefined;
  if (!value.tasks.every((t) => isObject(t) && typeof t.id === 'string')) return undefined;
  return value as Obj & { tasks: Task[] };
}

function byId(tasks: Task[]): Map<string, Task> {
  const map = new Map<string, Task>();
  for (const task of tasks) if (!map.has(task.id)) map.set(task.id, task);
  return map;
}

function unionKeys(...objects: Obj[]): string[] {
  const keys = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o)) keys.add(k);
  return [...keys];
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values; key order does not matter. */
function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function eolOf(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function withEol(text: string, eol: string): string {
  return text.endsWith('\n') ? text : text + eol;
}
