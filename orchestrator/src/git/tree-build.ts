import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrees } from './cat-file.js';
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
 * The tree `base` with `changes` (repository-relative path → blob) applied. Only the directories
 * on the changed paths are listed (`ls-tree`) and rebuilt: their tree objects are serialised and
 * hashed here and written by one `git hash-object` for all of them, so a commit of one file costs
 * the same whatever the size of the rest of the repository (unlike `read-tree` into a temporary
 * index, which writes an entry for every file). A change to `null` removes the path (and the
 * directories it leaves empty). `listing` is `base`'s own listing when the caller has it;
 * `previous` receives what each changed path held in `base` (null: nothing).
 */
export function treeWith(
  root: string,
  base: string | null,
  changes: Map<string, TreeEntry | null>,
  options: { listing?: Map<string, Listed>; previous?: Map<string, TreeEntry | null> } = {},
): string {
  // a SHA-256 repository names its objects with 64 hex digits
  const format = base?.length === 64 ? 'sha256' : 'sha1';
  const written: { id: string; content: Buffer }[] = [];
  const listings = base ? listDirsOnPaths(root, base, changes.keys(), format) : new Map();
  if (options.listing) listings.set('', options.listing);
  const id = build(root, format, base, changes, listings, options.previous, '', written);
  writeTrees(root, written);
  return id ?? emptyTree(root, format);
}

/** The id of the empty tree (what a base loses when every path is removed), written once. */
function emptyTree(root: string, format: 'sha1' | 'sha256'): string {
  const id = createHash(format).update('tree 0\0').digest('hex');
  writeTrees(root, [{ id, content: Buffer.alloc(0) }]);
  return id;
}

/**
 * The listings of every directory of `base` on the changed paths, read by one `git cat-file
 * --batch` (a write to the state ref touches about eight: one `ls-tree` each made its
 * compare-and-swap window long enough to lose to shorter writers again and again). Keyed by the
 * directory's path with a trailing slash, '' for the root; a directory `base` lacks is absent.
 */
function listDirsOnPaths(
  root: string,
  base: string,
  paths: Iterable<string>,
  format: 'sha1' | 'sha256',
): Map<string, Map<string, Listed>> {
  const dirs = new Set<string>(['']);
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  const names = [...dirs].map((d) => (d === '' ? base : `${base}:${d.slice(0, -1)}`));
  const trees = readTrees(root, names);
  const out = new Map<string, Map<string, Listed>>();
  [...dirs].forEach((dir, i) => {
    const bytes = trees.get(names[i]);
    if (bytes) out.set(dir, parseTree(bytes, format === 'sha256' ? 32 : 20));
  });
  return out;
}

/** A tree object's entries: `<mode> <name>\0<binary id>` each. */
function parseTree(bytes: Buffer, idBytes: number): Map<string, Listed> {
  const out = new Map<string, Listed>();
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space);
    const mode = bytes.subarray(at, space).toString('latin1');
    const name = bytes.subarray(space + 1, nul).toString('utf8');
    const id = bytes.subarray(nul + 1, nul + 1 + idBytes).toString('hex');
    const type = mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    out.set(name, { mode: mode === '40000' ? '040000' : mode, type, id });
    at = nul + 1 + idBytes;
  }
  return out;
}

function build(
  root: string,
  format: 'sha1' | 'sha256',
  base: string | null,
  changes: Map<string, TreeEntry | null>,
  listings: Map<string, Map<string, Listed>>,
  previous: Map<string, TreeEntry | null> | undefined,
  prefix: string,
  written: { id: string; content: Buffer }[],
): string | undefined {
  const here = new Map(base ? (listings.get(prefix) ?? listTree(root, base)) : []);
  const below = new Map<string, Map<string, TreeEntry | null>>();
  for (const [path, entry] of changes) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      const was = here.get(path);
      previous?.set(prefix + path, was?.type === 'blob' ? { mode: was.mode, blob: was.id } : null);
      if (entry) here.set(path, { mode: entry.mode, type: 'blob', id: entry.blob });
      else here.delete(path);
      continue;
    }
    const dir = path.slice(0, slash);
    if (!below.has(dir)) below.set(dir, new Map());
    below.get(dir)!.set(path.slice(slash + 1), entry);
  }
  for (const [dir, sub] of below) {
    const existing = here.get(dir);
    const base = existing?.type === 'tree' ? existing.id : null;
    const tree = build(root, format, base, sub, listings, previous, `${prefix}${dir}/`, written);
    if (tree) here.set(dir, { mode: '040000', type: 'tree', id: tree });
    else here.delete(dir);
  }
  // git keeps no empty directories: a tree left empty is removed from its parent
  if (here.size === 0) return undefined;
  const content = serialise(here);
  const id = createHash(format).update(`tree ${content.length}\0`).update(content).digest('hex');
  written.push({ id, content });
  return id;
}

/** A tree object's bytes: `<mode> <name>\0<binary id>` per entry, in git's order. */
function serialise(entries: Map<string, Listed>): Buffer {
  // git orders by name bytes, a tree's name compared as if it ended in "/"; keys made once, as a
  // big directory (.runs holds one folder per task) would otherwise allocate on every comparison
  const keyed = [...entries].map(([name, e]) => ({
    name,
    e,
    key: Buffer.from(e.type === 'tree' ? `${name}/` : name),
  }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { name, e } of keyed) {
    parts.push(Buffer.from(`${e.mode.replace(/^0+/, '')} ${name}\0`), Buffer.from(e.id, 'hex'));
  }
  return Buffer.concat(parts);
}

/** Writes the tree objects with one git process and checks git agrees on every id. */
function writeTrees(root: string, trees: { id: string; content: Buffer }[]): void {
  const scratch = mkdtempSync(join(tmpdir(), 'cxo-trees-'));
  try {
    const paths = trees.map((tree, i) => {
      const path = join(scratch, String(i));
      writeFileSync(path, tree.content);
      return path;
    });
    const ids = git(root, ['hash-object', '-w', '-t', 'tree', '--stdin-paths', '--no-filters'], {
      input: `${paths.join('\n')}\n`,
    })
      .stdout.trim()
      .split('\n');
    trees.forEach((tree, i) => {
      if (ids[i] !== tree.id) throw new Error(`internal: tree ${i} hashed to ${ids[i]}, expected ${tree.id}`);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
