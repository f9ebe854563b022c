import type { Diagnostic } from '../repo/diagnostics.js';
import type { Task } from '../repo/task-types.js';

/** The foreign task-file formats `cxo import --from` understands. */
export const IMPORT_FORMATS = ['devonboarder', 'co-index', 'taskmaster', 'checklist'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Import findings use the same shape as every other diagnostic. */
export type ImportDiagnostic = Diagnostic;

/**
 * Converted tasks plus findings. Tasks that could not be converted are left out and reported as
 * errors; callers should refuse to write anything when an error is present.
 */
export interface ImportResult {
  tasks: Task[];
  diagnostics: ImportDiagnostic[];
  /** Every `spec`/`prd` the tasks name, with where the source file names it. */
  references: DocumentReference[];
}

/** A document a converted task names, as a path in the source repository. */
export interface DocumentReference {
  task: string;
  field: 'spec' | 'prd';
  path: string;
  at?: { line: number; column: number; sourceLine: string };
}
