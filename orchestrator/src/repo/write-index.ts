import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { hasErrors } from './diagnostics.js';
import { encodeSource } from './source-text.js';
import { parseTaskIndex, type TaskIndex } from './task-index.js';

/**
 * Writes new task index text atomically after checking it still parses and validates, keeping
 * the BOM the file had. A failure here is a bug in an editor, so it throws before writing.
 */
export function writeTaskIndex(root: string, index: TaskIndex, text: string): TaskIndex {
  const source = { ...index.doc.source, text };
  const reparsed = parseTaskIndex(source, 'full');
  if (!reparsed.index || hasErrors(reparsed.diagnostics)) {
    const first = reparsed.diagnostics.find((d) => d.severity === 'error');
    throw new Error(`refusing to write an invalid ${index.file}: ${first?.message ?? 'unknown error'}`);
  }
  writeFileAtomic(join(root, index.file), encodeSource(source, text));
  return reparsed.index;
}
