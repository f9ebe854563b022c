import { CxoError, ExitCode, NotFoundError } from '../../errors.js';
import { resumeRun } from '../../runs/pipeline.js';
import { findRun } from '../../runs/run-index.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import { abortOnSignals, progressPrinter } from '../run-progress.js';
import { dieWithParentPipe } from '../../runs/parent-pipe.js';

const resume: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const entry = findRun(root, args.run!);
  if (!entry) throw new NotFoundError(`no run "${args.run}" under .runs/`, 'list runs with `cxo runs list`');
  if (entry.manifest.result.status !== 'running') {
    throw new CxoError(
      `run ${entry.manifest.run.id} already ended: ${entry.manifest.result.status}`,
      ExitCode.Usage,
    );
  }
  if (!entry.stalled) {
    throw new CxoError(
      `run ${entry.manifest.run.id} is still alive (pid ${entry.manifest.heartbeat?.pid ?? entry.manifest.run.pid})`,
      ExitCode.Usage,
      {
        hint: 'a run is resumable once its process is gone and its heartbeat is old; `cxo cancel` stops it',
      },
    );
  }
  dieWithParentPipe();
  const { signal, dispose } = abortOnSignals();
  try {
    const manifest = await resumeRun({
      root,
      config,
      dir: entry.dir,
      env: process.env,
      signal,
      progress: progressPrinter(out, Boolean(options.json)),
    });
    return manifest.result.status === 'review' ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    dispose();
  }
};
export default resume;
