import { NotFoundError } from '../../errors.js';
import { isReady, unfinishedDependencies } from '../../plan/next-task.js';
import { loadSpec } from '../../repo/load-repo.js';
import { phaseOf, priorityOf } from '../../repo/task-types.js';
import type { CommandHandler } from '../command-table.js';
import { openTaskIndex } from '../open-repo.js';
import { escapeTerminal } from '../../util/terminal-text.js';

const tasksShow: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config, index } = await openTaskIndex(cwd, 'fast', out);
  const task = index.byId.get(args.id!);
  if (!task)
    throw new NotFoundError(`no task "${args.id}" in ${index.file}`, 'list ids with `cxo tasks list`');
  // only this task's spec is parsed: show stays fast at 10,000 specs
  const spec = task.spec ? loadSpec(root, task.spec, config) : undefined;
  const waiting = unfinishedDependencies(index, task);
  const dependents = index.tasks.filter((t) => t.dependsOn?.includes(task.id)).map((t) => t.id);
  if (options.json) {
    out.json({
      task,
      phase: phaseOf(task),
      ready: isReady(index, task),
      waitingFor: waiting,
      dependents,
      spec: spec ? (spec.spec?.fields ?? null) : undefined,
      specDiagnostics: spec?.diagnostics ?? [],
    });
    return 0;
  }
  const lines = [
    `${out.bold(task.id)}  ${escapeTerminal(task.title)}`,
    `  phase:      ${phaseOf(task)}${task.status?.reason ? ` (${task.status.reason}${task.status.message ? `: ${task.status.message}` : ''})` : ''}`,
    `  priority:   ${priorityOf(task)}`,
  ];
  if (task.owner) lines.push(`  owner:      ${task.owner}`);
  if (task.labels?.length) lines.push(`  labels:     ${task.labels.join(', ')}`);
  if (task.dependsOn?.length) {
    lines.push(
      `  depends on: ${task.dependsOn.map((d) => `${d} (${index.byId.get(d) ? phaseOf(index.byId.get(d)!) : 'missing'})`).join(', ')}`,
    );
  }
  if (dependents.length) lines.push(`  needed by:  ${dependents.join(', ')}`);
  lines.push(
    `  ready:      ${isReady(index, task) ? 'yes' : waiting.length ? `no, waits for ${waiting.join(', ')}` : 'no'}`,
  );
  if (task.spec) {
    const f = spec?.spec?.fields;
    lines.push(
      `  spec:       ${task.spec}${f ? ` (${f.status}, risk ${f.risk}, reviewed ${f.last_review}, ${f.approvals?.length ?? 0} approval(s))` : ' (unreadable: run `cxo validate`)'}`,
    );
  }
  if (task.prd) lines.push(`  prd:        ${task.prd}`);
  if (task.checklist) lines.push(`  checklist:  ${task.checklist}`);
  if (task.request !== undefined) {
    const due = task.request !== (task.status?.observedRequest ?? '');
    lines.push(`  request:    ${JSON.stringify(task.request)}${due ? ' (run due)' : ''}`);
  }
  if (task.status?.lastRun)
    lines.push(
      `  last run:   ${task.status.lastRun.id}${task.status.lastRun.result ? ` (${task.status.lastRun.result})` : ''}`,
    );
  if (task.acceptance?.length) lines.push('  acceptance:', ...task.acceptance.map((c) => `    $ ${c}`));
  if (task.paths?.length) lines.push(`  paths:      ${task.paths.join(', ')}`);
  if (task.description) lines.push('', ...task.description.split('\n').map((l) => `  ${l}`));
  out.line(lines.join('\n'));
  if (spec?.diagnostics.length) out.diagnostics(spec.diagnostics);
  return 0;
};
export default tasksShow;
