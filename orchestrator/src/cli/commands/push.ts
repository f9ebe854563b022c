import { pushWithLease } from '../../git/push.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import { pushLine } from '../push-after.js';

/** `cxo push`: fetch, rebase onto what others pushed, push with a lease; retried with backoff. */
const push: CommandHandler = async ({ cwd, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const remote = (options.remote as string | undefined) ?? config.gitops.remote;
  const result = await pushWithLease({
    root,
    remote,
    branch: options.branch as string | undefined,
    indexFile: config.files.tasks,
    attempts: config.gitops.push_attempts,
  });
  if (options.json) out.json({ remote, ...result });
  else out.line(pushLine(result, remote));
  return 0;
};
export default push;
