import { validateRunManifest } from '../generated/validators.js';
import type { ManifestCheck } from '../guard/rules/index-consistency.js';
import { parseJson } from './json-document.js';
import { readRepoText } from './repo-files.js';
import { repoPathProblem } from './repo-paths.js';
import { validateWithSchema } from './schema-validation.js';

/** Reads a run manifest named by a task's status and says whether it exists, validates, and whose it is. */
export function checkManifest(root: string, path: string): ManifestCheck {
  if (repoPathProblem(path)) return { exists: false, problems: [] };
  const read = readRepoText(root, path);
  if (read.missing) return { exists: false, problems: [] };
  if (!read.source) return { exists: true, problems: read.diagnostics };
  const parsed = parseJson(read.source, { mode: 'full' });
  if (!parsed.doc) return { exists: true, problems: parsed.diagnostics };
  const doc = parsed.doc;
  const problems = validateWithSchema(validateRunManifest, doc.value, (p, ...rest) =>
    doc.diagnosticAt(p, ...rest),
  ).filter((d) => d.severity === 'error');
  const value = doc.value as { run?: { id?: string }; task?: { id?: string } };
  return { exists: true, problems, runId: value.run?.id, taskId: value.task?.id };
}
