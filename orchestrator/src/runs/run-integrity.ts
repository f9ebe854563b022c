/**
 * What a run must leave alone, compared before and after each step (docs/runs.md, "What is
 * compared"): the repository's git metadata (config, hooks, attributes, excludes, alternates),
 * the main checkout (HEAD and its working tree), and the directory the run's worktree sits in.
 * Without a sandbox a builder can write anywhere the user can; these are the places a write
 * would make git, or the person's next command, run it.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { findGitDir } from '../git/git-hardening.js';
import { git } from '../git/git.js';
import type { IntegrityCode } from './manifest-types.js';
import { displayPath } from './run-layout.js';

export interface IntegritySnapshot {
  /** Git metadata file (display path) → content hash. */
  gitMeta: Map<string, string>;
  /** The repository's config file as it was (only its key names are ever reported). */
  config: { path: string; text: string | null };
  head: string;
  /** Main checkout path → what `git status` and the file's bytes say of it. */
  mainTree: Map<string, string>;
  /** Entries beside the worktree → type, size and change time. */
  beside: Map<string, string>;
}

export interface IntegrityChange {
  code: IntegrityCode;
  file: string | null;
  message: string;
}

/** Run worktrees beside this one belong to other runs (`runs/run-layout.ts` names them). */
const RUN_ID = /^\d{8}-\d{9}-[0-9a-z]{4}$/;

/** Paths in the main checkout the orchestrator itself writes while runs go. */
function ownedByOrchestrator(path: string, indexFile: string): boolean {
  return path === indexFile || path === '.runs' || path.startsWith('.runs/');
}

export function takeSnapshot(root: string, worktree: string, indexFile: string): IntegritySnapshot {
  const found = findGitDir(root);
  const common = found?.commonDir ?? join(root, '.git');
  const show = (abs: string) => {
    const rel = relative(root, abs);
    return rel.startsWith('..') ? displayPath(abs) : rel;
  };
  const gitMeta = new Map<string, string>();
  const metaFiles = [
    'config',
    'config.worktree',
    'info/attributes',
    'info/exclude',
    'objects/info/alternates',
  ];
  for (const f of metaFiles) gitMeta.set(show(join(common, f)), stampOf(join(common, f)));
  for (const f of walk(join(common, 'hooks'))) gitMeta.set(show(f), stampOf(f));
  const ownGitDir = findGitDir(worktree)?.gitDir;
  if (ownGitDir && ownGitDir !== common)
    gitMeta.set(show(join(ownGitDir, 'config.worktree')), stampOf(join(ownGitDir, 'config.worktree')));
  const configPath = join(common, 'config');
  const mainTree = new Map<string, string>();
  const status = git(
    root,
    ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=no'],
    { allowFail: true },
  ).stdout;
  const head = /(?:^|\0)# branch\.oid ([^\s\0]+)/.exec(status)?.[1] ?? '';
  for (const [path, line] of statusEntries(status)) {
    if (ownedByOrchestrator(path, indexFile)) continue;
    mainTree.set(path, `${line} ${stampOf(join(root, path), false)}`);
  }
  const beside = new Map<string, string>();
  const parent = dirname(worktree);
  for (const name of safeReaddir(parent)) {
    if (name === basename(worktree) || RUN_ID.test(name)) continue;
    beside.set(join(parent, name), stampOf(join(parent, name), false));
  }
  return { gitMeta, config: { path: configPath, text: readText(configPath) }, head, mainTree, beside };
}

/** What changed between two snapshots, one finding per kind and place. */
export function compareSnapshots(
  root: string,
  indexFile: string,
  before: IntegritySnapshot,
  after: IntegritySnapshot,
): IntegrityChange[] {
  const changes: IntegrityChange[] = [];
  for (const path of changedKeys(before.gitMeta, after.gitMeta)) {
    let detail = '';
    if (basename(path) === 'config') {
      const [was, now] = [configKeys(before.config.text), configKeys(after.config.text)];
      const added = [...now].filter((k) => !was.has(k));
      const removed = [...was].filter((k) => !now.has(k));
      detail = [
        added.length ? `; keys added: ${added.join(', ')}` : '',
        removed.length ? `; keys removed: ${removed.join(', ')}` : '',
      ].join('');
    }
    changes.push({
      code: 'GitConfigChanged',
      file: path,
      message: `the repository's git metadata changed: ${path} was ${verbOf(before.gitMeta.get(path), after.gitMeta.get(path))}${detail}`,
    });
  }
  if (before.head !== after.head && !onlyOrchestratorCommits(root, indexFile, before.head, after.head))
    changes.push({
      code: 'MainCheckoutChanged',
      file: null,
      message: `the main checkout's HEAD moved from ${before.head.slice(0, 12)} to ${after.head.slice(0, 12)}`,
    });
  for (const path of changedKeys(before.mainTree, after.mainTree))
    changes.push({
      code: 'MainCheckoutChanged',
      file: path,
      message: `a file of the main checkout changed outside the run's worktree: ${path}`,
    });
  for (const path of changedKeys(before.beside, after.beside))
    changes.push({
      code: 'OutsideWrite',
      file: displayPath(path),
      message: `written outside the worktree, beside it: ${displayPath(path)} was ${verbOf(before.beside.get(path), after.beside.get(path))}`,
    });
  return changes;
}

/** Status commits of other runs move HEAD too: they change only the task index and `.runs/`. */
function onlyOrchestratorCommits(root: string, indexFile: string, from: string, to: string): boolean {
  if (!from || !to) return false;
  if (git(root, ['merge-base', '--is-ancestor', from, to], { allowFail: true }).status !== 0) return false;
  const files = git(root, ['diff', '--name-only', '-z', '--no-renames', from, to], { allowFail: true });
  return files.status === 0 && files.stdout.split('\0').every((f) => !f || ownedByOrchestrator(f, indexFile));
}

/** The key names of a config text, as git reads them (its values may be secrets: never shown). */
function configKeys(text: string | null): Set<string> {
  if (text === null) return new Set();
  const dir = mkdtempSync(join(tmpdir(), 'cxo-config-'));
  try {
    writeFileSync(join(dir, 'config'), text);
    const keys = git(dir, ['config', '--file', join(dir, 'config'), '--name-only', '--list'], {
      allowFail: true,
    }).stdout;
    return new Set(keys.split('\n').filter(Boolean));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function verbOf(before: string | undefined, after: string | undefined): string {
  if (before === undefined || before === '-') return 'added';
  if (after === undefined || after === '-') return 'removed';
  return 'changed';
}

function changedKeys(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => (a.get(k) ?? '-') !== (b.get(k) ?? '-')).sort();
}

/** Content hash of a file (a symlink: its target; a directory: with `deep`, none), `-` when absent. */
function stampOf(path: string, deep = true): string {
  try {
    const s = lstatSync(path);
    if (s.isSymbolicLink()) return `link:${readlinkSync(path)}`;
    if (s.isDirectory()) return deep ? 'dir' : `dir:${s.mtimeMs}`;
    if (!deep) return `file:${s.size}:${s.mtimeMs}:${s.mode}`;
    return `file:${s.mode}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  } catch {
    return '-';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of safeReaddir(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (stampOf(path, false).startsWith('dir')) out.push(...walk(path));
  }
  return out;
}

/** Path → status record of `git status --porcelain=v2 -z` (a rename's source is listed too). */
function statusEntries(z: string): [string, string][] {
  const fields = z.split('\0');
  const out: [string, string][] = [];
  for (let i = 0; i < fields.length; i++) {
    const record = fields[i];
    if (!record || record.startsWith('# ')) continue;
    const kind = record[0];
    // path is the last space-separated field: after 8 fields for `1`, 9 for `2`, 10 for `u`, 1 for `?`/`!`
    const skip = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : 1;
    const parts = record.split(' ');
    const path = parts.slice(skip).join(' ');
    out.push([path, parts.slice(0, skip).join(' ')]);
    if (kind === '2') out.push([fields[++i], 'rename-source']);
  }
  return out;
}

/** The baseline taken before a run's first step, and the comparison after each. */
export class IntegrityWatch {
  private readonly baseline: IntegritySnapshot;

  constructor(
    private readonly root: string,
    private readonly worktree: string,
    private readonly indexFile: string,
  ) {
    this.baseline = takeSnapshot(root, worktree, indexFile);
  }

  /** What changed since the baseline. */
  check(): IntegrityChange[] {
    const now = takeSnapshot(this.root, this.worktree, this.indexFile);
    return compareSnapshots(this.root, this.indexFile, this.baseline, now);
  }
}
