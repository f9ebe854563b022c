/**
 * A run process started by the watcher (reconcile/run-process.ts) has a pipe from it as stdin.
 * When the watcher dies, the pipe closes, and the run process kills itself at once: the run is
 * left stalled, exactly as a run inside the watcher's own process would be, and the next watcher
 * resumes it. Without this, an orphaned run would go on unseen, or die at its next write to the
 * closed stdout.
 */
export const PARENT_PIPE_ENV = 'CXO_PARENT_PIPE';

export function dieWithParentPipe(env: NodeJS.ProcessEnv = process.env): void {
  if (env[PARENT_PIPE_ENV] !== '1') return;
  // for this process only: a command the run starts has no such pipe as stdin
  delete env[PARENT_PIPE_ENV];
  const die = () => process.kill(process.pid, 'SIGKILL');
  process.stdin.once('end', die);
  process.stdin.once('error', die);
  process.stdin.resume();
  // the pipe alone does not keep the process alive once the run is done
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
