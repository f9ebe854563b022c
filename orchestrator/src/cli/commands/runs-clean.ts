import { cleanRuns } from '../../runs/clean-runs.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

/** `cxo runs clean [--dry-run]`: tidy up after runs that are over; live runs are never touched. */
const runsClean: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const dryRun = Boolean(options['dry-run']);
  const report = await cleanRuns(root, config, { dryRun });
  const code = report.problems.length ? 1 : 0;
  if (options.json) {
    out.json(report);
    return code;
  }
  const verb = (done: string, would: string) => (dryRun ? would : done);
  for (const run of report.cleaned) {
    const did: string[] = [];
    if (run.killed.length)
      did.push(`${verb('killed', 'would kill')} process group(s) ${run.killed.join(', ')}`);
    if (run.markedFailed)
      did.push(`${verb('recorded', 'would record')} failed (Stalled, errors/stalled.txt)`);
    if (run.worktree) {
      const lost = run.discarded ? ` and its ${run.discarded} uncommitted change(s)` : '';
      did.push(`${verb('removed', 'would remove')} worktree ${run.worktree}${lost}`);
    }
    if (run.locks.length) did.push(`${verb('removed', 'would remove')} lock file(s) ${run.locks.join(', ')}`);
    if (run.notOurs.length) did.push(`left process(es) ${run.notOurs.join(', ')} alone: no longer the run's`);
    out.line(`${out.bold(run.runId)} (${run.taskId}, ${run.was}): ${did.join('; ') || 'nothing'}`);
    for (const p of run.problems) out.error(`  problem: ${p}`);
  }
  for (const lock of report.unlocked) {
    out.line(`${verb('removed', 'would remove')} ${lock} (the run worktree it locked is gone)`);
  }
  for (const line of report.pruned) out.line(`${verb('pruned', 'would prune')}: ${line}`);
  if (report.cleaned.length + report.unlocked.length + report.pruned.length === 0)
    out.line('nothing to clean');
  if (report.live.length)
    out.line(`left alone: ${report.live.length} live run(s) (${report.live.join(', ')})`);
  if (report.unreadable.length) {
    out.error(
      `skipped ${report.unreadable.length} run(s) whose manifest does not parse (see \`cxo verify\`): ${report.unreadable.join(', ')}`,
    );
  }
  for (const p of report.problems.filter((p) => !report.cleaned.some((r) => p.startsWith(`${r.runId}: `)))) {
    out.error(`problem: ${p}`);
  }
  return code;
};
export default runsClean;
