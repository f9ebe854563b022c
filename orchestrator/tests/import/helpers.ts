import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import type { ImportDiagnostic, ImportResult } from '../../src/import/index.js';
import type { Task } from '../../src/repo/task-types.js';

const root = new URL('../../../', import.meta.url);

export function fixture(path: string): string {
  return readFileSync(new URL(`orchestrator/tests/fixtures/import/${path}`, root), 'utf8');
}

const schema = JSON.parse(readFileSync(new URL('schemas/task-index.schema.json', root), 'utf8'));
const validateIndex = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);

/** Asserts the tasks would make a valid task index on their own: schema, unique ids, internal edges. */
export function expectValidIndex(tasks: Task[]): void {
  const ok = validateIndex({ version: 1, tasks });
  expect(validateIndex.errors ?? [], JSON.stringify(validateIndex.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
  const ids = tasks.map((t) => t.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const t of tasks) for (const dep of t.dependsOn ?? []) expect(ids).toContain(dep);
}

export function byId(result: ImportResult, id: string): Task {
  const task = result.tasks.find((t) => t.id === id);
  if (!task) throw new Error(`no task ${id}; have ${result.tasks.map((t) => t.id).join(', ')}`);
  return task;
}

/** Diagnostics reduced to what a reader checks: severity, code, position. */
export function where(diagnostics: ImportDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.line ?? '-'}:${d.column ?? '-'}`);
}

export function phase(task: Task): string {
  return task.status?.phase ?? 'pending';
}
