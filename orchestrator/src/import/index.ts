/**
 * `cxo import --from <format> FILE`: pure converters from other tools' task files to our tasks.
 * Text in, tasks and diagnostics out; reading the file and merging into the index is the caller's job.
 */
import { convertChecklist } from './checklist.js';
import { convertCoIndex } from './co-index.js';
import { convertDevOnboarder } from './devonboarder.js';
import { convertTaskmaster } from './taskmaster.js';
import { IMPORT_FORMATS, type ImportFormat, type ImportResult } from './types.js';

export { checklistSlug } from './checklist.js';
export { IMPORT_FORMATS, type ImportDiagnostic, type ImportFormat, type ImportResult } from './types.js';

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Converts `text`, the content of `file` (repository-relative, used in diagnostics and checklist
 * references), into tasks whose ids avoid `existingIds`. Never throws for bad input: problems come
 * back as diagnostics, and any `error` means the result must not be written.
 */
export function convertImport(
  format: ImportFormat,
  file: string,
  text: string,
  existingIds: ReadonlySet<string> = new Set(),
): ImportResult {
  switch (format) {
    case 'devonboarder':
      return convertDevOnboarder(file, text, existingIds);
    case 'co-index':
      return convertCoIndex(file, text, existingIds);
    case 'taskmaster':
      return convertTaskmaster(file, text, existingIds);
    case 'checklist':
      return convertChecklist(file, text, existingIds);
    default:
      return {
        tasks: [],
        diagnostics: [
          {
            severity: 'error',
            code: 'unknown-format',
            message: `unknown import format ${JSON.stringify(format)}; expected one of ${IMPORT_FORMATS.join(', ')}`,
            file,
          },
        ],
        references: [],
      };
  }
}
