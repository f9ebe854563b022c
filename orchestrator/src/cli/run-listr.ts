import type { ProgressEvent } from '../runs/pipeline.js';
import { ROLES, type Role } from '../repo/task-types.js';
import { escapeTerminal } from '../util/terminal-text.js';

interface StepEnd {
  status: string;
  summary?: string | null;
}

/**
 * A live listr2 view of a run's four steps, for terminals. listr2 is loaded only here, so no read
 * command pays for it. Returns the progress callback to give the pipeline and a promise that
 * settles when the view has drawn the last step.
 */
export async function listrProgress(): Promise<{
  progress: (event: ProgressEvent) => void;
  done: () => Promise<void>;
}> {
  const { Listr } = await import('listr2');
  const ends = new Map<Role, (end: StepEnd) => void>();
  const waits = new Map<Role, Promise<StepEnd>>();
  for (const role of ROLES) waits.set(role, new Promise((resolve) => ends.set(role, resolve)));
  const outputs = new Map<Role, (line: string) => void>();
  let current: Role | undefined;
  const list = new Listr(
    ROLES.map((role) => ({
      title: role,
      task: async (_: unknown, task: { title: string; output: string; skip: (m?: string) => void }) => {
        // listr2 writes to the terminal itself: commands and agent summaries are escaped here
        outputs.set(role, (line) => {
          task.output = escapeTerminal(line);
        });
        const end = await waits.get(role)!;
        const summary = end.summary == null ? undefined : escapeTerminal(end.summary);
        if (end.status === 'skipped') return task.skip(`${role}: ${summary ?? 'skipped'}`);
        if (end.status === 'not-run') return task.skip(`${role}: not run`);
        task.title = `${role}: ${summary ?? end.status}`;
        if (end.status !== 'succeeded') throw new Error(`${role} ${end.status}: ${summary ?? ''}`);
      },
    })),
    { concurrent: false, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  const running = list.run().catch(() => undefined);
  return {
    progress: (event) => {
      if (event.type === 'step') {
        if (event.status === 'running') current = event.role;
        else ends.get(event.role)?.({ status: event.status, summary: event.summary });
      } else if (event.type === 'command' && current) {
        outputs.get(current)?.(`$ ${event.command} -> exit ${event.exitCode ?? 'none'}`);
      } else if (event.type === 'done') {
        for (const role of ROLES) ends.get(role)?.({ status: 'not-run' });
      }
    },
    done: async () => {
      await running;
    },
  };
}
