import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { InvalidRepoError } from '../errors.js';
import { type Checklist, findChecklistItem, parseChecklist } from './checklist.js';
import { CONFIG_FILE, type Config, defaultConfig, parseConfig } from './config.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { type PrdDoc, parsePrd, parseSpec, type SpecDoc } from './markdown-docs.js';
import { resolveInsideRepo } from './repo-paths.js';
import { decodeSource, type SourceText } from './source-text.js';
import { parseTaskIndex, type TaskIndex } from './task-index.js';

/** Everything the orchestrator read from the repository, with the findings about it. */
export interface RepoModel {
  root: string;
  config: Config;
  index: TaskIndex;
  specs: Map<string, SpecDoc>;
  prds: Map<string, PrdDoc>;
  checklists: Map<string, Checklist>;
  diagnostics: Diagnostic[];
}

/** The nearest directory at or above `start` holding the task index, config, or .git. */
export function findRepoRoot(start: string): string {
  let dir = resolve(start);
  let gitRoot: string | undefined;
  for (;;) {
    if (existsSync(join(dir, 'codex.tasks.json')) || existsSync(join(dir, CONFIG_FILE))) return dir;
    if (!gitRoot && existsSync(join(dir, '.git'))) gitRoot = dir;
    const up = dirname(dir);
    if (up === dir) return gitRoot ?? resolve(start);
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
    if (code === 'EISDIR') return { diagnostics: [diagnostic('error', 'io', 'expected a file, found a directory', { file })] };
    return { diagnostics: [diagnostic('error', 'io', `cannot read file: ${(e as Error).message}`, { file })] };
  }
  return decodeSource(file, bytes, maxBytes);
}

/** Loads codex.config.yaml over the defaults (the file is optional). */
export function loadConfig(root: string): { config: Config; diagnostics: Diagnostic[] } {
  const read = readRepoText(root, CONFIG_FILE);
  if (read.missing) return { config: defaultConfig(), diagnostics: [] };
  if (!read.source) return { config: defaultConfig(), diagnostics: read.diagnostics };
  const parsed = parseConfig(read.source);
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
): { index: TaskIndex; diagnostics: Diagnostic[] } {
  const file = config.files.tasks;
  const read = readRepoText(root, file, config.limits.max_file_bytes);
  if (read.missing) {
    throw new InvalidRepoError(`no task index: ${file} does not exist`, [
      diagnostic('error', 'missing-file', `${file} does not exist`, { file }, { hint: 'run `cxo init` to create one' }),
    ]);
  }
  if (!read.source) throw new InvalidRepoError(`cannot read ${file}`, read.diagnostics);
  const parsed = parseTaskIndex(read.source, mode);
  if (!parsed.index || hasErrors(parsed.diagnostics)) {
    throw new InvalidRepoError(`${file} is invalid`, sortDiagnostics(parsed.diagnostics));
  }
  return { index: parsed.index, diagnostics: parsed.diagnostics };
}

/** Loads one spec by path, checking the path stays inside the repository. */
export function loadSpec(root: string, file: string, config: Config): { spec?: SpecDoc; diagnostics: Diagnostic[] } {
  const read = readRepoText(root, file, config.limits.max_file_bytes);
  if (!read.source) return { diagnostics: read.diagnostics };
  return parseSpec(read.source);
}

/** Lists repository files matching globs (relative, forward slashes), skipping .git and node_modules. */
export function listRepoFiles(root: string, globs: readonly string[]): string[] {
  const found = new Set<string>();
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
        } else if (isMatch(rel)) found.add(rel);
      }
    };
    walk(base === '.' ? '' : base);
  }
  return [...found].sort();
}

/** Loads and cross-checks everything: config, index, every spec, PRD and checklist, and the references between them. */
export function loadRepo(root: string): RepoModel {
  const { config, diagnostics } = loadConfig(root);
  if (hasErrors(diagnostics)) throw new InvalidRepoError(`${CONFIG_FILE} is invalid`, sortDiagnostics(diagnostics));
  // the index must parse for anything else to be checked; its other errors are reported with the rest
  const read = readRepoText(root, config.files.tasks, config.limits.max_file_bytes);
  if (read.missing) {
    diagnostics.push(diagnostic('error', 'missing-file', `${config.files.tasks} does not exist`, { file: config.files.tasks }, { hint: 'run `cxo init` to create one' }));
  } else diagnostics.push(...read.diagnostics);
  const parsed = read.source ? parseTaskIndex(read.source, 'full') : undefined;
  if (parsed) diagnostics.push(...parsed.diagnostics);
  if (!parsed?.index) throw new InvalidRepoError(`${config.files.tasks} cannot be loaded`, sortDiagnostics(diagnostics));
  const index = parsed.index;
  const max = config.limits.max_file_bytes;
  const specs = new Map<string, SpecDoc>();
  const prds = new Map<string, PrdDoc>();
  const checklists = new Map<string, Checklist>();
  const failed = new Set<string>();

  const loadInto = <T>(file: string, into: Map<string, T>, parse: (s: SourceText) => { value?: T; diagnostics: Diagnostic[] }) => {
    if (into.has(file) || failed.has(file)) return;
    const escape = resolveInsideRepo(root, file);
    if (escape.escapes) {
      diagnostics.push(diagnostic('error', 'path-escape', 'file is a symlink that points outside the repository', { file }));
      failed.add(file);
      return;
    }
    const read = readRepoText(root, file, max);
    diagnostics.push(...read.diagnostics);
    if (!read.source) {
      failed.add(file);
      return;
    }
    const parsed = parse(read.source);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.value) into.set(file, parsed.value);
    else failed.add(file);
  };
  const asSpec = (s: SourceText) => {
    const r = parseSpec(s);
    return { value: r.spec, diagnostics: r.diagnostics };
  };
  const asPrd = (s: SourceText) => {
    const r = parsePrd(s);
    return { value: r.prd, diagnostics: r.diagnostics };
  };
  const asChecklist = (s: SourceText) => {
    const r = parseChecklist(s);
    return { value: r.checklist, diagnostics: r.diagnostics };
  };
  for (const file of listRepoFiles(root, config.files.specs)) loadInto(file, specs, asSpec);
  for (const file of listRepoFiles(root, config.files.prds)) loadInto(file, prds, asPrd);
  for (const file of listRepoFiles(root, config.files.checklists)) loadInto(file, checklists, asChecklist);

  index.tasks.forEach((task) => {
    const refs: [field: 'spec' | 'prd' | 'checklist', path: string | undefined][] = [
      ['spec', task.spec],
      ['prd', task.prd],
      ['checklist', task.checklist?.split('#')[0]],
    ];
    for (const [field, path] of refs) {
      if (path === undefined || failed.has(path)) continue;
      const target = resolveInsideRepo(root, path);
      if (target.escapes) {
        diagnostics.push(index.at(task.id, [field], 'error', 'path-escape', `${field} ${JSON.stringify(path)} resolves outside the repository through a symlink`));
        continue;
      }
      if (!target.exists) {
        diagnostics.push(
          index.at(task.id, [field], 'error', 'dangling-reference', `task "${task.id}": ${field} file ${JSON.stringify(path)} does not exist`),
        );
        continue;
      }
      if (statSync(target.absolute).isDirectory()) {
        diagnostics.push(index.at(task.id, [field], 'error', 'dangling-reference', `task "${task.id}": ${field} ${JSON.stringify(path)} is a directory`));
        continue;
      }
      if (field === 'spec') loadInto(path, specs, asSpec);
      else if (field === 'prd') loadInto(path, prds, asPrd);
      else {
        loadInto(path, checklists, asChecklist);
        const checklist = checklists.get(path);
        const number = task.checklist!.split('#')[1];
        if (checklist && !findChecklistItem(checklist, number)) {
          diagnostics.push(
            index.at(task.id, ['checklist'], 'error', 'dangling-reference', `task "${task.id}": ${path} has no item ${number}`),
          );
        }
      }
    }
  });

  const specIds = new Map<string, string>();
  for (const spec of specs.values()) {
    const other = specIds.get(spec.fields.id);
    if (other) {
      diagnostics.push(spec.doc.locate(['id'], 'error', 'duplicate-id', `spec id "${spec.fields.id}" is also used by ${other}`));
    } else specIds.set(spec.fields.id, spec.file);
  }
  return { root, config, index, specs, prds, checklists, diagnostics: sortDiagnostics(diagnostics) };
}

/** Repository-relative form of an absolute path, with forward slashes. */
export function toRepoPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}
