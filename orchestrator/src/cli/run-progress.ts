import type { ProgressEvent } from '../runs/pipeline.js';
import { escapeTerminal } from '../util/terminal-text.js';
import type { Output } from './output.js';

/** Progress as plain lines for people, or NDJSON events with --json. */
export function progressPrinter(out: Output, json: boolean): (event: ProgressEvent) => void {
  if (json) return (event) => out.line(JSON.stringify({ at: new Date().toISOString(), ...event }));
  return (event) => {
    switch (event.type) {
      case 'run':
        out.line(`run ${out.bold(event.runId)} of ${event.taskId} (evidence in ${event.dir})`);
        break;
      case 'step':
        if (event.status !== 'running')
          out.line(
            `  ${event.role.padEnd(9)} ${event.status}${event.summary ? `: ${escapeTerminal(event.summary)}` : ''}`,
          );
        else out.line(out.dim(`  ${event.role.padEnd(9)} ...`));
        break;
      case 'command':
        out.line(
          `    $ ${event.command}  -> exit ${event.exitCode ?? 'none'} in ${Math.round(event.durationMs)} ms`,
        );
        break;
      case 'done':
        out.line(`run ${event.status}${event.reason ? ` (${event.reason})` : ''}`);
        break;
      case 'write-back':
        out.line(writeBackLine(event));
        break;
    }
  };
}

/** One line about a status write-back: the commit, or why the status is not (only) committed. */
export function writeBackLine(event: Extract<ProgressEvent, { type: 'write-back' }>): string {
  const branch = event.branchWarning
    ? `; the run branch was not pushed (\`cxo verify\` elsewhere needs it): ${event.branchWarning}`
    : '';
  if (event.warning) return `status ${event.phase}: not committed: ${event.warning}${branch}`;
  const commit = `status ${event.phase} committed (${event.commit?.slice(0, 12)})`;
  const kept = event.conflict
    ? `; your uncommitted edit of the task's ${event.conflict.field} was kept (conflict logged)`
    : '';
  return `${commit}${kept}${branch}`;
}

/** Turns SIGINT/SIGTERM into a cancel of the run in this process (the pipeline then records it). */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}
