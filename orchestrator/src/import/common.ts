/** Helpers shared by the import converters: positions, JSON trees, ids, labels and statuses. */
import { createHash } from 'node:crypto';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { findCycles } from '../plan/graph.js';
import { parseJson } from '../repo/json-document.js';
import { LineIndex } from '../repo/source-text.js';
import { type Phase, PRIORITIES, type Priority, type Task, type TaskStatus } from '../repo/task-types.js';
import type { DocumentReference, ImportDiagnostic, ImportResult } from './types.js';

export const MAX_ID_LENGTH = 80;

/** Collects diagnostics for one input file and turns offsets into 1-based line/column. */
export class Reporter {
  readonly diagnostics: ImportDiagnostic[] = [];
  private readonly lines: LineIndex;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  report(
    severity: ImportDiagnostic['severity'],
    code: string,
    message: string,
    offset?: number,
    hint?: string,
  ): void {
    const d: ImportDiagnostic = { severity, code, message, file: this.file, ...this.position(offset) };
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }

  /** 1-based line and column of an offset, with the line's text; undefined without an offset. */
  position(offset: number | undefined): DocumentReference['at'] {
    if (offset === undefined) return undefined;
    const { line, column } = this.lines.position(Math.max(0, Math.min(offset, this.text.length)));
    return { line, column, sourceLine: this.lines.lineText(line) };
  }

  error(code: string, message: string, offset?: number, hint?: string): void {
    this.report('error', code, message, offset, hint);
  }

  warn(code: string, message: string, offset?: number, hint?: string): void {
    this.report('warning', code, message, offset, hint);
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/**
 * Checks what the task index would refuse (dependency cycles, at the source's dependency entry),
 * sorts diagnostics by position (stable) and adds a warning when nothing was imported.
 */
export function finish(r: Reporter, drafts: TaskDraft[]): ImportResult {
  reportCycles(r, drafts);
  if (drafts.length === 0 && !r.hasErrors()) {
    r.warn('no-tasks', 'the file contains no tasks to import');
  }
  const diagnostics = r.diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.line ?? 0) - (b.d.line ?? 0) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i)
    .map(({ d }) => d);
  const references: DocumentReference[] = [];
  for (const d of drafts) {
    for (const field of ['spec', 'prd'] as const) {
      const path = d[field];
      if (path) references.push({ task: d.id, field, path, at: r.position(d.at[field]) });
    }
  }
  return { tasks: drafts.map(toTask), diagnostics, references };
}

/** A cycle among imported tasks is an error at the dependency entry that closes it in the source. */
function reportCycles(r: Reporter, drafts: TaskDraft[]): void {
  const byId = new Map(drafts.map((d) => [d.id, d]));
  for (const cycle of findCycles(drafts.filter((d) => d.dependsOn.length > 0))) {
    const from = byId.get(cycle[0])!;
    r.error(
      'cycle',
      `dependency cycle: ${cycle.join(' -> ')}`,
      from.dependsOnAt[from.dependsOn.indexOf(cycle[1])],
      'remove one of these dependencies in the source file; a task index with a cycle is refused',
    );
  }
}

/** Removes a leading byte-order mark so offsets match what editors show. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------- JSON

/**
 * Parses strict JSON into a position-aware tree with the same syntax diagnostics as the task index
 * (trailing commas, truncation, duplicate keys); returns undefined on any.
 */
export function parseJsonTree(r: Reporter): Node | undefined {
  let parsed: ReturnType<typeof parseJson>;
  try {
    parsed = parseJson({ file: r.file, text: r.text, bom: false, eol: '\n' }, { mode: 'full' });
  } catch {
    // The parser recurses per nesting level; thousands of open brackets exhaust the stack.
    r.error(
      'json-syntax',
      'invalid JSON: nested too deeply to read',
      0,
      'task files nest a few levels at most',
    );
    return undefined;
  }
  r.diagnostics.push(...parsed.diagnostics);
  return parsed.doc?.root();
}

/** The value node of `key` in an object node. */
export function prop(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  return findNodeAtLocation(node, [key]);
}

/** The element nodes of an array node. */
export function elements(node: Node | undefined): Node[] {
  return node?.type === 'array' ? (node.children ?? []) : [];
}

/** The string value of a string node. */
export function stringOf(node: Node | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/** A non-empty, trimmed string value; numbers are accepted too because some tools write them. */
export function textOf(node: Node | undefined): string | undefined {
  if (node?.type === 'number') return String(node.value);
  const s = stringOf(node)?.trim();
  return s ? s : undefined;
}

/** Human name of a node's JSON type for messages. */
export function typeName(node: Node): string {
  return node.type === 'property' ? 'property' : node.type;
}

/** Reads the single-line title of an entry, reporting `missing-title` when absent or unusable. */
export function readTitle(r: Reporter, entry: Node, what: string): string | undefined {
  const node = prop(entry, 'title');
  const title = stringOf(node)?.replace(/\s+/g, ' ').trim();
  if (title) return title;
  if (!node) r.error('missing-title', `${what} has no "title"`, entry.offset, 'every task needs a title');
  else if (node.type !== 'string')
    r.error('missing-title', `${what} has a ${typeName(node)} "title", expected text`, node.offset);
  else r.error('missing-title', `${what} has an empty "title"`, node.offset, 'every task needs a title');
  return undefined;
}

/** Reads an optional string field; a wrong type is reported and ignored. */
export function readOptionalText(r: Reporter, entry: Node, key: string, what: string): string | undefined {
  const node = prop(entry, key);
  if (!node || node.type === 'null') return undefined;
  if (node.type !== 'string') {
    r.warn('ignored-field', `${what}: "${key}" is a ${typeName(node)}, expected text; ignored`, node.offset);
    return undefined;
  }
  const s = String(node.value).trim();
  return s ? s : undefined;
}

// ---------------------------------------------------------------- ids

/** Replaces characters an id may not contain with '-', and drops a leading non-alphanumeric run. */
export function sanitizeIdPart(raw: string): string {
  return trimEnd(
    raw
      .trim()
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, ''),
    '-',
  );
}

/** Drops trailing characters from `chars`; a loop, because /[...]+$/ is quadratic on long runs. */
export function trimEnd(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end--;
  return text.slice(0, end);
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Builds `prefix + raw` as a valid id. Over-long ids keep their start and gain a hash of the full
 * candidate, so two long ids that share a prefix stay distinct and re-imports give the same id.
 */
export function buildId(
  prefix: string,
  raw: string,
): { id: string; sanitized: boolean; shortened: boolean } | undefined {
  const part = sanitizeIdPart(raw);
  if (!part) return undefined;
  const candidate = sanitizeIdPart(prefix + part);
  const sanitized = candidate !== prefix + raw.trim();
  if (candidate.length <= MAX_ID_LENGTH) return { id: candidate, sanitized, shortened: false };
  const hash = shortHash(candidate);
  const head = trimEnd(candidate.slice(0, MAX_ID_LENGTH - hash.length - 1), '-.');
  return { id: `${head}-${hash}`, sanitized, shortened: true };
}

/** buildId plus diagnostics: an error when nothing usable is left, warnings when it had to change. */
export function convertId(
  r: Reporter,
  prefix: string,
  raw: string,
  offset: number | undefined,
  what: string,
): string | undefined {
  const built = buildId(prefix, raw);
  if (!built) {
    r.error(
      'invalid-id',
      `${what}: id ${JSON.stringify(raw)} cannot be converted (it has no letters or digits)`,
      offset,
      'give the task an id made of letters, digits, ".", "_" or "-"',
    );
    return undefined;
  }
  if (built.shortened) {
    r.warn(
      'id-shortened',
      `${what}: id ${JSON.stringify(raw)} is longer than ${MAX_ID_LENGTH} characters; imported as "${built.id}"`,
      offset,
    );
  } else if (built.sanitized) {
    r.warn(
      'id-sanitized',
      `${what}: id ${JSON.stringify(raw)} has characters ids may not contain; imported as "${built.id}"`,
      offset,
    );
  }
  return built.id;
}

/** Hands out unique ids; a clash with an existing or earlier id gets the first free `-N` suffix. */
export class IdAllocator {
  private readonly taken = new Set<string>();

  constructor(private readonly existing: ReadonlySet<string>) {}

  claim(r: Reporter, wanted: string, offset: number | undefined): string {
    if (!this.existing.has(wanted) && !this.taken.has(wanted)) {
      this.taken.add(wanted);
      return wanted;
    }
    const owner = this.existing.has(wanted) ? 'an existing task' : 'another imported task';
    for (let n = 2; ; n++) {
      const suffix = `-${n}`;
      const id = trimEnd(wanted.slice(0, MAX_ID_LENGTH - suffix.length), '-.') + suffix;
      if (this.existing.has(id) || this.taken.has(id)) continue;
      this.taken.add(id);
      r.warn(
        'id-clash',
        `id "${wanted}" is already used by ${owner}; imported as "${id}"`,
        offset,
        'dependencies inside the imported file follow the renamed task',
      );
      return id;
    }
  }
}

// ---------------------------------------------------------------- fields

/** Lower-cases a source status and unifies '_' and spaces to '-'. */
export function normalizeStatus(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** Reads an optional `priority` into ours; an unknown one is reported and ignored. */
export function readPriority(r: Reporter, entry: Node, what: string): Priority | undefined {
  const node = prop(entry, 'priority');
  const raw = textOf(node);
  if (!raw) return undefined;
  const priority = toPriority(raw);
  if (!priority)
    r.warn('unknown-priority', `${what}: unknown priority ${JSON.stringify(raw)}; ignored`, node?.offset);
  return priority;
}

export function toPriority(raw: string): Priority | undefined {
  const p = raw.trim().toLowerCase();
  return (PRIORITIES as readonly string[]).includes(p) ? (p as Priority) : undefined;
}

/** The status block import writes: it says where the phase came from and never claims a run. */
export function importedStatus(phase: Phase, message: string): TaskStatus {
  return { phase, reason: 'Imported', message };
}

/** A repository-relative path with forward slashes, or undefined when absolute or escaping the repo. */
export function toRepoPath(raw: string): string | undefined {
  const p = raw
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
  if (!p || p.startsWith('/') || /^[A-Za-z]:\//.test(p)) return undefined;
  if (p.split('/').some((seg) => seg === '..')) return undefined;
  return p;
}

/** Joins non-empty description sections with a blank line. */
export function joinSections(parts: (string | undefined)[]): string | undefined {
  const kept = parts.map((p) => p?.trim()).filter((p): p is string => !!p);
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

/** Collapses whitespace so a label value stays on one line. */
export function labelValue(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

/** The mutable shape converters fill in; `toTask` orders keys and drops empty fields. */
export interface TaskDraft {
  id: string;
  title: string;
  description?: string;
  spec?: string;
  prd?: string;
  checklist?: string;
  dependsOn: string[];
  /** Source offset of each `dependsOn` entry, for diagnostics about the edge. */
  dependsOnAt: (number | undefined)[];
  /** Source offsets of fields that name documents. */
  at: { spec?: number; prd?: number };
  priority?: Priority;
  labels: string[];
  owner?: string;
  paths: string[];
  status?: TaskStatus;
}

export function draft(id: string, title: string): TaskDraft {
  return { id, title, dependsOn: [], dependsOnAt: [], at: {}, labels: [], paths: [] };
}

/** Adds a dependency once, remembering where the source states it. */
export function addDependency(d: TaskDraft, id: string, offset: number | undefined): void {
  if (d.dependsOn.includes(id)) return;
  d.dependsOn.push(id);
  d.dependsOnAt.push(offset);
}

export function addUnique(list: string[], value: string | undefined): void {
  if (value && !list.includes(value)) list.push(value);
}

export function toTask(d: TaskDraft): Task {
  const t: Task = { id: d.id, title: d.title };
  if (d.description) t.description = d.description;
  if (d.spec) t.spec = d.spec;
  if (d.prd) t.prd = d.prd;
  if (d.checklist) t.checklist = d.checklist;
  if (d.dependsOn.length > 0) t.dependsOn = [...d.dependsOn];
  if (d.priority) t.priority = d.priority;
  if (d.labels.length > 0) t.labels = [...d.labels];
  if (d.owner) t.owner = d.owner;
  if (d.paths.length > 0) t.paths = [...d.paths];
  if (d.status) t.status = d.status;
  return t;
}
