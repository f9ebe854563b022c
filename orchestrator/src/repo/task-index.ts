import { validateTaskIndex } from '../generated/index-validators.js';
import { findCycles } from '../plan/graph.js';
import { controlCharacterWarning } from './control-characters.js';
import type { Diagnostic } from './diagnostics.js';
import { JsonDocument, type JsonPath, parseJson } from './json-document.js';
import { ParseCache } from './parse-cache.js';
import { refNameProblem } from './ref-name.js';
import { repoPathProblem } from './repo-paths.js';
import { validateWithSchema } from './schema-validation.js';
import type { SourceText } from './source-text.js';
import type { Task, TaskIndexData } from './task-types.js';

/** The parsed task index: tasks in file order, a lookup by id, and positions for every field. */
export class TaskIndex {
  readonly byId: Map<string, Task>;
  private readonly positionById = new Map<string, number>();
  constructor(
    readonly doc: JsonDocument,
    readonly data: TaskIndexData,
  ) {
    this.byId = new Map();
    data.tasks.forEach((task, i) => {
      if (!this.byId.has(task.id)) {
        this.byId.set(task.id, task);
        this.positionById.set(task.id, i);
      }
    });
  }

  get tasks(): Task[] {
    return this.data.tasks;
  }

  get file(): string {
    return this.doc.source.file;
  }

  /** Array position of a task in the file. */
  positionOf(id: string): number | undefined {
    return this.positionById.get(id);
  }

  /** A diagnostic at a field of a task (`field` may be a nested path). */
  at(
    id: string,
    field: JsonPath,
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    hint?: string,
  ) {
    const i = this.positionById.get(id) ?? 0;
    return this.doc.diagnosticAt(['tasks', i, ...field], severity, code, message, hint);
  }
}

/**
 * Parses and checks the task index on its own: JSON syntax, schema, duplicate ids, dangling
 * dependencies, cycles and path hygiene. Checks that need other files live in the repo loader.
 */
export function parseTaskIndex(
  source: SourceText,
  mode: 'full' | 'fast' = 'full',
  cache?: ParseCache<Diagnostic[]>,
): { index?: TaskIndex; diagnostics: Diagnostic[] } {
  const key = cache?.enabled ? ParseCache.key(source.file, source.text, mode) : '';
  // a full check answers for a fast one too, never the other way round
  const known =
    cache?.get(key) ??
    (mode === 'fast' && cache?.enabled
      ? cache.get(ParseCache.key(source.file, source.text, 'full'))
      : undefined);
  if (known) {
    // these exact bytes were checked before and had no errors: skip schema and graph checks
    const doc = new JsonDocument(source, JSON.parse(source.text));
    return { index: new TaskIndex(doc, doc.value as TaskIndexData), diagnostics: known };
  }
  const result = checkTaskIndex(source, mode);
  if (cache && result.index && !result.diagnostics.some((d) => d.severity === 'error'))
    cache.set(key, result.diagnostics);
  return result;
}

function checkTaskIndex(
  source: SourceText,
  mode: 'full' | 'fast',
): { index?: TaskIndex; diagnostics: Diagnostic[] } {
  const parsed = parseJson(source, { mode });
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  if (source.bom) {
    diagnostics.push({
      severity: 'warning',
      code: 'bom',
      message: 'file starts with a byte order mark; it is accepted and kept on write',
      file: source.file,
      line: 1,
      column: 1,
    });
  }
  const schemaDiagnostics = validateWithSchema(validateTaskIndex, doc.value, (path, ...rest) =>
    doc.diagnosticAt(path, ...rest),
  );
  diagnostics.push(...schemaDiagnostics);
  if (schemaDiagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const index = new TaskIndex(doc, doc.value as TaskIndexData);
  diagnostics.push(...checkIndex(index));
  return { index, diagnostics };
}

function checkIndex(index: TaskIndex): Diagnostic[] {
  const found: Diagnostic[] = [];
  const { doc, tasks } = index;
  const firstAt = new Map<string, number>();
  tasks.forEach((task, i) => {
    const refProblem = refNameProblem(task.id);
    if (refProblem)
      found.push(
        doc.diagnosticAt(
          ['tasks', i, 'id'],
          'error',
          'invalid-id',
          `task id ${JSON.stringify(task.id)} ${refProblem}; run branches are named codex/<task id>/<run>`,
          'rename the task (and the dependsOn entries that name it)',
        ),
      );
    const first = firstAt.get(task.id);
    if (first !== undefined) {
      found.push(
        doc.diagnosticAt(
          ['tasks', i, 'id'],
          'error',
          'duplicate-id',
          `duplicate task id "${task.id}" (also task #${first + 1}, line ${doc.index.position(doc.offsetOf(['tasks', first, 'id'])).line})`,
          'task ids must be unique; `cxo tasks add` generates ids that cannot collide',
        ),
      );
    } else firstAt.set(task.id, i);
    (task.dependsOn ?? []).forEach((dep, k) => {
      if (!index.byId.has(dep)) {
        found.push(
          doc.diagnosticAt(
            ['tasks', i, 'dependsOn', k],
            'error',
            'dangling-reference',
            `task "${task.id}" depends on "${dep}", which is not in the index`,
            closest(dep, index.byId.keys()),
          ),
        );
      } else if (dep === task.id) {
        found.push(
          doc.diagnosticAt(
            ['tasks', i, 'dependsOn', k],
            'error',
            'cycle',
            `task "${task.id}" depends on itself`,
          ),
        );
      }
    });
    for (const field of ['spec', 'prd', 'checklist'] as const) {
      const value = task[field];
      if (value === undefined) continue;
      const path = field === 'checklist' ? value.split('#')[0] : value;
      const problem = repoPathProblem(path);
      if (problem)
        found.push(
          doc.diagnosticAt(
            ['tasks', i, field],
            'error',
            'path-escape',
            `${field} ${JSON.stringify(value)}: ${problem}`,
          ),
        );
    }
    for (const [field, block] of [
      ['title', false],
      ['description', true],
    ] as const) {
      const text = task[field];
      if (text === undefined) continue;
      found.push(
        ...controlCharacterWarning(
          `task "${task.id}": ${field}`,
          text,
          (message, hint) =>
            doc.diagnosticAt(['tasks', i, field], 'warning', 'control-characters', message, hint),
          { block },
        ),
      );
    }
    (task.paths ?? []).forEach((glob, k) => {
      const problem = repoPathProblem(glob);
      if (problem)
        found.push(
          doc.diagnosticAt(
            ['tasks', i, 'paths', k],
            'error',
            'path-escape',
            `paths entry ${JSON.stringify(glob)}: ${problem}`,
          ),
        );
    });
  });
  for (const cycle of findCycles(tasks.filter((t) => t.dependsOn?.length))) {
    if (cycle.length <= 2) continue; // a self-dependency is reported above
    const first = cycle[0];
    const k = index.byId.get(first)?.dependsOn?.indexOf(cycle[1]) ?? 0;
    found.push(
      index.at(
        first,
        ['dependsOn', k],
        'error',
        'cycle',
        `dependency cycle: ${cycle.join(' -> ')}`,
        'remove one of these dependsOn entries',
      ),
    );
  }
  return found;
}

/** "did you mean" for a mistyped id. */
function closest(id: string, candidates: Iterable<string>): string | undefined {
  if (id.length < 3) return undefined;
  let best: string | undefined;
  let bestDistance = Math.floor(id.length / 3) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - id.length) >= bestDistance) continue;
    const d = editDistance(id, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best ? `did you mean "${best}"?` : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
