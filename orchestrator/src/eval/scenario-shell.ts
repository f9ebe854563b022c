/**
 * How the harness runs a scenario's commands (setup, goals, tests, the pipeline): each in its own
 * process group with a timeout (the whole group is killed), output to the scenario's logs, the
 * scenario's deadline as the cancel signal.
 */
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { runProcess } from '../runs/process-runner.js';
import type { Redactor } from '../runs/redaction.js';
import { scrubEnv } from '../runs/scrubbed-env.js';

export interface ShellResult {
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** Why it could not run at all (not found, bad directory). */
  error?: string;
  /** The stored stdout (capped at MAX_LOG_BYTES). */
  stdout: string;
  stderr: string;
  /** Log file names, relative to the scenario's log directory. */
  logs: string[];
}

const MAX_LOG_BYTES = 16 * 1024 * 1024;

/** What commands need from the harness's environment: the package registry, proxies, certificates. */
const PASS_THROUGH = [
  'npm_config_*',
  'NPM_CONFIG_*',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'XDG_CACHE_HOME',
];

export class ScenarioShell {
  constructor(
    private readonly logDir: string,
    private readonly redactor: Redactor,
    private readonly signal: AbortSignal,
    /** Directories put first on PATH (the scenario's node_modules/.bin). */
    private readonly binDirs: string[] = [],
  ) {}

  /** The environment of a scenario command: scrubbed, CI=1, the scenario's bin directories first. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const path = [...this.binDirs, process.env.PATH ?? ''].filter(Boolean).join(delimiter);
    return scrubEnv(process.env, {
      passThrough: PASS_THROUGH,
      set: { CI: '1', GIT_TERMINAL_PROMPT: '0', NO_COLOR: '1', PATH: path, ...extra },
    });
  }

  addBinDir(dir: string): void {
    if (!this.binDirs.includes(dir)) this.binDirs.unshift(dir);
  }

  async run(
    name: string,
    command: string | string[],
    cwd: string,
    timeoutS: number,
    env: NodeJS.ProcessEnv = this.env(),
  ): Promise<ShellResult> {
    const r = await runProcess({
      command,
      cwd,
      env,
      timeoutMs: timeoutS * 1000,
      graceMs: 1000,
      signal: this.signal,
      outputDir: this.logDir,
      name,
      maxLogBytes: MAX_LOG_BYTES,
      redactor: this.redactor,
    });
    const text = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    return {
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      cancelled: r.cancelled,
      durationMs: Math.round(r.durationMs),
      ...(r.error !== undefined && r.pid === 0 ? { error: r.error } : {}),
      stdout: text(r.stdout.path),
      stderr: text(r.stderr.path),
      logs: [r.stdout.path, r.stderr.path].map((p) => p.slice(this.logDir.length + 1)),
    };
  }

  get logDirectory(): string {
    return this.logDir;
  }
}
