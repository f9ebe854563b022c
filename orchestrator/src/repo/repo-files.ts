import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { InvalidRepoError } from '../errors.js';
import { CONFIG_FILE, type Config, configOver, defaultConfig } from './config.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { cacheDirFor, ParseCache } from './parse-cache.js';
import { decodeSource, type SourceText } from './source-text.js';
import { parseTaskIndex, type TaskIndex } from './task-index.js';

/** Finding and reading the repository's files. Nothing here loads YAML, so read commands stay fast. */

/**
 * The repository a command acts on: the nearest directory at or above `start` with a `.git`
 * (a directory, or the file of a linked worktree or submodule). That is the boundary: task files
 * in a directory above it are another project's and never count. Outside any repository, the
 * nearest directory holding the task index or the config (a plain folder the read commands can
 * still show; what needs git refuses it, see `requireGitDir`), else `start` itself.
 */
export function findRepoRoot(start: string): string {
  const from = resolve(start);
  let plain: string | undefined;
  for (let dir = from; ;) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (!plain && (existsSync(join(dir, 'codex.tasks.json')) || existsSync(join(dir, CONFIG_FILE))))
      plain = dir;
    const up = dirname(dir);
    if (up === dir) return plain ?? from;
    dir = up;
  }
}

/** Reads a repository file as text; a missing file gives `missing`, bad bytes give diagnostics. */
export function readRepoText(
  root: string,
  file: string,
  maxBytes?: number,
): { source?: SourceText; missing?: boolean; diagnostics: Diagnostic[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true, diagnostics: [] };
    if (code === 'EISDIR')
      return { diagnostics: [diagnostic('error', 'io', 'expected a file, found a directory', { file })] };
    return {
      diagnostics: [diagnostic('error', 'io', `cannot read file: ${(e as Error).message}`, { file })],
    };
  }
  return decodeSource(file, bytes, maxBytes);
}

/** What the config cache keeps for one config file's bytes: its checked value and warnings. */
interface CheckedConfig {
  data: unknown;
  diagnostics: Diagnostic[];
}

/**
 * Loads codex.config.yaml over the defaults (the file is optional). With `cache`, bytes that
 * parsed without errors before are not parsed again (the content-addressed cache the task index
 * has), so a read command loads no YAML parser at all.
 */
export async function loadConfig(
  root: string,
  options: { cache?: boolean } = {},
): Promise<{ config: Config; diagnostics: Diagnostic[] }> {
  const read = readRepoText(root, CONFIG_FILE);
  if (read.missing) return { config: defaultConfig(), diagnostics: [] };
  if (!read.source) return { config: defaultConfig(), diagnostics: read.diagnostics };
  const cache = options.cache ? ParseCache.open<CheckedConfig>(cacheDirFor(root), 'config') : undefined;
  const key = cache?.enabled ? ParseCache.key(read.source.file, read.source.text, 'config') : '';
  const known = cache?.get(key);
  if (cache && known) {
    cache.save();
    return { config: configOver(known.data), diagnostics: known.diagnostics };
  }
  // YAML is loaded only when there is a config to read: read commands start faster without it
  const { parseConfig } = await import('./config-parse.js');
  const parsed = parseConfig(read.source);
  // a checked value is plain JSON: the schema types every key, and rejects YAML's .inf and .nan
  if (cache && parsed.config) {
    cache.set(key, { data: parsed.data, diagnostics: parsed.diagnostics });
    cache.save();
  }
  return { config: parsed.config ?? defaultConfig(), diagnostics: parsed.diagnostics };
}

/**
 * Loads the task index. `fast` is for read commands: it trusts JSON.parse and validates the
 * schema, building positions only when something is wrong; `cxo validate` uses `full`.
 * Throws InvalidRepoError (nothing usable) when the index cannot be read.
 */
export function loadTaskIndex(
  root: string,
  config: Config,
  mode: 'full' | 'fast' = 'fast',
  options: { cache?: boolean } = {},
): { index: TaskIndex; diagnostics: Diagnostic[] } {
  const file = config.files.tasks;
  const read = readRepoText(root, file, config.limits.max_file_bytes);
  if (read.missing) {
    throw new InvalidRepoError(`no task index: ${file} does not exist`, [
      diagnostic(
        'error',
        'missing-file',
        `${file} does not exist`,
        { file },
        { hint: 'run `cxo init` to create one' },
      ),
    ]);
  }
  if (!read.source) throw new InvalidRepoError(`cannot read ${file}`, read.diagnostics);
  const cache = options.cache ? ParseCache.open<Diagnostic[]>(cacheDirFor(root), 'task-index') : undefined;
  const parsed = parseTaskIndex(read.source, mode, cache);
  cache?.save();
  if (!parsed.index || hasErrors(parsed.diagnostics)) {
    throw new InvalidRepoError(`${file} is invalid`, sortDiagnostics(parsed.diagnostics));
  }
  return { index: parsed.index, diagnostics: parsed.diagnostics };
}

/** Lists repository files matching globs (relative, forward slashes), skipping .git and node_modules. */
export function listRepoFiles(root: string, globs: readonly string[]): string[] {
  return [...listRepoEntries(root, globs).keys()];
}

/**
 * Like `listRepoFiles`, with whether each entry is a symlink (from the directory listing, so
 * plain files need no further lstat to know they are not links).
 */
export function listRepoEntries(root: string, globs: readonly string[]): Map<string, { symlink: boolean }> {
  const found = new Map<string, { symlink: boolean }>();
  for (const glob of globs) {
    const scan = picomatch.scan(glob);
    const base = scan.isGlob ? scan.base : dirname(glob);
    const isMatch = picomatch(glob, { dot: false });
    const recursive = glob.includes('**');
    const walk = (dir: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(join(root, dir), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const rel = dir && dir !== '.' ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (recursive && entry.name !== '.git' && entry.name !== 'node_modules') walk(rel);
        } else if (isMatch(rel)) found.set(rel, { symlink: entry.isSymbolicLink() });
      }
    };
    walk(base === '.' ? '' : base);
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Repository-relative form of an absolute path, with forward slashes. */
export function toRepoPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}
