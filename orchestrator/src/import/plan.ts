/**
 * What `cxo import` does, computed once for the dry run and for `--write` alike: convert, resolve
 * the documents the tasks name, append to the index and check the result as the loader will. The
 * write only applies a plan without errors, so a dry run reports everything a write would refuse.
 */
import { type Diagnostic, hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { parseTaskIndex, type TaskIndex } from '../repo/task-index.js';
import { appendTasks } from '../repo/task-index-edit.js';
import type { Task } from '../repo/task-types.js';
import {
  type DocumentAccess,
  type DocumentTargets,
  type PlannedDocument,
  resolveDocuments,
} from './documents.js';
import { convertImport } from './index.js';
import type { ImportFormat } from './types.js';

export interface ImportPlan {
  tasks: Task[];
  diagnostics: Diagnostic[];
  /** The checked new index text; undefined when an error means nothing may be written. */
  indexText?: string;
  /** Documents to create before the index names them; empty when there is an error. */
  documents: PlannedDocument[];
}

export function planImport(input: {
  format: ImportFormat;
  /** The imported file as diagnostics (and checklist references) name it. */
  file: string;
  text: string;
  index: TaskIndex;
  documents: DocumentAccess;
  targets: DocumentTargets;
}): ImportPlan {
  const { index } = input;
  const converted = convertImport(input.format, input.file, input.text, new Set(index.byId.keys()));
  const diagnostics: Diagnostic[] = [...converted.diagnostics];
  if (hasErrors(diagnostics)) return { tasks: converted.tasks, diagnostics, documents: [] };
  const resolved = resolveDocuments(
    input.file,
    converted.tasks,
    converted.references,
    input.documents,
    input.targets,
  );
  diagnostics.push(...resolved.diagnostics);
  const indexText = appendTasks(index, resolved.tasks);
  // the loader's own check of the text to be written; the converters should have caught all of it
  const checked = parseTaskIndex({ ...index.doc.source, text: indexText }, 'full');
  const refused = checked.diagnostics.filter((d) => d.severity === 'error');
  for (const d of refused) {
    diagnostics.push({ ...d, message: `the imported index would be refused: ${d.message}` });
  }
  const ok = checked.index !== undefined && refused.length === 0;
  return {
    tasks: resolved.tasks,
    diagnostics: sortDiagnostics(diagnostics),
    indexText: ok ? indexText : undefined,
    documents: ok ? resolved.documents : [],
  };
}
