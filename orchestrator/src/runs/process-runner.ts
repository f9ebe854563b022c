/**
 * Runs one child process and captures what it did as evidence: exit code or signal, duration, and
 * its output, redacted and stored (capped) with hashes.
 *
 * The child leads its own process group (`detached: true`), so it and everything it starts can be
 * signalled together: on timeout or cancellation the group gets SIGTERM, then SIGKILL after a grace
 * period, and once the child has exited (for any reason) whatever is left of the group is killed.
 * No orphan of a step survives it. A process that leaves the group (setsid) and keeps our pipes
 * open cannot hold the run either: once the child and its group are gone, our ends are closed.
 *
 * The child is not in the terminal's foreground group, so Ctrl-C does not reach it: the caller
 * turns its own SIGINT into `signal` (an AbortSignal).
 */
import { groupAlive } from './process-groups.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { createLineRedactor, type LineRedactor, type Redactor } from './redaction.js';
import type { PreparedCommand, Sandbox } from './sandbox/sandbox.js';

export interface RunProcessOptions {
  /** A string runs through `/bin/sh -c`; an array is argv (no shell). */
  command: string | string[];
  cwd: string;
  /** The child's whole environment (see `scrubEnv`); nothing is inherited. */
  env: NodeJS.ProcessEnv;
  /** Wall-clock limit; none when absent or not positive. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL on timeout or cancellation; default 3000. */
  graceMs?: number;
  /** Cancels the process (SIGTERM, then SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** Logs go to `<outputDir>/<name>.stdout.log` and `.stderr.log` (the directory is created). */
  outputDir: string;
  name: string;
  /** Cap per stored log, in bytes; a longer log is cut there and ends with a `[truncated: ...]` line. */
  maxLogBytes: number;
  redactor: Redactor;
  /** Each line of output, redacted, without its line terminator (for progress and transcripts). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Called with the child's pid (= its process group) once it started, so a supervisor can kill the group. */
  onSpawn?: (pid: number) => void;
  /** Runs the command inside this sandbox (see runs/sandbox/sandbox.ts). */
  sandbox?: Sandbox;
}

export interface OutputCapture {
  path: string;
  /** Size and hash of the stored file. */
  bytes: number;
  sha256: string;
  /** When the stored file was cut at the cap: size and hash of the full (redacted) output. */
  truncated?: { bytes: number; sha256: string };
}

export interface ProcessResult {
  /** The child's pid, which is also its process group id; 0 when nothing was started. */
  pid: number;
  /** null when the child was killed by a signal or could not be started. */
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the command could not be run, or what went wrong around it (writing logs, cleaning up). */
  error?: string;
  stdout: OutputCapture;
  stderr: OutputCapture;
}

const DEFAULT_GRACE_MS = 3000;
/** How long to wait for the group to die after SIGKILL before giving up on it. */
const GROUP_KILL_WAIT_MS = 5000;
/** How long to wait for end-of-file on our pipes once the child and its group are gone. */
const PIPE_DRAIN_MS = 500;
/** A "line" longer than this (no newline in sight) is passed on in pieces. */
const MAX_LINE_BYTES = 1024 * 1024;

/** Runs a command to its end (or its timeout or cancellation); never throws. */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const fileName = options.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'process';
  const paths = {
    stdout: join(options.outputDir, `${fileName}.stdout.log`),
    stderr: join(options.outputDir, `${fileName}.stderr.log`),
  };
  let started = performance.now();
  const argv =
    typeof options.command === 'string' ? ['/bin/sh', '-c', options.command] : [...options.command];

  /** A result for a command that was not started; empty logs are still written when possible. */
  const notStarted = async (
    error: string | undefined,
    {
      cancelled = false,
      writeFiles = true,
      sinks = openSinks(paths, options, writeFiles),
    }: { cancelled?: boolean; writeFiles?: boolean; sinks?: Sinks } = {},
  ): Promise<ProcessResult> => {
    const [stdout, stderr] = await Promise.all([sinks.stdout.finish(), sinks.stderr.finish()]);
    return {
      pid: 0,
      exitCode: null,
      signal: null,
      durationMs: performance.now() - started,
      timedOut: false,
      cancelled,
      ...(error === undefined ? {} : { error }),
      stdout: stdout.capture,
      stderr: stderr.capture,
    };
  };

  try {
    await mkdir(options.outputDir, { recursive: true });
  } catch (e) {
    return notStarted(`cannot create output directory ${options.outputDir}: ${(e as Error).message}`, {
      writeFiles: false,
    });
  }
  if (argv.length === 0 || argv[0] === '') return notStarted('empty command');
  if (options.signal?.aborted) return notStarted('cancelled before it started', { cancelled: true });
  try {
    if (!(await stat(options.cwd)).isDirectory()) return notStarted(`not a directory: ${options.cwd}`);
  } catch {
    return notStarted(`working directory does not exist: ${options.cwd}`);
  }

  const sinks = openSinks(paths, options, true);
  const problems: string[] = [];
  let prepared: PreparedCommand;
  try {
    prepared = options.sandbox?.prepare(argv, options.env, options.cwd) ?? {
      argv,
      env: options.env,
      release: () => {},
    };
  } catch (e) {
    return notStarted(`cannot set up the sandbox: ${(e as Error).message}`, { sinks });
  }
  let child: ChildProcess;
  started = performance.now();
  try {
    child = spawn(prepared.argv[0], prepared.argv.slice(1), {
      cwd: options.cwd,
      env: prepared.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (e) {
    prepared.release();
    return notStarted(`cannot run ${JSON.stringify(argv[0])}: ${(e as Error).message}`, { sinks });
  }

  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  child.stdout!.on('data', (chunk: Buffer) => sinks.stdout.feed(chunk));
  child.stderr!.on('data', (chunk: Buffer) => sinks.stderr.feed(chunk));
  child.stdout!.on('error', () => {});
  child.stderr!.on('error', () => {});
  if (child.stdin) {
    // a child that exits without reading its input makes this EPIPE: not an error of the run
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);
  }

  const exit = new Promise<{ code: number | null; signal: string | null } | { spawnError: Error }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', (err) => {
        if (child.pid === undefined) resolve({ spawnError: err });
        else problems.push(err.message);
      });
    },
  );

  const pid = child.pid;
  let exited = false;
  let timedOut = false;
  let cancelled = false;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    if (pid === undefined || exited || killTimer !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), options.graceMs ?? DEFAULT_GRACE_MS);
  };
  const onAbort = () => {
    if (exited) return;
    cancelled = true;
    terminate();
  };
  if (pid !== undefined) {
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      timeoutTimer = setTimeout(() => {
        if (exited) return;
        timedOut = true;
        terminate();
      }, options.timeoutMs);
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // aborted while the command was being set up: no event will come
    if (options.signal?.aborted) onAbort();
  }

  const outcome = await exit;
  exited = true;
  const durationMs = performance.now() - started;
  clearTimeout(timeoutTimer);
  clearTimeout(killTimer);
  options.signal?.removeEventListener('abort', onAbort);

  if ('spawnError' in outcome) {
    prepared.release();
    closeStreams(child);
    const err = outcome.spawnError as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'command not found' : err.message;
    return notStarted(`cannot run ${JSON.stringify(argv[0])}: ${reason}`, { sinks });
  }

  // The child is gone; nothing it started may outlive it.
  if (pid !== undefined && !(await killGroup(pid))) {
    problems.push(`process group ${pid} still had live processes ${GROUP_KILL_WAIT_MS} ms after SIGKILL`);
  }
  prepared.release();
  // Whatever is still in the pipes is read to the end, unless something outside the group holds
  // them open: then our ends are closed.
  await Promise.all([ended(child.stdout!, PIPE_DRAIN_MS), ended(child.stderr!, PIPE_DRAIN_MS)]);
  closeStreams(child);

  const finished = await Promise.all([sinks.stdout.finish(), sinks.stderr.finish()]);
  for (const f of finished) if (f.error) problems.push(f.error);
  return {
    pid: pid ?? 0,
    exitCode: outcome.code,
    signal: outcome.signal,
    durationMs,
    timedOut,
    cancelled,
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    stdout: finished[0].capture,
    stderr: finished[1].capture,
  };
}

interface Sinks {
  stdout: OutputSink;
  stderr: OutputSink;
}

function openSinks(
  paths: { stdout: string; stderr: string },
  options: RunProcessOptions,
  writeFiles: boolean,
): Sinks {
  return {
    stdout: new OutputSink('stdout', paths.stdout, options, writeFiles),
    stderr: new OutputSink('stderr', paths.stderr, options, writeFiles),
  };
}

/** Sends `sig` to the whole process group; a group that is already gone is fine. */
function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: nothing left to signal
  }
}

/** SIGKILLs the group until none of its processes is alive; false if some still were at the deadline. */
async function killGroup(pgid: number): Promise<boolean> {
  const deadline = performance.now() + GROUP_KILL_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    signalGroup(pgid, 'SIGKILL');
    if (!groupAlive(pgid)) return true;
    if (performance.now() > deadline) return false;
    await sleep(attempt < 10 ? 5 : 25);
  }
}

function ended(stream: Readable, limitMs: number): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    stream.once('end', done);
    stream.once('close', done);
  });
}

function closeStreams(child: ChildProcess): void {
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One output stream: split into lines (a secret is never split between two redactions), redacted,
 * passed to `onLine`, stored up to the cap, hashed both as stored and in full.
 */
class OutputSink {
  private pending: Buffer = Buffer.alloc(0);
  private readonly lines: LineRedactor;
  private readonly file: WriteStream | undefined;
  private writeError: string | undefined;
  private readonly storedHash: Hash = createHash('sha256');
  private storedBytes = 0;
  private lastStoredByte = -1;
  private readonly fullHash: Hash = createHash('sha256');
  private fullBytes = 0;
  private cut = false;
  private closed = false;
  private sha256 = '';
  private truncated: { bytes: number; sha256: string } | undefined;

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly path: string,
    private readonly options: RunProcessOptions,
    writeFile: boolean,
  ) {
    this.lines = createLineRedactor(options.redactor);
    if (writeFile) {
      this.file = createWriteStream(path);
      this.file.on('error', (e) => {
        this.writeError ??= `cannot write ${path}: ${e.message}`;
      });
    }
  }

  feed(chunk: Buffer): void {
    if (this.closed) return;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i];
      if (byte === 0x0a) {
        this.line(buf.subarray(start, i + 1));
        start = i + 1;
      } else if (byte === 0x0d) {
        // a lone CR ends a line too (progress bars); CRLF is decided when the next byte is here
        if (i + 1 === buf.length) break;
        if (buf[i + 1] !== 0x0a) {
          this.line(buf.subarray(start, i + 1));
          start = i + 1;
        }
      }
    }
    this.pending = buf.subarray(start);
    while (this.pending.length > MAX_LINE_BYTES) {
      // no line end in sight: pass on a piece, cut after a blank if there is one (secrets have none)
      let at =
        Math.max(
          this.pending.lastIndexOf(0x20, MAX_LINE_BYTES - 1),
          this.pending.lastIndexOf(0x09, MAX_LINE_BYTES - 1),
        ) + 1;
      if (at <= 0) at = utf8Boundary(this.pending, MAX_LINE_BYTES);
      this.line(this.pending.subarray(0, at));
      this.pending = this.pending.subarray(at);
    }
  }

  /** Flushes the last partial line, marks a cut, closes the file. */
  async finish(): Promise<{ capture: OutputCapture; error?: string }> {
    if (!this.closed) {
      if (this.pending.length > 0) this.line(this.pending);
      this.pending = Buffer.alloc(0);
      this.emit(this.lines.flush());
      this.closed = true;
      if (this.cut) {
        const fullSha = this.fullHash.digest('hex');
        const newline = this.storedBytes > 0 && this.lastStoredByte !== 0x0a ? '\n' : '';
        this.write(Buffer.from(`${newline}[truncated: ${this.fullBytes} bytes, sha256 ${fullSha}]\n`));
        this.truncated = { bytes: this.fullBytes, sha256: fullSha };
      }
      this.sha256 = this.storedHash.digest('hex');
      if (this.file) {
        const file = this.file;
        await new Promise<void>((resolve) => {
          if (file.destroyed) return resolve();
          file.once('close', resolve);
          file.end();
        });
      }
    }
    const capture: OutputCapture = { path: this.path, bytes: this.storedBytes, sha256: this.sha256 };
    if (this.truncated) capture.truncated = this.truncated;
    return this.writeError ? { capture, error: this.writeError } : { capture };
  }

  private line(bytes: Buffer): void {
    this.emit(this.lines.push(bytes.toString('utf8')));
  }

  private emit(text: string): void {
    if (text === '') return;
    if (this.options.onLine) {
      const lines = text.split(/\r\n|\n|\r/);
      if (lines[lines.length - 1] === '') lines.pop();
      for (const line of lines) {
        try {
          this.options.onLine(this.stream, line);
        } catch {
          // a failing progress display must not break the capture
        }
      }
    }
    const bytes = Buffer.from(text, 'utf8');
    this.fullHash.update(bytes);
    this.fullBytes += bytes.length;
    if (this.cut) return;
    const room = Math.max(0, this.options.maxLogBytes - this.storedBytes);
    if (bytes.length <= room) {
      this.write(bytes);
    } else {
      this.write(bytes.subarray(0, utf8Boundary(bytes, room)));
      this.cut = true;
    }
  }

  private write(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.storedHash.update(bytes);
    this.storedBytes += bytes.length;
    this.lastStoredByte = bytes[bytes.length - 1];
    if (this.file && !this.file.destroyed) this.file.write(bytes);
  }
}

/** The largest index <= `at` that does not split a UTF-8 character. */
function utf8Boundary(bytes: Buffer, at: number): number {
  let i = Math.min(at, bytes.length);
  while (i > 0 && i < bytes.length && (bytes[i] & 0xc0) === 0x80) i--;
  return i;
}
