/**
 * task-master-ai `.taskmaster/tasks/tasks.json`, tagged `{ "<tag>": { "tasks": [...], "metadata": {...} } }`
 * or legacy `{ "tasks": [...] }`. Tasks: `{ id, title, description, details, testStrategy, status,
 * dependencies, priority, subtasks[] }`; ids are numbers, or numeric strings in newer files. Subtask ids
 * are local to the parent; a subtask dependency is a sibling's local id (number) or a dotted "3.2".
 */
import type { Node } from 'jsonc-parser';
import type { Phase } from '../repo/task-types.js';
import {
  addDependency,
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
  readOptionalText,
  readPriority,
  readTitle,
  sanitizeIdPart,
  shortHash,
  stringOf,
  stripBom,
  type TaskDraft,
  textOf,
  toRepoPath,
  typeName,
} from './common.js';
import type { ImportResult } from './types.js';

interface Tag {
  /** Undefined for the legacy untagged layout. */
  name?: string;
  tasksNode: Node;
  prefix: string;
}

interface Entry {
  node: Node;
  tag: Tag;
  /** "3" for a task, "3.2" for a subtask: the form dependencies use. */
  key: string;
  parentKey?: string;
  task: TaskDraft;
}

function mapStatus(raw: string): { phase: Phase; label?: string; known: boolean } {
  switch (normalizeStatus(raw)) {
    case 'pending':
      return { phase: 'pending', known: true };
    // No run exists for work task-master saw in flight; keep the fact as a label instead.
    case 'in-progress':
      return { phase: 'pending', label: 'in-progress', known: true };
    case 'review':
      return { phase: 'pending', label: 'review', known: true };
    case 'done':
    case 'completed':
      return { phase: 'done', known: true };
    case 'deferred':
      return { phase: 'pending', label: 'deferred', known: true };
    case 'cancelled':
    case 'canceled':
      return { phase: 'cancelled', known: true };
    case 'blocked':
      return { phase: 'blocked', known: true };
    default:
      return { phase: 'pending', known: false };
  }
}

/** The tag blocks of the file, in file order. */
function findTags(r: Reporter, root: Node): Tag[] {
  if (root.type !== 'object') {
    r.error('wrong-shape', `expected an object, found ${typeName(root)}`, root.offset);
    return [];
  }
  const legacy = prop(root, 'tasks');
  if (legacy?.type === 'array') return [{ tasksNode: legacy, prefix: 'tm-' }];

  const tags: Tag[] = [];
  let problems = false;
  for (const property of root.children ?? []) {
    const name = stringOf(property.children?.[0]);
    const value = property.children?.[1];
    if (name === undefined || !value) continue;
    const tasksNode = prop(value, 'tasks');
    if (!tasksNode) {
      if (name === 'tasks') {
        r.error('wrong-shape', `"tasks" must be an array, found ${typeName(value)}`, value.offset);
        problems = true;
      } else {
        r.warn(
          'ignored-field',
          `top-level "${name}" is not a tag (it has no "tasks" array); ignored`,
          property.offset,
        );
      }
      continue;
    }
    if (tasksNode.type !== 'array') {
      r.error(
        'wrong-shape',
        `tag "${name}": "tasks" must be an array, found ${typeName(tasksNode)}`,
        tasksNode.offset,
      );
      problems = true;
      continue;
    }
    // master keeps the short tm-<n> ids; other tags repeat task numbers, so their ids carry the tag.
    const slug = sanitizeIdPart(name) || shortHash(name);
    tags.push({ name, tasksNode, prefix: name === 'master' ? 'tm-' : `tm-${slug}-` });
  }
  if (tags.length === 0 && !problems) {
    r.error(
      'wrong-shape',
      'expected { "tasks": [...] } or tagged { "master": { "tasks": [...] } }',
      root.offset,
      'this does not look like a task-master tasks.json',
    );
  }
  return tags;
}

/** A task or subtask id as a dependency key, or undefined when it is not an id. */
function idKey(node: Node | undefined): string | undefined {
  if (node?.type === 'number') {
    const n = Number(node.value);
    return Number.isInteger(n) && n >= 0 ? String(n) : undefined;
  }
  const s = stringOf(node)?.trim();
  return s ? s : undefined;
}

export function convertTaskmaster(
  file: string,
  input: string,
  existingIds: ReadonlySet<string>,
): ImportResult {
  const r = new Reporter(file, stripBom(input));
  const root = parseJsonTree(r);
  if (!root) return finish(r, []);
  const tags = findTags(r, root);

  const ids = new IdAllocator(existingIds);
  const entries: Entry[] = [];
  // Per tag: dependency key -> imported id, and every key written in the source.
  const resolved = new Map<Tag, Map<string, string>>();
  const seen = new Map<Tag, Set<string>>();

  const register = (tag: Tag, node: Node, key: string, title: string | undefined, parentKey?: string) => {
    seen.get(tag)?.add(key);
    const idNode = prop(node, 'id');
    const label = tag.name ? `task ${key} in tag "${tag.name}"` : `task ${key}`;
    const id = convertId(r, tag.prefix, key, idNode?.offset, label);
    if (!id || !title) return undefined;
    const finalId = ids.claim(r, id, idNode?.offset);
    const byKey = resolved.get(tag);
    if (byKey && !byKey.has(key)) byKey.set(key, finalId);
    const entry: Entry = { node, tag, key, parentKey, task: draft(finalId, title) };
    entries.push(entry);
    return entry;
  };

  for (const tag of tags) {
    resolved.set(tag, new Map());
    seen.set(tag, new Set());
    const where = tag.name ? ` in tag "${tag.name}"` : '';
    for (const node of elements(tag.tasksNode)) {
      if (node.type !== 'object') {
        r.error('wrong-shape', `each task${where} must be an object, found ${typeName(node)}`, node.offset);
        continue;
      }
      const idNode = prop(node, 'id');
      const key = idKey(idNode);
      const what = key
        ? `task ${key}${where}`
        : `task at index ${tag.tasksNode.children?.indexOf(node) ?? 0}${where}`;
      const title = readTitle(r, node, what);
      if (!idNode) r.error('missing-id', `${what} has no "id"`, node.offset);
      else if (key === undefined)
        r.error(
          'invalid-id',
          `${what}: "id" ${describe(idNode)} cannot be converted`,
          idNode.offset,
          'task-master ids are whole numbers',
        );
      const parent = key === undefined ? undefined : register(tag, node, key, title);

      const subtasksNode = prop(node, 'subtasks');
      if (subtasksNode && subtasksNode.type !== 'array') {
        r.warn(
          'ignored-field',
          `${what}: "subtasks" is a ${typeName(subtasksNode)}, expected an array; ignored`,
          subtasksNode.offset,
        );
      }
      for (const sub of elements(subtasksNode)) {
        if (sub.type !== 'object') {
          r.error(
            'wrong-shape',
            `each subtask of ${what} must be an object, found ${typeName(sub)}`,
            sub.offset,
          );
          continue;
        }
        const subIdNode = prop(sub, 'id');
        let local = idKey(subIdNode);
        // API storage writes display ids such as "3.2"; the local part is what siblings use.
        if (local && key && local.startsWith(`${key}.`)) local = local.slice(key.length + 1);
        const subWhat = local && key ? `subtask ${key}.${local}${where}` : `a subtask of ${what}`;
        const subTitle = readTitle(r, sub, subWhat);
        if (!subIdNode) r.error('missing-id', `${subWhat} has no "id"`, sub.offset);
        else if (local === undefined)
          r.error(
            'invalid-id',
            `${subWhat}: "id" ${describe(subIdNode)} cannot be converted`,
            subIdNode.offset,
          );
        if (key === undefined || local === undefined) continue;
        const entry = register(tag, sub, `${key}.${local}`, subTitle, key);
        if (entry && parent) addUnique(entry.task.labels, `parent:${parent.task.id}`);
      }
    }
  }

  for (const entry of entries) fill(r, entry, resolved.get(entry.tag)!, seen.get(entry.tag)!);
  return finish(
    r,
    entries.map((e) => e.task),
  );
}

function describe(node: Node): string {
  return node.type === 'number' ? `${node.value}` : `is a ${typeName(node)}`;
}

function fill(r: Reporter, entry: Entry, byKey: Map<string, string>, seen: Set<string>): void {
  const { node, task, tag } = entry;
  const what = `task "${task.id}"`;

  const acceptanceNode = prop(node, 'acceptanceCriteria');
  const acceptance =
    acceptanceNode?.type === 'array'
      ? elements(acceptanceNode)
          .map((n) => textOf(n))
          .filter((s): s is string => !!s)
          .map((s) => `- ${s}`)
          .join('\n')
      : readOptionalText(r, node, 'acceptanceCriteria', what);
  const details = readOptionalText(r, node, 'details', what);
  const testStrategy = readOptionalText(r, node, 'testStrategy', what);
  // Our `acceptance` holds shell commands, so task-master's prose criteria stay in the description.
  task.description = joinSections([
    readOptionalText(r, node, 'description', what),
    details ? `Details:\n${details}` : undefined,
    testStrategy ? `Test strategy:\n${testStrategy}` : undefined,
    acceptance ? `Acceptance criteria:\n${acceptance}` : undefined,
  ]);

  if (tag.name) addUnique(task.labels, `tag:${labelValue(tag.name)}`);

  const statusNode = prop(node, 'status');
  const rawStatus = stringOf(statusNode)?.trim();
  if (rawStatus) {
    const mapped = mapStatus(rawStatus);
    if (!mapped.known) {
      r.warn(
        'unknown-status',
        `${what}: unknown status ${JSON.stringify(rawStatus)}; imported as pending`,
        statusNode?.offset,
      );
    }
    addUnique(task.labels, mapped.label);
    if (mapped.phase !== 'pending' || mapped.label || !mapped.known) {
      task.status = importedStatus(mapped.phase, `task-master status "${rawStatus}"`);
    }
  }

  const priority = readPriority(r, node, what);
  if (priority) task.priority = priority;

  const assignee = textOf(prop(node, 'assignee'));
  if (assignee) task.owner = assignee;
  for (const f of elements(prop(node, 'relevantFiles'))) {
    const p = toRepoPath(stringOf(prop(f, 'path')) ?? '');
    addUnique(task.paths, p);
  }

  const depsNode = prop(node, 'dependencies');
  if (depsNode && depsNode.type !== 'array') {
    r.warn(
      'ignored-field',
      `${what}: "dependencies" is a ${typeName(depsNode)}, expected an array; ignored`,
      depsNode.offset,
    );
    return;
  }
  for (const depNode of elements(depsNode)) {
    const dep = idKey(depNode);
    let key = dep;
    if (dep !== undefined && entry.parentKey !== undefined && !dep.includes('.')) {
      // Inside a subtask a bare number names a sibling; fall back to a top-level task of that number.
      const sibling = `${entry.parentKey}.${dep}`;
      if (seen.has(sibling)) key = sibling;
    }
    const target = key === undefined ? undefined : byKey.get(key);
    if (target === task.id) {
      r.warn('self-dependency', `${what} depends on itself; dependency dropped`, depNode.offset);
    } else if (target) {
      addDependency(task, target, depNode.offset);
    } else if (key !== undefined && seen.has(key)) {
      r.warn(
        'unknown-dependency',
        `${what} depends on ${key}, which could not be imported; dependency dropped`,
        depNode.offset,
      );
    } else {
      r.warn(
        'unknown-dependency',
        `${what} depends on ${dep === undefined ? 'a value that is not an id' : dep}, which does not exist${tag.name ? ` in tag "${tag.name}"` : ''}; dependency dropped`,
        depNode.offset,
      );
    }
  }
}
