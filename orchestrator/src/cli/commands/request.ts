import { NotFoundError } from '../../errors.js';
import { commitFiles } from '../../git/git.js';
import { setTaskFields } from '../../repo/task-index-edit.js';
import { writeTaskIndex } from '../../repo/write-index.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';

const request: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, index } = await openTaskIndex(cwd, 'full', out);
  const task = index.byId.get(args.id!);
  if (!task)
    throw new NotFoundError(`no task "${args.id}" in ${index.file}`, 'list ids with `cxo tasks list`');
  const value = (options.value as string | undefined) ?? new Date().toISOString();
  const changed = task.request !== value;
  if (changed) writeTaskIndex(root, index, setTaskFields(index, task.id, { request: value }));
  let commit: string | undefined;
  if (options.commit && changed) {
    commit = commitFiles(root, [index.file], `cxo(${task.id}): request ${value}\n\nTask-Id: ${task.id}`);
  }
  if (options.json) out.json({ id: task.id, request: value, changed, commit: commit ?? null });
  else if (!changed) out.line(`${task.id} already has request ${JSON.stringify(value)}; nothing changed`);
  else
    out.line(
      `requested ${out.bold(task.id)}: request = ${JSON.stringify(value)}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`,
    );
  return 0;
};
export default request;
