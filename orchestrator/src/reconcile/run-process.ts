/**
 * A run of the long-running watcher, in a `cxo run` (or `cxo resume`) process of its own. The
 * pipeline's git calls are synchronous: in the watcher's process, a run creating its worktree
 * (seconds, in a big repository) would hold up file events and every other run. A child process
 * also keeps a crash of one run from taking the watcher down.
 *
 * The child prints its progress as NDJSON (`--json`), forwarded here; its other output goes to
 * `.git/codex-orchestrator/logs/<run>.log`. The outcome is what its manifest says once it exits.
 * It runs in a process group of its own, so a Ctrl-C meant for the watcher does not reach it: the
 * watcher decides (grace period, then `signal` sends SIGTERM, which the run records as cancelled).
 * It dies with the watcher, as a run in the watcher's process would (kill -9, a second signal):
 * its stdin is a pipe from the watcher, and it kills itself when that closes (runs/parent-pipe.ts),
 * leaving the run stalled for the next watcher to resume.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CxoError, ExitCode } from '../errors.js';
import type { RunManifest } from '../runs/manifest-types.js';
import type { ProgressEvent } from '../runs/pipeline.js';
import { detachedLogOf, runDirOf } from '../runs/run-layout.js';
import { PARENT_PIPE_ENV } from '../runs/parent-pipe.js';
import { MANIFEST, RunRecorder } from '../runs/run-recorder.js';

export type ChildRun =
  { kind: 'start'; taskId: string; runId: string } | { kind: 'resume'; dir: string; runId: string };

export interface ChildRunOptions {
  root: string;
  /** How to start the CLI: `[node, path of cxo.js]`. */
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress: (event: ProgressEvent) => void;
}

const PROGRESS_TYPES = new Set<string>(['run', 'step', 'command', 'done', 'write-back']);
/** How much of the child's own output an error message quotes. */
const TAIL_BYTES = 2000;

export function runInChild(run: ChildRun, options: ChildRunOptions): Promise<RunManifest> {
  const { root } = options;
  const [exe, ...prefix] = options.command;
  const args =
    run.kind === 'start'
      ? [...prefix, 'run', run.taskId, '--run-id', run.runId, '--json', '--repo', root]
      : [...prefix, 'resume', run.runId, '--json', '--repo', root];
  const dir = run.kind === 'start' ? runDirOf(run.taskId, run.runId) : run.dir;
  const logPath = detachedLogOf(root, run.runId);
  mkdirSync(dirname(logPath), { recursive: true });
  const log = (text: string) => appendFileSync(logPath, text);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, {
      cwd: root,
      env: { ...options.env, [PARENT_PIPE_ENV]: '1' },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (text: string) => {
      log(text);
      tail = (tail + text).slice(-TAIL_BYTES);
    };
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const event = progressOf(line);
        if (event) options.progress(event);
        else keep(`${line}\n`);
      }
    });
    child.stderr.setEncoding('utf8').on('data', keep);
    const cancel = () => child.kill('SIGTERM');
    if (options.signal.aborted) cancel();
    else options.signal.addEventListener('abort', cancel, { once: true });
    child.once('error', (e) => {
      options.signal.removeEventListener('abort', cancel);
      reject(new CxoError(`could not start ${exe}: ${e.message}`, ExitCode.Failure));
    });
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', cancel);
      if (pending) keep(pending);
      if (existsSync(join(root, dir, MANIFEST))) {
        try {
          return resolve(RunRecorder.read(root, dir));
        } catch {
          // fall through: a manifest that does not parse says nothing about the outcome
        }
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const said = tail.trim().split('\n').slice(-3).join(' | ');
      // an expected refusal (the gate, a bad role): reported as the run's outcome, not as a bug
      reject(
        new CxoError(
          `the run process ${how} before recording the run${said ? `: ${said}` : ''}`,
          ExitCode.Failure,
        ),
      );
    });
  });
}

function progressOf(line: string): ProgressEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as { type?: unknown; at?: unknown };
    if (typeof value.type !== 'string' || !PROGRESS_TYPES.has(value.type)) return undefined;
    delete value.at;
    return value as ProgressEvent;
  } catch {
    return undefined;
  }
}
