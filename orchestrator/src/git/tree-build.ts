import { git } from './git.js';

export interface TreeEntry {
  mode: string;
  /** A blob id (or, for mode 040000, a tree id). */
  blob: string;
}

interface Listed {
  mode: string;
  type: string;
  id: string;
}

/** The entries of one tree (not recursive), by name. */
export function listTree(root: string, tree: string): Map<string, Listed> {
  const out = new Map<string, Listed>();
  for (const record of git(root, ['ls-tree', '-z', tree]).stdout.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(record);
    if (m) out.set(m[4], { mode: m[1], type: m[2], id: m[3] });
  }
  return out;
}

/**
 * The tree `base` with `changes` (repository-relative path → blob) applied, built with
 * `ls-tree`/`mktree` on the directories on the changed paths only. A commit of one file thus
 * costs the same whatever the size of the rest of the repository, unlike `read-tree` into a
 * temporary index, which writes an entry for every file. `listing` is `base`'s own listing when
 * the caller has it; `previous` receives what each changed path held in `base` (null: nothing).
 */
export function treeWith(
  root: string,
  base: string | null,
  changes: Map<string, TreeEntry>,
  options: { listing?: Map<string, Listed>; previous?: Map<string, TreeEntry | null>; prefix?: string } = {},
): string {
  const prefix = options.prefix ?? '';
  const here = new Map(options.listing ?? (base ? listTree(root, base) : []));
  const below = new Map<string, Map<string, TreeEntry>>();
  for (const [path, entry] of changes) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      const was = here.get(path);
      options.previous?.set(prefix + path, was?.type === 'blob' ? { mode: was.mode, blob: was.id } : null);
      here.set(path, { mode: entry.mode, type: 'blob', id: entry.blob });
      continue;
    }
    const dir = path.slice(0, slash);
    if (!below.has(dir)) below.set(dir, new Map());
    below.get(dir)!.set(path.slice(slash + 1), entry);
  }
  for (const [dir, sub] of below) {
    const existing = here.get(dir);
    const tree = treeWith(root, existing?.type === 'tree' ? existing.id : null, sub, {
      previous: options.previous,
      prefix: `${prefix}${dir}/`,
    });
    here.set(dir, { mode: '040000', type: 'tree', id: tree });
  }
  const input = [...here].map(([name, e]) => `${e.mode} ${e.type} ${e.id}\t${name}\0`).join('');
  return git(root, ['mktree', '-z'], { input }).stdout.trim();
}
