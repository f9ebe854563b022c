/**
 * The specs and PRDs imported tasks name: each is copied from the source repository into ours (with
 * front matter of ours when it has none), or the reference is dropped with a warning, so that the
 * imported index never points at a document the target repository lacks.
 */
import { posix } from 'node:path';
import { validatePrd, validateSpec } from '../generated/validators.js';
import type { Diagnostic } from '../repo/diagnostics.js';
import { findFrontMatter } from '../repo/front-matter.js';
import { parsePrd, parseSpec } from '../repo/markdown-docs.js';
import { decodeSource } from '../repo/source-text.js';
import type { Task } from '../repo/task-types.js';
import { buildId, joinSections, shortHash } from './common.js';
import type { DocumentReference } from './types.js';

/** Reads documents: `source` in the repository the imported file comes from, `target` in ours. */
export interface DocumentAccess {
  /** The text of a file in the source repository; undefined when it is not there. */
  source(path: string): string | undefined;
  /** The text of a file in the target repository; undefined when it is not there. */
  target(path: string): string | undefined;
}

export interface DocumentTargets {
  /** Folder new specs go into, e.g. `specs`. */
  specs: string;
  /** Folder new PRDs go into, e.g. `tasks`. */
  prds: string;
  /** YYYY-MM-DD: `last_review` of a spec whose source does not say when it was last reviewed. */
  today: string;
}

/** A document to create in the target repository. */
export interface PlannedDocument {
  path: string;
  text: string;
  /** Where it comes from, relative to the source repository. */
  from: string;
}

const FIELD_NAME = { spec: 'spec', prd: 'PRD' } as const;
const RISKS = new Set(['low', 'medium', 'high']);

/**
 * Resolves every reference: the returned tasks name target-repository paths, or no document at all.
 * `file` is the imported file, which the diagnostics name.
 */
export function resolveDocuments(
  file: string,
  tasks: Task[],
  references: DocumentReference[],
  access: DocumentAccess,
  targets: DocumentTargets,
): { tasks: Task[]; documents: PlannedDocument[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const documents: PlannedDocument[] = [];
  const byId = new Map(tasks.map((t) => [t.id, { ...t }]));
  // one outcome per source document, and which source took each target path
  const outcomes = new Map<string, { path?: string; problem?: string }>();
  const claimed = new Map<string, string>();

  for (const ref of references) {
    const task = byId.get(ref.task);
    if (!task) continue;
    const key = `${ref.field}\u0000${ref.path}`;
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = place(ref, task, access, targets, claimed, documents);
      outcomes.set(key, outcome);
    }
    if (outcome.path) {
      task[ref.field] = outcome.path;
      continue;
    }
    delete task[ref.field];
    task.description = joinSections([
      task.description,
      `${ref.field === 'spec' ? 'Spec' : 'PRD'} not imported: ${ref.path}`,
    ]);
    diagnostics.push({
      severity: 'warning',
      code: 'document-dropped',
      message: `task "${task.id}": ${FIELD_NAME[ref.field]} ${JSON.stringify(ref.path)} ${outcome.problem}; reference dropped`,
      file,
      ...ref.at,
    });
  }
  return { tasks: tasks.map((t) => byId.get(t.id)!), documents, diagnostics };
}

function place(
  ref: DocumentReference,
  task: Task,
  access: DocumentAccess,
  targets: DocumentTargets,
  claimed: Map<string, string>,
  documents: PlannedDocument[],
): { path?: string; problem?: string } {
  const sourceText = access.source(ref.path);
  if (sourceText === undefined) return { problem: 'is not in the source repository' };
  const path = posix.join(ref.field === 'spec' ? targets.specs : targets.prds, posix.basename(ref.path));
  const other = claimed.get(path);
  if (other !== undefined && other !== ref.path)
    return { problem: `would be copied to ${path}, which ${other} already takes` };
  const text = ours(ref, task, sourceText, path, targets.today);
  if (typeof text !== 'string') return { problem: text.problem };
  const existing = access.target(path);
  if (existing !== undefined && existing !== text)
    return { problem: `would be copied to ${path}, which exists with other content` };
  if (other === undefined) {
    claimed.set(path, ref.path);
    if (existing === undefined) documents.push({ path, text, from: ref.path });
  }
  return { path };
}

/** The document as our loader reads it: given front matter of ours when it has none; refused when it has other. */
function ours(
  ref: DocumentReference,
  task: Task,
  text: string,
  path: string,
  today: string,
): string | { problem: string } {
  const refused = (message: string) => ({
    problem: `cannot be read as a ${FIELD_NAME[ref.field]} (${message})`,
  });
  if (findFrontMatter(text) === 'absent') {
    // generated fields are checked as data: no YAML round trip for each of thousands of documents
    const fields = frontMatter(ref, task, text, path, today);
    const validate = ref.field === 'spec' ? validateSpec : validatePrd;
    if (!validate(fields)) return refused(`front matter: ${validate.errors?.[0]?.message ?? 'invalid'}`);
    // YAML reads JSON scalars and lists as they are
    const lines = Object.entries(fields).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    return `---\n${lines.join('\n')}\n---\n\n${text}`;
  }
  const source = decodeSource(path, Buffer.from(text)).source;
  if (!source) return refused('not UTF-8 text');
  const parsed = ref.field === 'spec' ? parseSpec(source) : parsePrd(source);
  const error = parsed.diagnostics.find((d) => d.severity === 'error');
  return error ? refused(error.message) : text;
}

function frontMatter(
  ref: DocumentReference,
  task: Task,
  text: string,
  path: string,
  today: string,
): Record<string, unknown> {
  const name = posix.basename(path).replace(/\.md$/i, '');
  const id = buildId('', name)?.id ?? `doc-${shortHash(path)}`;
  const title = /^#\s+(.+)$/m.exec(text)?.[1].trim() || task.title;
  const owners = [task.owner ?? 'imported'];
  if (ref.field === 'prd') return { id, title, owners };
  const risk = task.labels?.find((l) => l.startsWith('risk:'))?.slice('risk:'.length);
  // CO keeps the review date in the body; without one, the import is the review
  const lastReview = /^last_review:\s*(\d{4}-\d{2}-\d{2})\s*$/m.exec(text)?.[1] ?? today;
  return {
    id,
    title,
    status: 'draft',
    owners,
    risk: risk && RISKS.has(risk) ? risk : 'medium',
    last_review: lastReview,
  };
}
