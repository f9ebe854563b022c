import { InvalidRepoError } from '../errors.js';
import { type Checklist, findChecklistItem, parseChecklist } from './checklist.js';
import { CONFIG_FILE, type Config } from './config.js';
import { type Diagnostic, diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { type FrontMatterBlock, FrontMatterDocument } from './front-matter.js';
import { type PrdDoc, parsePrd, parseSpec, type SpecDoc } from './markdown-docs.js';
import { cacheDirFor, ParseCache } from './parse-cache.js';
import { listRepoEntries, loadConfig, readRepoText } from './repo-files.js';
import { RepoPathChecker } from './repo-paths.js';
import type { SourceText } from './source-text.js';
import { specDigest } from './spec-digest.js';
import type { SpecFields } from './spec-types.js';
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

/** Loads one spec by path, checking the path stays inside the repository. */
export function loadSpec(
  root: string,
  file: string,
  config: Config,
): { spec?: SpecDoc; diagnostics: Diagnostic[] } {
  const read = readRepoText(root, file, config.limits.max_file_bytes);
  if (!read.source) return { diagnostics: read.diagnostics };
  return parseSpec(read.source);
}

/** Loads and cross-checks everything: config, index, every spec, PRD and checklist, and the references between them. */
/** A spec that parsed cleanly, as the parse cache keeps it. */
interface CachedSpec {
  block: FrontMatterBlock;
  data: Record<string, unknown>;
  diagnostics: Diagnostic[];
  digest?: string;
}

export async function loadRepo(root: string, options: { cache?: boolean } = {}): Promise<RepoModel> {
  const { config, diagnostics } = await loadConfig(root);
  if (hasErrors(diagnostics))
    throw new InvalidRepoError(`${CONFIG_FILE} is invalid`, sortDiagnostics(diagnostics));
  // the index must parse for anything else to be checked; its other errors are reported with the rest
  const read = readRepoText(root, config.files.tasks, config.limits.max_file_bytes);
  if (read.missing) {
    diagnostics.push(
      diagnostic(
        'error',
        'missing-file',
        `${config.files.tasks} does not exist`,
        { file: config.files.tasks },
        { hint: 'run `cxo init` to create one' },
      ),
    );
  } else diagnostics.push(...read.diagnostics);
  const cacheDir = options.cache ? cacheDirFor(root) : undefined;
  const indexCache = ParseCache.open<Diagnostic[]>(cacheDir, 'task-index');
  const specCache = ParseCache.open<CachedSpec>(cacheDir, 'specs');
  const parsed = read.source ? parseTaskIndex(read.source, 'full', indexCache) : undefined;
  if (parsed) diagnostics.push(...parsed.diagnostics);
  if (!parsed?.index)
    throw new InvalidRepoError(`${config.files.tasks} cannot be loaded`, sortDiagnostics(diagnostics));
  const index = parsed.index;
  const max = config.limits.max_file_bytes;
  const specs = new Map<string, SpecDoc>();
  const prds = new Map<string, PrdDoc>();
  const checklists = new Map<string, Checklist>();
  const failed = new Set<string>();
  const paths = new RepoPathChecker(root);

  const loadInto = <T>(
    file: string,
    into: Map<string, T>,
    parse: (s: SourceText) => { value?: T; diagnostics: Diagnostic[] },
    listed?: { symlink: boolean },
  ) => {
    if (into.has(file) || failed.has(file)) return;
    const inside = listed && !listed.symlink ? paths.checkListedFile(file) : paths.check(file);
    if (inside.escapes) {
      diagnostics.push(
        diagnostic('error', 'path-escape', 'file is a symlink that points outside the repository', { file }),
      );
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
    const key = specCache.enabled ? ParseCache.key(s.file, s.text, 'spec') : '';
    const hit = specCache.get(key);
    // an entry of another shape (a cache written by a development build) is a miss, not a crash
    if (hit?.block && hit.data) {
      const doc = new FrontMatterDocument(s, hit.block, hit.data);
      const spec: SpecDoc = {
        file: s.file,
        fields: hit.data as unknown as SpecFields,
        doc,
        digest: hit.digest,
      };
      return { value: spec, diagnostics: hit.diagnostics };
    }
    const r = parseSpec(s);
    if (r.spec) {
      // only an approved spec's approvals are ever checked; others get their digest on demand
      if (r.spec.fields.status === 'approved') r.spec.digest = specDigest(r.spec.fields, r.spec.doc.body);
      const entry = {
        block: r.spec.doc.block,
        data: r.spec.doc.data,
        diagnostics: r.diagnostics,
        digest: r.spec.digest,
      };
      specCache.set(key, entry);
    }
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
  for (const [file, entry] of listRepoEntries(root, config.files.specs)) loadInto(file, specs, asSpec, entry);
  for (const [file, entry] of listRepoEntries(root, config.files.prds)) loadInto(file, prds, asPrd, entry);
  for (const [file, entry] of listRepoEntries(root, config.files.checklists))
    loadInto(file, checklists, asChecklist, entry);

  index.tasks.forEach((task) => {
    const refs: [field: 'spec' | 'prd' | 'checklist', path: string | undefined][] = [
      ['spec', task.spec],
      ['prd', task.prd],
      ['checklist', task.checklist?.split('#')[0]],
    ];
    for (const [field, path] of refs) {
      if (path === undefined || failed.has(path)) continue;
      // a referenced file the listing already loaded exists, is a file and stays inside
      if (field === 'spec' && specs.has(path)) continue;
      if (field === 'prd' && prds.has(path)) continue;
      const target = paths.check(path);
      if (target.escapes) {
        diagnostics.push(
          index.at(
            task.id,
            [field],
            'error',
            'path-escape',
            `${field} ${JSON.stringify(path)} resolves outside the repository through a symlink`,
          ),
        );
        continue;
      }
      if (!target.exists) {
        diagnostics.push(
          index.at(
            task.id,
            [field],
            'error',
            'dangling-reference',
            `task "${task.id}": ${field} file ${JSON.stringify(path)} does not exist`,
          ),
        );
        continue;
      }
      if (target.isDirectory) {
        diagnostics.push(
          index.at(
            task.id,
            [field],
            'error',
            'dangling-reference',
            `task "${task.id}": ${field} ${JSON.stringify(path)} is a directory`,
          ),
        );
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
            index.at(
              task.id,
              ['checklist'],
              'error',
              'dangling-reference',
              `task "${task.id}": ${path} has no item ${number}`,
            ),
          );
        }
      }
    }
  });

  const specIds = new Map<string, string>();
  for (const spec of specs.values()) {
    const other = specIds.get(spec.fields.id);
    if (other) {
      diagnostics.push(
        spec.doc.locate(
          ['id'],
          'error',
          'duplicate-id',
          `spec id "${spec.fields.id}" is also used by ${other}`,
        ),
      );
    } else specIds.set(spec.fields.id, spec.file);
  }
  indexCache.save();
  specCache.save();
  return { root, config, index, specs, prds, checklists, diagnostics: sortDiagnostics(diagnostics) };
}
