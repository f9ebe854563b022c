import { join } from 'node:path';
import { findGitDir } from './git-hardening.js';
import { git } from './git.js';
import { parseRawDiff } from './raw-diff.js';

/** One added or changed entry of a diff (what `git diff --raw` says of it). */
export interface ChangedEntry {
  path: string;
  /** The new mode: `120000` is a symlink. */
  mode: string;
  /** A symlink's target (its blob). */
  target?: string;
}

/** The entries `base..head` adds or changes (deletions left out), symlinks with their targets. */
export function changedEntries(cwd: string, base: string, head: string): ChangedEntry[] {
  const out = git(cwd, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', base, head]).stdout;
  const entries: ChangedEntry[] = [];
  for (const { path, mode, id, status } of parseRawDiff(out)) {
    if (status === 'D') continue;
    const entry: ChangedEntry = { path, mode };
    if (mode === '120000') entry.target = git(cwd, ['cat-file', 'blob', id]).stdout;
    entries.push(entry);
  }
  return entries;
}

/** The hooks directory the repository's own config names (`core.hooksPath`), if any. */
export function configuredHooksPath(cwd: string): string | null {
  const common = findGitDir(cwd)?.commonDir;
  if (!common) return null;
  const r = git(cwd, ['config', '--file', join(common, 'config'), '--get', 'core.hooksPath'], {
    allowFail: true,
  });
  return r.status === 0 ? r.stdout.trim() || null : null;
}
