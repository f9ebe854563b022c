import { nextTask, WORKABLE_PHASES } from '../../plan/next-task.js';
import { phaseOf, priorityOf } from '../../repo/task-types.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';

const tasksNext: CommandHandler = async ({ cwd, options, out }) => {
  const { index } = await openTaskIndex(cwd, 'fast');
  const task = nextTask(index);
  if (options.json) {
    out.json({ task: task ? { ...task, phase: phaseOf(task) } : null });
    return 0;
  }
  if (!task) {
    const open = index.tasks.filter((t) => WORKABLE_PHASES.includes(phaseOf(t))).length;
    out.line(
      open === 0
        ? 'nothing to do: no task is pending'
        : `no task is ready: ${open} open task(s) wait for dependencies`,
    );
    return 0;
  }
  out.line(`${out.bold(task.id)}  ${task.title}`);
  out.line(`  priority ${priorityOf(task)}, phase ${phaseOf(task)}${task.spec ? `, spec ${task.spec}` : ''}`);
  out.line(out.dim(`  details: cxo tasks show ${task.id}`));
  return 0;
};
export default tasksNext;
