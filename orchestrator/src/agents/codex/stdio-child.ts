/**
 * A long-lived child spoken to over stdin/stdout (a JSON-RPC or MCP server), with what
 * `runProcess` gives one-shot commands: its own process group, tracked through onSpawn/onExit
 * and killed as a whole on timeout, cancellation or stop; its output redacted into capped logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { groupAlive } from '../../runs/process-groups.js';
import { createLineRedactor, type LineRedactor, type Redactor } from '../../runs/redaction.js';
import type { PreparedCommand, Sandbox } from '../../runs/sandbox/sandbox.js';

export interface StdioChildOptions {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Logs go to `<outputDir>/<name>.stdout.log` and `.stderr.log`. */
  outputDir: string;
  name: string;
  maxLogBytes: number;
  redactor: Redactor;
  timeoutMs: number;
  signal: AbortSignal;
  graceMs?: number;
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
  /** Each stdout line as written (not redacted: it is protocol); the log gets it redacted. */
  onStdoutLine: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Runs the server inside this sandbox. */
  sandbox?: Sandbox;
}

export interface ChildLog {
  truncated?: { bytes: number; sha256: string };
}

export interface StdioChildEnd {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  stdout: ChildLog;
  stderr: ChildLog;
}

const DEFAULT_GRACE_MS = 3000;
const GROUP_KILL_WAIT_MS = 5000;

export class StdioChild {
  timedOut = false;
  cancelled = false;
  /** Settles when the child has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly child: ChildProcess;
  private readonly pid: number;
  private readonly logs: { stdout: LogFile; stderr: LogFile };
  private readonly timer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private hasExited = false;
  private end: Promise<StdioChildEnd> | undefined;
  private readonly onAbort = () => {
    this.cancelled = true;
    this.terminate();
  };

  private constructor(
    private readonly options: StdioChildOptions,
    child: ChildProcess,
    private readonly prepared: PreparedCommand,
  ) {
    this.child = child;
    this.pid = child.pid!;
    mkdirSync(options.outputDir, { recursive: true });
    const base = join(options.outputDir, options.name);
    this.logs = {
      stdout: new LogFile(`${base}.stdout.log`, options),
      stderr: new LogFile(`${base}.stderr.log`, options),
    };
    options.onSpawn?.(this.pid);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        resolve({ code, signal });
      }),
    );
    lines(child.stdout!, (line) => {
      this.logs.stdout.write(line);
      options.onStdoutLine(line);
    });
    lines(child.stderr!, (line) => {
      this.logs.stderr.write(line);
      options.onStderrLine?.(line);
    });
    child.stdin!.on('error', () => {}); // a child that died leaves EPIPE behind: its exit tells
    if (options.timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.terminate();
      }, options.timeoutMs);
    }
    if (options.signal.aborted) this.onAbort();
    else options.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts the child; rejects (ENOENT, EACCES ...) when it cannot be started at all. */
  static start(options: StdioChildOptions): Promise<StdioChild> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      let prepared: PreparedCommand;
      try {
        prepared = options.sandbox?.prepare(options.argv, options.env, options.cwd) ?? {
          argv: options.argv,
          env: options.env,
          release: () => {},
        };
      } catch (e) {
        reject(e as Error);
        return;
      }
      try {
        child = spawn(prepared.argv[0], prepared.argv.slice(1), {
          cwd: options.cwd,
          env: prepared.env,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      } catch (e) {
        prepared.release();
        reject(e as Error);
        return;
      }
      // later errors (a failed kill) change nothing: the exit event tells what happened
      child.on('error', (e) => {
        if (child.pid !== undefined) return;
        prepared.release();
        reject(e);
      });
      child.once('spawn', () => resolve(new StdioChild(options, child, prepared)));
    });
  }

  get alive(): boolean {
    return !this.hasExited;
  }

  write(line: string): void {
    if (this.hasExited || this.child.stdin!.destroyed) return;
    this.child.stdin!.write(`${line}\n`);
  }

  /**
   * Closes stdin and gives the child the grace period to leave, then ends its whole group; closes
   * the logs. Idempotent.
   */
  stop(): Promise<StdioChildEnd> {
    this.end ??= this.finish();
    return this.end;
  }

  private async finish(): Promise<StdioChildEnd> {
    const grace = this.options.graceMs ?? DEFAULT_GRACE_MS;
    this.child.stdin!.end();
    if (!this.hasExited) {
      const gone = await Promise.race([this.exited.then(() => true), sleep(grace).then(() => false)]);
      if (!gone) this.terminate();
    }
    const { code, signal } = await this.exited;
    clearTimeout(this.timer);
    clearTimeout(this.killTimer);
    this.options.signal.removeEventListener('abort', this.onAbort);
    // nothing the server started (shells, sandboxes) may outlive it
    await killGroup(this.pid);
    this.prepared.release();
    this.options.onExit?.(this.pid);
    this.child.stdout!.destroy();
    this.child.stderr!.destroy();
    const [stdout, stderr] = await Promise.all([this.logs.stdout.close(), this.logs.stderr.close()]);
    return { code, signal, timedOut: this.timedOut, cancelled: this.cancelled, stdout, stderr };
  }

  /** SIGTERM to the group, SIGKILL after the grace period. */
  private terminate(): void {
    if (this.hasExited || this.killTimer) return;
    signalGroup(this.pid, 'SIGTERM');
    this.killTimer = setTimeout(
      () => signalGroup(this.pid, 'SIGKILL'),
      this.options.graceMs ?? DEFAULT_GRACE_MS,
    );
  }
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  const deliver = (line: string) => {
    try {
      onLine(line);
    } catch {
      // a failing consumer must not take the stream (and the process) down; the log has the line
    }
  };
  stream.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) deliver(part.endsWith('\r') ? part.slice(0, -1) : part);
  });
  stream.on('end', () => {
    if (pending) deliver(pending);
    pending = '';
  });
  stream.on('error', () => {});
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: nothing left to signal
  }
}

async function killGroup(pgid: number): Promise<void> {
  const deadline = Date.now() + GROUP_KILL_WAIT_MS;
  while (Date.now() < deadline) {
    signalGroup(pgid, 'SIGKILL');
    if (!groupAlive(pgid)) return;
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One redacted, capped log; a cut log ends with a `[truncated: ...]` line and reports the full size and hash. */
class LogFile {
  private readonly file: WriteStream;
  private readonly redact: LineRedactor;
  private readonly full: Hash = createHash('sha256');
  private fullBytes = 0;
  private storedBytes = 0;
  private cut = false;
  private lastByte = 0x0a;

  constructor(
    path: string,
    private readonly options: { maxLogBytes: number; redactor: Redactor },
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', () => {});
    this.redact = createLineRedactor(options.redactor);
  }

  write(line: string): void {
    this.store(this.redact.push(`${line}\n`));
  }

  async close(): Promise<ChildLog> {
    this.store(this.redact.flush());
    let truncated: ChildLog['truncated'];
    if (this.cut) {
      truncated = { bytes: this.fullBytes, sha256: this.full.digest('hex') };
      const newline = this.lastByte === 0x0a ? '' : '\n';
      this.file.write(`${newline}[truncated: ${truncated.bytes} bytes, sha256 ${truncated.sha256}]\n`);
    }
    await new Promise<void>((resolve) => this.file.end(resolve));
    return truncated ? { truncated } : {};
  }

  private store(text: string): void {
    if (!text) return;
    const bytes = Buffer.from(text, 'utf8');
    this.full.update(bytes);
    this.fullBytes += bytes.length;
    if (this.cut) return;
    const room = this.options.maxLogBytes - this.storedBytes;
    const kept = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(room, 0));
    if (kept.length < bytes.length) this.cut = true;
    if (kept.length === 0) return;
    this.file.write(kept);
    this.storedBytes += kept.length;
    this.lastByte = kept[kept.length - 1];
  }
}
