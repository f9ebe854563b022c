import { type GateResult, gateTask } from '../../guard/dispatch-gate.js';
import { utcDayOf } from '../../guard/utc-date.js';
import { nextTask, WORKABLE_PHASES } from '../../plan/next-task.js';
import { loadSpec } from '../../repo/load-repo.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import { phaseOf, priorityOf, type Task } from '../../repo/task-types.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';
import { escapeTerminal } from '../../util/terminal-text.js';

const tasksNext: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config, index } = await openTaskIndex(cwd, 'fast', out);
  const today = utcDayOf(new Date());
  // the dispatch gate runs only on candidates, so only the specs looked at are parsed
  const blocked: { task: Task; gate: GateResult }[] = [];
  const task = nextTask(index, (candidate) => {
    const spec: SpecDoc | undefined = candidate.spec
      ? loadSpec(root, candidate.spec, config).spec
      : undefined;
    const gate = gateTask(candidate, index, spec, config, today);
    if (!gate.ok) blocked.push({ task: candidate, gate });
    return gate.ok;
  });
  if (options.json) {
    out.json({
      task: task ? { ...task, phase: phaseOf(task) } : null,
      blocked: blocked.map((b) => ({ id: b.task.id, reasons: b.gate.reasons })),
    });
    return 0;
  }
  if (!task) {
    const open = index.tasks.filter((t) => WORKABLE_PHASES.includes(phaseOf(t))).length;
    if (blocked.length > 0) {
      out.line(`no task may run: ${blocked.length} ready task(s) are held by the spec guard`);
      for (const b of blocked.slice(0, 5))
        out.line(`  ${b.task.id}: ${b.gate.reasons.map((r) => `${r.reason} (${r.message})`).join('; ')}`);
    } else {
      out.line(
        open === 0
          ? 'nothing to do: no task is pending'
          : `no task is ready: ${open} open task(s) wait for dependencies`,
      );
    }
    return 0;
  }
  out.line(`${out.bold(task.id)}  ${escapeTerminal(task.title)}`);
  out.line(`  priority ${priorityOf(task)}, phase ${phaseOf(task)}${task.spec ? `, spec ${task.spec}` : ''}`);
  for (const b of blocked.slice(0, 3))
    out.line(out.dim(`  skipped ${b.task.id}: ${b.gate.reasons.map((r) => r.reason).join(', ')}`));
  out.line(out.dim(`  details: cxo tasks show ${task.id}`));
  return 0;
};
export default tasksNext;
