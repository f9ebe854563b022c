import { posix } from 'node:path';
import type { ChangedEntry } from '../git/changed-entries.js';
import type { Finding } from './static-review.js';

/** Files git (or the tools around it) reads as instructions: attributes select filters and drivers. */
const GIT_METADATA_FILES = new Set(['.gitattributes', '.gitmodules']);
/** Directories hook managers install from (husky, `core.hooksPath=.githooks`). */
const HOOK_DIRS = new Set(['.githooks', '.husky']);

/**
 * Findings on what a run adds to the tree that would act once merged: symlinks whose target is
 * outside the tree (absolute, `..` past the root, or into `.git`), git attribute and submodule
 * files, and hook files (a `.githooks/`- or `.husky/`-style directory, or the one the repository's
 * `core.hooksPath` names). Pure: the pipeline and the merge collect the entries.
 */
export function treeFindings(entries: ChangedEntry[], hooksPath: string | null): Finding[] {
  const findings: Finding[] = [];
  const hooksDir =
    hooksPath && !posix.isAbsolute(hooksPath) ? posix.normalize(hooksPath).replace(/\/$/, '') : null;
  for (const entry of entries) {
    const parts = entry.path.split('/');
    if (entry.mode === '120000') {
      const target = entry.target ?? '';
      const resolved = posix.normalize(posix.join(posix.dirname(entry.path), target));
      const first = resolved.split('/')[0];
      if (posix.isAbsolute(target) || first === '..' || first === '.git')
        findings.push({
          code: 'SymlinkEscape',
          file: entry.path,
          line: null,
          severity: 'error',
          message: `symlink points outside the worktree: ${entry.path} -> ${target}`,
        });
    }
    const hookFile =
      parts.slice(0, -1).some((p) => HOOK_DIRS.has(p)) ||
      (hooksDir !== null && hooksDir !== '.' && entry.path.startsWith(`${hooksDir}/`));
    if (GIT_METADATA_FILES.has(parts.at(-1)!) || hookFile)
      findings.push({
        code: 'GitMetadataFile',
        file: entry.path,
        line: null,
        severity: 'error',
        message: hookFile
          ? `adds or changes a git hook: ${entry.path}`
          : `adds or changes ${parts.at(-1)}, which tells git what to run (filters, merge drivers, submodules): ${entry.path}`,
      });
  }
  return findings;
}
