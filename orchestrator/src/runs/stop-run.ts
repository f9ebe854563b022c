import type { Config } from '../repo/config.js';
import { createRunRedactor } from './run-redactor.js';
import { isAlive, type RunEntry } from './run-index.js';
import { RunRecorder } from './run-recorder.js';

/** Kills a process group (or a lone process) with a signal, ignoring ones already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // gone already, or not a group leader
    }
  }
}

/**
 * Stops a run: SIGTERM to its process (which cancels its steps and records the result), then
 * SIGKILL to it and to the process groups it had started if it does not finish within `graceMs`.
 * A run whose process is already gone is recorded as cancelled here.
 */
export async function stopRun(
  root: string,
  config: Config,
  entry: RunEntry,
  graceMs = 5000,
): Promise<RunEntry['manifest']> {
  // run.pid is the process running it now (a resume sets it), the heartbeat may lag by a beat
  const pid = entry.manifest.run.pid;
  if (isAlive(pid)) {
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (
      Date.now() < deadline &&
      isAlive(pid) &&
      RunRecorder.read(root, entry.dir).result.status === 'running'
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const current = RunRecorder.read(root, entry.dir);
  for (const child of current.run.children ?? []) killGroup(child, 'SIGKILL');
  if (current.result.status !== 'running') return current;
  killGroup(pid, 'SIGKILL');
  const recorder = new RunRecorder(root, entry.dir, current, createRunRedactor(config, process.env));
  for (const step of current.steps)
    if (step.status === 'running' || step.status === 'pending') step.status = 'cancelled';
  current.run.children = [];
  current.result = {
    status: 'cancelled',
    reason: 'Cancelled',
    error: {
      code: 'Cancelled',
      message: `cancelled by ${process.env.USER ?? 'a person'}; the run process did not stop in time`,
      artifact: null,
    },
  };
  recorder.seal(config.evidence);
  recorder.event('run-cancelled', { by: 'cxo cancel', killedPid: pid });
  return current;
}
