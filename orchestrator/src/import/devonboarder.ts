/**
 * DevOnboarder `codex.tasks.json`: `{ "tasks": [...], "completedTasks": [...] }`, or a bare array of
 * tasks (its first form). Entries are `{ id, title, module, description, status, milestone }` with
 * status `planned`, `deferred` or `complete`; finished entries are moved to `completedTasks`.
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
  labelValue,
  normalizeStatus,
  parseJsonTree,
  prop,
  Reporter,
  readOptionalText,
  readPriority,
  readTitle,
  stringOf,
  stripBom,
  type TaskDraft,
  textOf,
  typeName,
} from './common.js';
import type { ImportResult } from './types.js';

type ListName = 'tasks' | 'completedTasks';

interface Entry {
  node: Node;
  list: ListName;
  /** The source id as written, the key dependencies use. */
  key?: string;
  idNode?: Node;
}

const DEPENDENCY_KEYS = ['dependencies', 'depends_on', 'dependsOn'];

function mapStatus(
  raw: string | undefined,
  list: ListName,
): { phase: Phase; label?: string; known: boolean } {
  if (raw === undefined) return { phase: list === 'completedTasks' ? 'done' : 'pending', known: true };
  switch (normalizeStatus(raw)) {
    case 'planned':
    case 'pending':
    case 'todo':
    case 'open':
    case 'backlog':
      return { phase: 'pending', known: true };
    case 'complete':
    case 'completed':
    case 'done':
      return { phase: 'done', known: true };
    case 'deferred':
      return { phase: 'pending', label: 'deferred', known: true };
    case 'in-progress':
    case 'active':
    case 'started':
      return { phase: 'pending', label: 'in-progress', known: true };
    case 'blocked':
      return { phase: 'blocked', known: true };
    case 'cancelled':
    case 'canceled':
      return { phase: 'cancelled', known: true };
    default:
      return { phase: 'pending', known: false };
  }
}

/** Collects entries from the `tasks`/`completedTasks` arrays (or the bare array), checking shape. */
function collect(r: Reporter, root: Node): Entry[] {
  const lists: { list: ListName; node: Node }[] = [];
  if (root.type === 'array') {
    lists.push({ list: 'tasks', node: root });
  } else if (root.type === 'object') {
    for (const list of ['tasks', 'completedTasks'] as const) {
      const node = prop(root, list);
      if (!node) continue;
      if (node.type !== 'array') {
        r.error('wrong-shape', `"${list}" must be an array, found ${typeName(node)}`, node.offset);
        continue;
      }
      lists.push({ list, node });
    }
    if (!prop(root, 'tasks') && !prop(root, 'completedTasks')) {
      r.error(
        'wrong-shape',
        'expected a "tasks" or "completedTasks" array',
        root.offset,
        'DevOnboarder files look like { "tasks": [...], "completedTasks": [...] } or a bare array of tasks',
      );
    }
  } else {
    r.error('wrong-shape', `expected an object or an array of tasks, found ${typeName(root)}`, root.offset);
  }

  const entries: Entry[] = [];
  for (const { list, node } of lists) {
    for (const el of elements(node)) {
      if (el.type !== 'object') {
        r.error('wrong-shape', `each entry of "${list}" must be an object, found ${typeName(el)}`, el.offset);
        continue;
      }
      const idNode = prop(el, 'id');
      entries.push({ node: el, list, idNode, key: textOf(idNode) });
    }
  }
  return entries;
}

export function convertDevOnboarder(
  file: string,
  input: string,
  existingIds: ReadonlySet<string>,
): ImportResult {
  const r = new Reporter(file, stripBom(input));
  const root = parseJsonTree(r);
  if (!root) return finish(r, []);
  const entries = collect(r, root);

  // The real file lists feedback-002 both as planned and as complete: the archive entry wins.
  const completedKeys = new Set(
    entries.filter((e) => e.list === 'completedTasks' && e.key).map((e) => e.key),
  );
  const kept = entries.filter((e) => {
    if (e.list === 'tasks' && e.key && completedKeys.has(e.key)) {
      r.warn(
        'duplicate-task',
        `task "${e.key}" is listed in both "tasks" and "completedTasks"; imported once, as done`,
        e.idNode?.offset ?? e.node.offset,
        'remove the stale entry from "tasks"',
      );
      return false;
    }
    return true;
  });

  const ids = new IdAllocator(existingIds);
  const byKey = new Map<string, string>();
  const converted: { entry: Entry; task: TaskDraft }[] = [];
  for (const entry of kept) {
    const { node, idNode } = entry;
    const what = `task ${entry.key ? JSON.stringify(entry.key) : `at index ${indexIn(node)}`} in "${entry.list}"`;
    const title = readTitle(r, node, what);
    let id: string | undefined;
    if (!idNode) {
      r.error('missing-id', `${what} has no "id"`, node.offset, 'give every task an "id" such as "auth-001"');
    } else if (idNode.type === 'number') {
      // Bare numbers would collide with other tools' ids; a prefix keeps their origin visible.
      id = convertId(r, 'do-', String(idNode.value), idNode.offset, what);
    } else if (idNode.type === 'string') {
      id = convertId(r, '', String(idNode.value), idNode.offset, what);
    } else {
      r.error(
        'invalid-id',
        `${what}: "id" is a ${typeName(idNode)}, expected text or a number`,
        idNode.offset,
      );
    }
    if (!id || !title) continue;
    const finalId = ids.claim(r, id, idNode?.offset);
    if (entry.key !== undefined && !byKey.has(entry.key)) byKey.set(entry.key, finalId);
    converted.push({ entry, task: draft(finalId, title) });
  }

  const known = new Set(entries.map((e) => e.key).filter((k): k is string => k !== undefined));
  for (const { entry, task } of converted) {
    const { node } = entry;
    const what = `task "${task.id}"`;
    task.description = readOptionalText(r, node, 'description', what);

    const module = readOptionalText(r, node, 'module', what);
    if (module) addUnique(task.labels, `module:${labelValue(module)}`);
    const milestone = textOf(prop(node, 'milestone'));
    if (milestone) addUnique(task.labels, `milestone:${labelValue(milestone)}`);

    const statusNode = prop(node, 'status');
    const rawStatus = stringOf(statusNode)?.trim() || undefined;
    const mapped = mapStatus(rawStatus, entry.list);
    if (!mapped.known) {
      r.warn(
        'unknown-status',
        `${what}: unknown status ${JSON.stringify(rawStatus)}; imported as pending`,
        statusNode?.offset,
      );
    }
    addUnique(task.labels, mapped.label);
    if (rawStatus !== undefined && (mapped.phase !== 'pending' || mapped.label || !mapped.known)) {
      task.status = importedStatus(mapped.phase, `DevOnboarder status "${rawStatus}"`);
    } else if (rawStatus === undefined && mapped.phase === 'done') {
      task.status = importedStatus('done', 'listed in DevOnboarder completedTasks');
    }

    const priority = readPriority(r, node, what);
    if (priority) task.priority = priority;

    // Not seen in DevOnboarder's own file, but accepted so hand-extended files keep their edges.
    for (const depKey of DEPENDENCY_KEYS) {
      const depsNode = prop(node, depKey);
      if (!depsNode) continue;
      if (depsNode.type !== 'array') {
        r.warn(
          'ignored-field',
          `${what}: "${depKey}" is a ${typeName(depsNode)}, expected an array; ignored`,
          depsNode.offset,
        );
        continue;
      }
      for (const depNode of elements(depsNode)) {
        const dep = textOf(depNode);
        const target = dep === undefined ? undefined : byKey.get(dep);
        if (target === task.id) {
          r.warn('self-dependency', `${what} depends on itself; dependency dropped`, depNode.offset);
        } else if (target) {
          addDependency(task, target, depNode.offset);
        } else if (dep !== undefined && known.has(dep)) {
          r.warn(
            'unknown-dependency',
            `${what} depends on "${dep}", which could not be imported; dependency dropped`,
            depNode.offset,
          );
        } else {
          r.warn(
            'unknown-dependency',
            `${what} depends on ${dep === undefined ? 'a non-id value' : `"${dep}"`}, which is not in this file; dependency dropped`,
            depNode.offset,
          );
        }
      }
    }
  }

  return finish(
    r,
    converted.map(({ task }) => task),
  );
}

function indexIn(node: Node): number {
  return node.parent?.children?.indexOf(node) ?? 0;
}
