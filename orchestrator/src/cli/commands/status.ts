import { NotFoundError } from '../../errors.js';
import { findRun, listRuns } from '../../runs/run-index.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import { printRun } from './runs-show.js';
import { syncStateRuns } from '../../state/state-runs.js';

const status: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openRepo(cwd);
  syncStateRuns(root, config);
  if (!args.run) {
    // every task's last run
    const last = new Map<string, ReturnType<typeof listRuns>[number]>();
    for (const r of listRuns(root)) if (!last.has(r.manifest.task.id)) last.set(r.manifest.task.id, r);
    if (options.json) {
      out.json({
        tasks: [...last.values()].map((r) => ({
          task: r.manifest.task.id,
          run: r.manifest.run.id,
          status: r.manifest.result.status,
          stalled: r.stalled,
        })),
      });
    } else if (last.size === 0) out.line('no runs yet');
    else
      for (const r of last.values())
        out.line(
          `${r.manifest.task.id}: ${r.stalled ? 'stalled' : r.manifest.result.status} (run ${r.manifest.run.id})`,
        );
    return 0;
  }
  // poll, like a runner's poll loop: print when something changes, stop when the run ends
  let previous = '';
  for (;;) {
    const entry = findRun(root, args.run);
    if (!entry)
      throw new NotFoundError(`no run "${args.run}" under .runs/`, 'list runs with `cxo runs list`');
    const ended = entry.manifest.result.status !== 'running' || entry.stalled;
    if (options.json) {
      const line = JSON.stringify({
        run: entry.manifest.run.id,
        status: entry.manifest.result.status,
        stalled: entry.stalled,
        steps: entry.manifest.steps.map((s) => ({ role: s.role, status: s.status })),
      });
      if (line !== previous) out.line(line);
      previous = line;
    } else {
      const line = entry.manifest.steps.map((s) => `${s.role}:${s.status}`).join(' ');
      // the end is always shown whole: the steps may have looked like this while the run was finishing
      if (!options.watch || ended) printRun(out, entry);
      else if (line !== previous) out.line(`${entry.manifest.run.id} ${line}`);
      previous = line;
    }
    if (!options.watch || ended)
      return entry.manifest.result.status === 'failed' || entry.manifest.result.status === 'cancelled'
        ? 1
        : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
};
export default status;
