import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseRoleFlags } from '../../agents/role-assignment.js';
import { CxoError, ExitCode } from '../../errors.js';
import { type ProgressEvent, startRun } from '../../runs/pipeline.js';
import { detachedLogOf, newRunId, runDirOf } from '../../runs/run-layout.js';
import { MANIFEST } from '../../runs/run-recorder.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';
import { pushIfAsked } from '../push-after.js';
import { listrProgress } from '../run-listr.js';
import { abortOnSignals, progressPrinter, writeBackLine } from '../run-progress.js';
import { dieWithParentPipe } from '../../runs/parent-pipe.js';

const run: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const roleFlags = parseRoleFlags((options.role as string[] | undefined) ?? []);
  const taskId = args.task!;
  if (options.detach) return detach(root, taskId, options, out);
  dieWithParentPipe();
  const { signal, dispose } = abortOnSignals();
  // a live view on a terminal; plain lines (or NDJSON with --json) otherwise
  const live = !options.json && out.color ? await listrProgress() : undefined;
  // the live view has no line for write-backs: they are printed once it is done
  const writeBacks: string[] = [];
  const progress: (event: ProgressEvent) => void = live
    ? (event) => (event.type === 'write-back' ? writeBacks.push(writeBackLine(event)) : live.progress(event))
    : progressPrinter(out, Boolean(options.json));
  try {
    const manifest = await startRun({
      root,
      config,
      taskId,
      runId: options['run-id'] as string | undefined,
      roleFlags,
      force: options.force as string | undefined,
      noCommit: Boolean(options['no-commit']),
      env: process.env,
      signal,
      progress,
    });
    await live?.done();
    for (const line of writeBacks) out.line(line);
    if (!options.json) {
      out.line(`manifest: ${runDirOf(manifest.task.id, manifest.run.id)}/${MANIFEST}`);
      if (manifest.result.status === 'review')
        out.line(
          `branch:   ${manifest.run.branch} (review it, then \`cxo review ${manifest.run.id} --approve\`)`,
        );
      else if (manifest.result.error) out.line(`error:    ${manifest.result.error.message}`);
    }
    const pushed = await pushIfAsked(root, config, options, out);
    return manifest.result.status === 'review' && pushed ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    dispose();
  }
};
export default run;

/**
 * Starts the same run in a background process of its own (its own session, so closing the
 * terminal does not stop it), waits until its manifest exists, and prints the run id.
 */
async function detach(
  root: string,
  taskId: string,
  options: Record<string, unknown>,
  out: Parameters<CommandHandler>[0]['out'],
): Promise<number> {
  const runId = (options['run-id'] as string | undefined) ?? newRunId();
  const dir = join(root, runDirOf(taskId, runId));
  mkdirSync(dir, { recursive: true });
  // the log lives outside the run directory: that directory is committed as evidence when the run ends
  const logPath = detachedLogOf(root, runId);
  mkdirSync(dirname(logPath), { recursive: true });
  const log = openSync(logPath, 'a');
  const argv = [process.argv[1], 'run', taskId, '--run-id', runId, '--json', '--repo', root];
  for (const role of (options.role as string[] | undefined) ?? []) argv.push('--role', role);
  if (options.force) argv.push('--force', String(options.force));
  if (options['no-commit']) argv.push('--no-commit');
  if (options.push) argv.push('--push');
  const child = spawn(process.execPath, argv, { cwd: root, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  const manifest = join(dir, MANIFEST);
  for (let waited = 0; !existsSync(manifest); waited += 50) {
    if (exited !== null || waited > 15_000) {
      throw new CxoError(`the background run did not start (see ${logPath})`, ExitCode.Failure);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (options.json) out.json({ runId, taskId, pid: child.pid, dir: runDirOf(taskId, runId) });
  else {
    out.line(`started run ${out.bold(runId)} of ${taskId} in the background (pid ${child.pid})`);
    out.line(`follow it: cxo status ${runId} --watch`);
  }
  return ExitCode.Ok;
}
