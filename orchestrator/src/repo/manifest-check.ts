import { validateRunManifest } from '../generated/validators.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestCheck } from '../guard/rules/index-consistency.js';
import { parseJson } from './json-document.js';
import type { ParseCache } from './parse-cache.js';
import { readRepoText } from './repo-files.js';
import { decodeSource } from './source-text.js';
import { repoPathProblem } from './repo-paths.js';
import { validateWithSchema } from './schema-validation.js';

/** Reads a run manifest named by a task's status and says whether it exists, validates, and whose it is. */
export function checkManifest(root: string, path: string): ManifestCheck {
  if (repoPathProblem(path)) return { exists: false, problems: [] };
  const read = readRepoText(root, path);
  if (read.missing) return { exists: false, problems: [] };
  return checkManifestRead(read);
}

/** As `checkManifest`, for a manifest's bytes read from elsewhere (the state ref, in ref mode). */
export function checkManifestBytes(path: string, bytes: Buffer): ManifestCheck {
  return checkManifestRead(decodeSource(path, bytes));
}

function checkManifestRead(read: ReturnType<typeof decodeSource>): ManifestCheck {
  if (!read.source) return { exists: true, problems: read.diagnostics };
  // manifests are machine-written: no duplicate-key scan (`cxo verify` checks them byte for byte)
  const parsed = parseJson(read.source, { mode: 'fast' });
  if (!parsed.doc) return { exists: true, problems: parsed.diagnostics };
  const doc = parsed.doc;
  const problems = validateWithSchema(validateRunManifest, doc.value, (p, ...rest) =>
    doc.diagnosticAt(p, ...rest),
  ).filter((d) => d.severity === 'error');
  const value = doc.value as { run?: { id?: string }; task?: { id?: string } };
  return { exists: true, problems, runId: value.run?.id, taskId: value.task?.id };
}

/**
 * Checks many manifests, reusing earlier results for files whose size, mtime and inode are
 * unchanged: manifests are written once, atomically, and never edited (`cxo verify` recomputes
 * their hashes when tampering is the question).
 */
export function checkManifests(
  root: string,
  paths: Iterable<string>,
  cache: ParseCache<ManifestCheck>,
): Map<string, ManifestCheck> {
  const checks = new Map<string, ManifestCheck>();
  for (const path of paths) {
    if (!cache.enabled) {
      checks.set(path, checkManifest(root, path));
      continue;
    }
    let key: string | undefined;
    try {
      const st = statSync(join(root, path));
      key = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    } catch {
      checks.set(path, { exists: false, problems: [] });
      continue;
    }
    const known = cache.get(key);
    if (known) {
      checks.set(path, known);
      continue;
    }
    const check = checkManifest(root, path);
    checks.set(path, check);
    if (check.exists) cache.set(key, check);
  }
  cache.save();
  return checks;
}
