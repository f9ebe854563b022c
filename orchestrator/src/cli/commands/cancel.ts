import { NotFoundError } from '../../errors.js';
import { findRun } from '../../runs/run-index.js';
import { stopRun } from '../../runs/stop-run.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

const cancel: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const entry = findRun(root, args.run!);
  if (!entry) throw new NotFoundError(`no run "${args.run}" under .runs/`, 'list runs with `cxo runs list`');
  if (entry.manifest.result.status !== 'running') {
    if (options.json)
      out.json({ runId: entry.manifest.run.id, status: entry.manifest.result.status, changed: false });
    else out.line(`run ${entry.manifest.run.id} already ended: ${entry.manifest.result.status}`);
    return 0;
  }
  const manifest = await stopRun(root, config, entry);
  if (options.json) out.json({ runId: manifest.run.id, status: manifest.result.status, changed: true });
  else out.line(`run ${manifest.run.id}: ${manifest.result.status}`);
  return 0;
};
export default cancel;
