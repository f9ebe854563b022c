import type { WatcherEvent } from '../reconcile/watcher.js';
import { escapeTerminal, escapeTerminalBlock } from '../util/terminal-text.js';

interface LiveState {
  header: string;
  running: Map<string, { runId: string; since: number; step: string }>;
  waiting: Map<string, string>;
  blocked: Map<string, string>;
  retrying: Map<string, string>;
  recent: string[];
}

/**
 * The watcher's live view on a terminal (listr2): one line for the watcher itself, and beneath it
 * the runs going (with their current step), the tasks waiting on dependencies or for a retry, the
 * blocked ones with their reason, and the last runs that ended. listr2 is loaded only here.
 */
export async function watchLiveView(): Promise<{
  print: (event: WatcherEvent) => void;
  done: () => Promise<void>;
}> {
  const { Listr } = await import('listr2');
  const state: LiveState = {
    header: 'starting',
    running: new Map(),
    waiting: new Map(),
    blocked: new Map(),
    retrying: new Map(),
    recent: [],
  };
  let draw: (() => void) | undefined;
  let finish: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (finish = resolve));
  const list = new Listr(
    [
      {
        title: 'cxo watch',
        task: async (_: unknown, task: { title: string; output: string }) => {
          draw = () => {
            // listr2 writes to the terminal itself: what comes from tasks and runs is escaped here
            task.title = escapeTerminal(`cxo watch: ${state.header}`);
            task.output = escapeTerminalBlock(render(state));
          };
          draw();
          await stopped;
        },
        // the whole view stays under the title, not just its last line
        rendererOptions: { outputBar: Infinity, persistentOutput: true },
      },
    ],
    { rendererOptions: { collapseErrors: false } },
  );
  const running = list.run().catch(() => undefined);
  // a view that only changes when something happens still shows how long runs have gone
  const tick = setInterval(() => draw?.(), 1000);
  tick.unref();
  return {
    print: (event) => {
      apply(state, event);
      draw?.();
      if (event.type === 'stopped') {
        clearInterval(tick);
        finish?.();
      }
    },
    done: async () => {
      clearInterval(tick);
      finish?.();
      await running;
    },
  };
}

function apply(state: LiveState, event: WatcherEvent): void {
  const remember = (line: string) => {
    state.recent = [...state.recent, line].slice(-5);
  };
  switch (event.type) {
    case 'lock-wait':
      state.header = `waiting for the lock (pid ${event.holder?.pid ?? '?'} holds it)`;
      break;
    case 'watching':
      state.header = `watching ${event.paths.length} path(s), debounce ${event.debounceMs} ms`;
      break;
    case 'pass':
      // each pass says again what waits and what is blocked
      state.waiting.clear();
      state.blocked.clear();
      state.retrying.clear();
      break;
    case 'dispatch':
    case 'resume':
      state.running.set(event.taskId, { runId: event.runId, since: Date.now(), step: 'starting' });
      break;
    case 'run-event': {
      const run = state.running.get(event.taskId);
      if (run && event.event.type === 'step' && event.event.status === 'running') run.step = event.event.role;
      break;
    }
    case 'run-ended':
      state.running.delete(event.taskId);
      remember(`${event.taskId}: ${event.status}${event.reason ? ` (${event.reason})` : ''}`);
      break;
    case 'waiting':
      state.waiting.set(event.taskId, `on ${event.on.join(', ')}`);
      break;
    case 'retry-wait':
      state.retrying.set(event.taskId, `attempt ${event.attempt} of ${event.maxAttempts} at ${event.dueAt}`);
      break;
    case 'blocked':
      state.blocked.set(event.taskId, event.reasons.map((r) => r.reason).join(', '));
      break;
    case 'shutdown':
      state.header = `${event.signal}: finishing ${event.running} run(s), no new ones`;
      break;
    case 'pass-error':
    case 'run-error':
      remember(`error: ${event.message}`);
      break;
    case 'stopped':
      state.header = 'stopped';
      break;
    default:
      break;
  }
}

function render(state: LiveState): string {
  const lines: string[] = [];
  const section = (title: string, entries: [string, string][]) => {
    if (entries.length === 0) return;
    lines.push(`${title}:`);
    for (const [id, what] of entries.slice(0, 10)) lines.push(`  ${id}  ${what}`);
    if (entries.length > 10) lines.push(`  ... and ${entries.length - 10} more`);
  };
  section(
    'running',
    [...state.running].map(([id, r]) => [
      id,
      `${r.step}, ${Math.round((Date.now() - r.since) / 1000)} s (run ${r.runId})`,
    ]),
  );
  section('waiting', [...state.waiting]);
  section('retrying', [...state.retrying]);
  section('blocked', [...state.blocked]);
  if (state.recent.length) lines.push('ended:', ...state.recent.map((l) => `  ${l}`));
  return lines.length ? lines.join('\n') : 'nothing to do';
}
