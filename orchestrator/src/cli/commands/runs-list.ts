import { listRuns } from '../../runs/run-index.js';
import type { CommandHandler } from '../command-table.js';
import { openRepo } from '../open-repo.js';
import { syncStateRuns } from '../../state/state-runs.js';

const runsList: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openRepo(cwd);
  syncStateRuns(root, config);
  const task = options.task as string | undefined;
  const runs = listRuns(root).filter((r) => !task || r.manifest.task.id === task);
  if (options.json) {
    out.json({
      runs: runs.map((r) => ({
        id: r.manifest.run.id,
        task: r.manifest.task.id,
        status: r.manifest.result.status,
        stalled: r.stalled,
        reason: r.manifest.result.reason,
        dir: r.dir,
      })),
    });
    return 0;
  }
  if (runs.length === 0) {
    out.line('no runs yet: start one with `cxo run TASK`');
    return 0;
  }
  const width = Math.max(...runs.map((r) => r.manifest.task.id.length), 4);
  out.line(`${'RUN'.padEnd(22)}  ${'TASK'.padEnd(width)}  STATUS`);
  for (const r of runs) {
    const status = r.stalled
      ? 'stalled (cxo resume)'
      : `${r.manifest.result.status}${r.manifest.result.reason ? ` (${r.manifest.result.reason})` : ''}`;
    out.line(`${r.manifest.run.id.padEnd(22)}  ${r.manifest.task.id.padEnd(width)}  ${status}`);
  }
  return 0;
};
export default runsList;
