import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NotFoundError, UsageError } from '../errors.js';
import type { TaskIndex } from '../repo/task-index.js';
import type { RunManifest } from '../runs/manifest-types.js';
import { runDirOf } from '../runs/run-layout.js';
import { listRunDirs } from '../runs/run-index.js';
import { MANIFEST, RunRecorder } from '../runs/run-recorder.js';
import { findRunDir } from '../runs/verify-run.js';

/**
 * The run a reviewer means: a run id (exact, else a unique prefix), or a task id for the task's
 * last run (its status names it; else its newest run directory).
 */
export function resolveRunTarget(
  root: string,
  index: TaskIndex,
  target: string,
): { dir: string; manifest: RunManifest } {
  const dirs = listRunDirs(root);
  let dir = dirs.find((d) => basename(d) === target);
  const task = index.byId.get(target);
  if (!dir && task) {
    const last = task.status?.lastRun?.id;
    if (last && existsSync(join(root, runDirOf(task.id, last), MANIFEST))) dir = runDirOf(task.id, last);
    else
      dir = dirs
        .filter((d) => d.startsWith(`.runs/${task.id}/`))
        .sort()
        .at(-1);
    if (!dir)
      throw new NotFoundError(`task "${task.id}" has no run yet`, `start one with \`cxo run ${task.id}\``);
  }
  dir ??= findRunDir(root, target);
  if (!dir) throw new NotFoundError(`no run or task "${target}"`, 'list runs with `cxo runs list`');
  try {
    return { dir, manifest: RunRecorder.read(root, dir) };
  } catch (e) {
    throw new UsageError(
      `${dir}/${MANIFEST} cannot be read: ${(e as Error).message}`,
      `check it with \`cxo verify ${basename(dir)}\``,
    );
  }
}
