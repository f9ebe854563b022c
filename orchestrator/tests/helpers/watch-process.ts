import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './run-repo.js';
import { CLI } from './temp-repo.js';

export type WatchEvent = { at: string; type: string } & Record<string, unknown>;

export interface WatchProcess {
  child: ChildProcess;
  events: WatchEvent[];
  stderr: () => string;
  exited: Promise<number | string | null>;
  waitEvent: (match: (e: WatchEvent) => boolean, ms: number, what: string) => Promise<WatchEvent>;
}

/**
 * `cxo watch --json [args]` in `root` as a child process, its NDJSON events collected as they
 * come. `detached`: in a process group of its own, so that a test can kill it with its runs, as
 * when a machine dies. Every process started is in `started`, for an afterEach to kill.
 */
export function startWatchProcess(
  root: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; detached?: boolean; started?: ChildProcess[] } = {},
): WatchProcess {
  const child = spawn(process.execPath, [CLI, 'watch', '--json', ...(options.args ?? [])], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', CXO_WATCH_RETRY_MS: '300', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  options.started?.push(child);
  const events: WatchEvent[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    events,
    stderr: () => stderr,
    exited,
    async waitEvent(match, ms, what) {
      await waitFor(() => events.some(match), ms, `${what}; stderr: ${stderr}`);
      return events.find(match)!;
    },
  };
}
