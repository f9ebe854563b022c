import { NotFoundError, UsageError } from '../../errors.js';
import { commitFiles } from '../../git/git.js';
import { repoPathProblem } from '../../repo/repo-paths.js';
import { generateTaskId } from '../../repo/task-ids.js';
import { appendTask } from '../../repo/task-index-edit.js';
import { PRIORITIES, type Priority, type Task } from '../../repo/task-types.js';
import { writeTaskIndex } from '../../repo/write-index.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';
import { escapeTerminal } from '../../util/terminal-text.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

const tasksAdd: CommandHandler = async ({ cwd, options, out }) => {
  const title = (options.title as string | undefined)?.trim();
  if (!title) throw new UsageError('--title is required', 'cxo tasks add --title "What needs doing"');
  const priority = options.priority as string | undefined;
  if (priority !== undefined && !PRIORITIES.includes(priority as Priority)) {
    throw new UsageError(`--priority must be one of ${PRIORITIES.join(', ')}`);
  }
  const { root, index } = await openTaskIndex(cwd, 'full', out);
  const explicitId = options.id as string | undefined;
  if (explicitId !== undefined) {
    if (!ID_PATTERN.test(explicitId)) {
      throw new UsageError(
        `--id "${explicitId}" is not a valid id`,
        'use letters, digits, ".", "_" and "-" (max 80)',
      );
    }
    if (index.byId.has(explicitId)) throw new UsageError(`a task "${explicitId}" already exists`);
  }
  const dependsOn = (options['depends-on'] as string[] | undefined) ?? [];
  for (const dep of dependsOn) {
    if (!index.byId.has(dep))
      throw new NotFoundError(`--depends-on "${dep}": no such task`, 'list ids with `cxo tasks list`');
  }
  for (const [flag, value] of [
    ['--spec', options.spec],
    ['--prd', options.prd],
    ['--checklist', (options.checklist as string | undefined)?.split('#')[0]],
    ...((options.path as string[] | undefined) ?? []).map((p) => ['--path', p]),
  ] as [string, string | undefined][]) {
    const problem = value !== undefined ? repoPathProblem(value) : undefined;
    if (problem) throw new UsageError(`${flag} ${JSON.stringify(value)}: ${problem}`);
  }
  const task: Task = { id: explicitId ?? generateTaskId(title, (id) => index.byId.has(id)), title };
  const optional: [keyof Task, unknown][] = [
    ['description', options.description],
    ['spec', options.spec],
    ['prd', options.prd],
    ['checklist', options.checklist],
    ['dependsOn', dependsOn.length ? dependsOn : undefined],
    ['priority', priority],
    ['labels', options.label],
    ['owner', options.owner],
    ['acceptance', options.acceptance],
    ['paths', options.path],
  ];
  for (const [key, value] of optional)
    if (value !== undefined) (task as unknown as Record<string, unknown>)[key] = value;
  writeTaskIndex(root, index, appendTask(index, task));
  let commit: string | undefined;
  if (options.commit)
    commit = commitFiles(root, [index.file], `cxo(${task.id}): add task\n\nTask-Id: ${task.id}`);
  if (options.json) out.json({ task, commit: commit ?? null });
  else
    out.line(
      `added ${out.bold(task.id)}: ${escapeTerminal(task.title)}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`,
    );
  return 0;
};
export default tasksAdd;
