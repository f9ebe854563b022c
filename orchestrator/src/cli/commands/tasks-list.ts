import { UsageError } from '../../errors.js';
import { isReady, unfinishedDependencies } from '../../plan/next-task.js';
import { PHASES, type Phase, phaseOf, priorityOf } from '../../repo/task-types.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';
import { escapeTerminal } from '../../util/terminal-text.js';

const tasksList: CommandHandler = async ({ cwd, options, out }) => {
  const phases = (options.phase as string[] | undefined) ?? [];
  for (const p of phases) {
    if (!PHASES.includes(p as Phase))
      throw new UsageError(`unknown phase "${p}"`, `phases: ${PHASES.join(', ')}`);
  }
  const labels = (options.label as string[] | undefined) ?? [];
  const { index } = await openTaskIndex(cwd, 'fast', out);
  const tasks = index.tasks.filter(
    (t) =>
      (phases.length === 0 || phases.includes(phaseOf(t))) &&
      (labels.length === 0 || labels.every((l) => t.labels?.includes(l))) &&
      (!options.ready || isReady(index, t)),
  );
  if (options.json) {
    out.json({
      tasks: tasks.map((t) => ({ ...t, phase: phaseOf(t), ready: isReady(index, t) })),
    });
    return 0;
  }
  if (tasks.length === 0) {
    out.line(
      index.tasks.length === 0 ? 'no tasks yet: add one with `cxo tasks add --title ...`' : 'no task matches',
    );
    return 0;
  }
  const idWidth = Math.min(40, Math.max(2, ...tasks.map((t) => t.id.length)));
  const rows = [`${'ID'.padEnd(idWidth)}  ${'PHASE'.padEnd(17)}  ${'PRIORITY'.padEnd(8)}  TITLE`];
  for (const t of tasks) {
    const phase = phaseOf(t);
    // a done task shows no wait: its dependencies are not looked up (most of a large index is done)
    const waiting = phase === 'done' ? [] : unfinishedDependencies(index, t);
    const deps = waiting.length > 0 ? `  (waits for ${waiting.join(', ')})` : '';
    rows.push(
      `${t.id.padEnd(idWidth)}  ${phase.padEnd(17)}  ${priorityOf(t).padEnd(8)}  ${escapeTerminal(t.title)}${deps}`,
    );
  }
  out.line(rows.join('\n'));
  return 0;
};
export default tasksList;
