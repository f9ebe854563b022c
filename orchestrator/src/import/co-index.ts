/**
 * Kbediako/CO (Codex-Orchestrator) `tasks/index.json`: `{ "items": [...], "specs"?: [...] }`.
 *
 * Items are either registry rows `{ id, title, relates_to, risk, owners, status, paths: { spec, task,
 * prd, docs, agent_task, ... }, approvals, completed_at }` or gated rows `{ id, slug, title, path,
 * kind: prd|plan|run|task_list, status, gate: { phase, status, log, run_id } }`. `specs` (dropped in
 * later versions) lists mini-specs `{ id, title, path | paths.spec, relates_to | paths.task, gate? }`
 * that govern an item; they are attached to that item, not imported as tasks.
 */
import type { Node } from 'jsonc-parser';
import type { Phase } from '../repo/task-types.js';
import {
  addUnique,
  convertId,
  draft,
  elements,
  finish,
  IdAllocator,
  importedStatus,
  joinSections,
  labelValue,
  normalizeStatus,
  parseJsonTree,
  prop,
  Reporter,
  readTitle,
  stringOf,
  stripBom,
  type TaskDraft,
  textOf,
  toRepoPath,
  typeName,
} from './common.js';
import type { ImportResult } from './types.js';

const DONE = new Set(['done', 'complete', 'completed', 'succeeded', 'approved']);
const PENDING = new Set(['pending', 'planned', 'todo', 'backlog', 'backlog-packet', 'not-started']);
const APPROVED_GATE = new Set(['approved', 'succeeded', 'done', 'completed', 'complete', 'passed']);

/** Paths under `paths` that have a field of their own; the rest are listed in the description. */
const MAPPED_PATH_KEYS = new Set(['spec', 'prd', 'task']);

function mapStatus(raw: string): { phase: Phase; label?: string } {
  const s = normalizeStatus(raw);
  if (DONE.has(s)) return { phase: 'done' };
  if (PENDING.has(s)) return { phase: 'pending' };
  if (s === 'blocked') return { phase: 'blocked' };
  if (s === 'cancelled' || s === 'canceled') return { phase: 'cancelled' };
  // CO writes free-form in-flight statuses (in_progress, rework, review_green_pre_pr, ...): all are
  // work that started but has no run here.
  return { phase: 'pending', label: 'in-progress' };
}

interface Converted {
  node: Node;
  task: TaskDraft;
  /** Documents that identify the item, for matching `specs` entries. */
  keys: string[];
  extraSpecs: string[];
}

export function convertCoIndex(file: string, input: string, existingIds: ReadonlySet<string>): ImportResult {
  const r = new Reporter(file, stripBom(input));
  const root = parseJsonTree(r);
  if (!root) return finish(r, []);
  if (root.type !== 'object') {
    r.error('wrong-shape', `expected an object with an "items" array, found ${typeName(root)}`, root.offset);
    return finish(r, []);
  }
  const itemsNode = prop(root, 'items');
  if (!itemsNode) {
    r.error(
      'wrong-shape',
      'expected an "items" array',
      root.offset,
      'CO task indexes look like { "items": [...] }',
    );
    return finish(r, []);
  }
  if (itemsNode.type !== 'array') {
    r.error('wrong-shape', `"items" must be an array, found ${typeName(itemsNode)}`, itemsNode.offset);
    return finish(r, []);
  }

  const ids = new IdAllocator(existingIds);
  const converted: Converted[] = [];
  for (const node of elements(itemsNode)) {
    if (node.type !== 'object') {
      r.error('wrong-shape', `each entry of "items" must be an object, found ${typeName(node)}`, node.offset);
      continue;
    }
    const idNode = prop(node, 'id');
    const rawId = textOf(idNode);
    const what = `item ${rawId ? JSON.stringify(rawId) : `at index ${node.parent?.children?.indexOf(node) ?? 0}`}`;
    const title = readTitle(r, node, what);
    let id: string | undefined;
    if (!idNode) r.error('missing-id', `${what} has no "id"`, node.offset);
    else if (rawId === undefined)
      r.error('invalid-id', `${what}: "id" is a ${typeName(idNode)}, expected text`, idNode.offset);
    else id = convertId(r, 'co-', rawId, idNode.offset, what);
    if (!id || !title) continue;
    const task = draft(ids.claim(r, id, idNode?.offset), title);
    converted.push({ node, task, keys: [], extraSpecs: [] });
  }

  for (const c of converted) fillItem(r, c);
  attachSpecs(r, prop(root, 'specs'), converted);

  for (const c of converted) {
    if (c.extraSpecs.length > 0) {
      c.task.description = joinSections([c.task.description, `Also governed by: ${c.extraSpecs.join(', ')}`]);
    }
  }
  return finish(
    r,
    converted.map((c) => c.task),
  );
}

/** Sets `spec` or `prd` unless already set, keeping where the source names it. */
function setDocument(
  task: TaskDraft,
  field: 'spec' | 'prd',
  path: string | undefined,
  node: Node | undefined,
): void {
  if (!path || task[field]) return;
  task[field] = path;
  task.at[field] = node?.offset;
}

/** Reads a repository path field, warning when it is absolute or leaves the repository. */
function repoPath(r: Reporter, node: Node | undefined, what: string): string | undefined {
  const raw = stringOf(node);
  if (raw === undefined || raw.trim() === '') return undefined;
  const p = toRepoPath(raw);
  if (!p)
    r.warn(
      'invalid-path',
      `${what}: ${JSON.stringify(raw)} is not a repository-relative path; ignored`,
      node?.offset,
    );
  return p;
}

function fillItem(r: Reporter, c: Converted): void {
  const { node, task } = c;
  const what = `item "${task.id}"`;
  const kind = textOf(prop(node, 'kind'));
  if (kind) addUnique(task.labels, `kind:${labelValue(kind)}`);
  const risk = textOf(prop(node, 'risk'));
  if (risk) addUnique(task.labels, `risk:${labelValue(risk)}`);

  const owners = elements(prop(node, 'owners'))
    .map((o) => textOf(o))
    .filter((o): o is string => !!o);
  if (owners.length > 0) task.owner = owners[0];

  const pathsNode = prop(node, 'paths');
  const docs: string[] = [];
  let taskFile: string | undefined;
  if (pathsNode?.type === 'object') {
    setDocument(task, 'spec', repoPath(r, prop(pathsNode, 'spec'), what), prop(pathsNode, 'spec'));
    setDocument(task, 'prd', repoPath(r, prop(pathsNode, 'prd'), what), prop(pathsNode, 'prd'));
    taskFile = repoPath(r, prop(pathsNode, 'task'), what);
    for (const p of pathsNode.children ?? []) {
      const key = stringOf(p.children?.[0]);
      if (!key || MAPPED_PATH_KEYS.has(key)) continue;
      const value = repoPath(r, p.children?.[1], what);
      if (value) docs.push(`- ${key}: ${value}`);
    }
  }
  const path = repoPath(r, prop(node, 'path'), what);
  const relatesTo = repoPath(r, prop(node, 'relates_to'), what);
  if (path && kind === 'prd') setDocument(task, 'prd', path, prop(node, 'path'));
  else if (path) taskFile ??= path;
  if (relatesTo && /(^|\/)specs\//.test(relatesTo))
    setDocument(task, 'spec', relatesTo, prop(node, 'relates_to'));
  else if (relatesTo && /prd/i.test(relatesTo.split('/').pop() ?? ''))
    setDocument(task, 'prd', relatesTo, prop(node, 'relates_to'));
  else if (relatesTo) taskFile ??= relatesTo;
  c.keys = [path, relatesTo, taskFile, task.prd].filter((k): k is string => !!k);

  // Status: the item's own field, else a completion date, else pending.
  const statusNode = prop(node, 'status');
  const rawStatus = stringOf(statusNode)?.trim();
  if (rawStatus) {
    const mapped = mapStatus(rawStatus);
    addUnique(task.labels, mapped.label);
    if (mapped.phase !== 'pending' || mapped.label) {
      task.status = importedStatus(mapped.phase, `CO status "${rawStatus}"`);
    }
  } else if (textOf(prop(node, 'completed_at'))) {
    task.status = importedStatus('done', `CO item completed_at ${textOf(prop(node, 'completed_at'))}`);
  }

  const gate = prop(node, 'gate');
  const gatePhase = textOf(prop(gate, 'phase'));
  const gateStatus = textOf(prop(gate, 'status'));
  const issue = prop(node, 'source_issue');
  const issueId = textOf(prop(issue, 'identifier')) ?? textOf(prop(issue, 'id')) ?? textOf(issue);
  const issueUrl = textOf(prop(issue, 'url'));
  task.description = joinSections([
    taskFile ? `Task checklist: ${taskFile}` : undefined,
    docs.length > 0 ? `Documents:\n${docs.join('\n')}` : undefined,
    owners.length > 1 ? `Owners: ${owners.join(', ')}` : undefined,
    gatePhase || gateStatus ? `CO gate: ${[gatePhase, gateStatus].filter(Boolean).join(' ')}` : undefined,
    issueId ? `Source issue: ${issueId}${issueUrl ? ` (${issueUrl})` : ''}` : undefined,
  ]);
}

/** Attaches each `specs` entry to the item it governs, matched by the task or PRD file it relates to. */
function attachSpecs(r: Reporter, specsNode: Node | undefined, converted: Converted[]): void {
  if (!specsNode) return;
  if (specsNode.type !== 'array') {
    r.error('wrong-shape', `"specs" must be an array, found ${typeName(specsNode)}`, specsNode.offset);
    return;
  }
  const byKey = new Map<string, Converted>();
  for (const c of converted) for (const k of c.keys) if (!byKey.has(k)) byKey.set(k, c);

  for (const spec of elements(specsNode)) {
    if (spec.type !== 'object') {
      r.error('wrong-shape', `each entry of "specs" must be an object, found ${typeName(spec)}`, spec.offset);
      continue;
    }
    const specId = textOf(prop(spec, 'id')) ?? '(no id)';
    const what = `spec "${specId}"`;
    const paths = prop(spec, 'paths');
    const specPath = repoPath(r, prop(paths, 'spec'), what) ?? repoPath(r, prop(spec, 'path'), what);
    const targets = [repoPath(r, prop(paths, 'task'), what), repoPath(r, prop(spec, 'relates_to'), what)];
    const owner = targets.map((t) => (t ? byKey.get(t) : undefined)).find((c) => c !== undefined);
    if (!owner || !specPath) {
      r.warn(
        'orphan-spec',
        `${what} ${specPath ? `(${specPath}) ` : ''}relates to no imported item; not imported`,
        spec.offset,
        'specs are attached to the item whose task or PRD file they relate to',
      );
      continue;
    }
    if (!owner.task.spec)
      setDocument(owner.task, 'spec', specPath, prop(paths, 'spec') ?? prop(spec, 'path'));
    else if (owner.task.spec !== specPath) addUnique(owner.extraSpecs, specPath);
    const gateStatus = textOf(prop(prop(spec, 'gate'), 'status'));
    if (gateStatus && !APPROVED_GATE.has(normalizeStatus(gateStatus))) {
      addUnique(owner.task.labels, `spec-gate:${normalizeStatus(gateStatus)}`);
    }
  }
}
