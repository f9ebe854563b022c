import { git } from './git.js';

export interface TreeEntry {
  mode: string;
  /** A blob id (or, for mode 040000, a tree id). */
  blob: string;
}

/**
 * The tree `base` with `changes` (repository-relative path → blob) applied, built with
 * `ls-tree`/`mktree` on the directories on the changed paths only. A commit of one file thus
 * costs the same whatever the size of the rest of the repository, unlike `read-tree` into a
 * temporary index, which writes an entry for every file.
 */
export function treeWith(root: string, base: string | null, changes: Map<string, TreeEntry>): string {
  const here = new Map<string, { mode: string; type: string; id: string }>();
  if (base) {
    for (const record of git(root, ['ls-tree', '-z', base]).stdout.split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(record);
      if (m) here.set(m[4], { mode: m[1], type: m[2], id: m[3] });
    }
  }
  const below = new Map<string, Map<string, TreeEntry>>();
  for (const [path, entry] of changes) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      here.set(path, { mode: entry.mode, type: 'blob', id: entry.blob });
      continue;
    }
    const dir = path.slice(0, slash);
    if (!below.has(dir)) below.set(dir, new Map());
    below.get(dir)!.set(path.slice(slash + 1), entry);
  }
  for (const [dir, sub] of below) {
    const existing = here.get(dir);
    const tree = treeWith(root, existing?.type === 'tree' ? existing.id : null, sub);
    here.set(dir, { mode: '040000', type: 'tree', id: tree });
  }
  const input = [...here].map(([name, e]) => `${e.mode} ${e.type} ${e.id}\t${name}\0`).join('');
  return git(root, ['mktree', '-z'], { input }).stdout.trim();
}
