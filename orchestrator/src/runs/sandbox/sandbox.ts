/**
 * The sandbox every command run on the builder's behalf goes through (`command:` adapters, the
 * builtin agent's run_command, acceptance commands, the lint command, Codex and Claude Code):
 * bubblewrap with the worktree writable and little else (bwrap-args.ts), in cgroups or rlimits of
 * its own (resource-limits.ts); or, with `sandbox.mode: none` or where bubblewrap cannot run,
 * nothing, which the manifest says with the reason.
 */
import { existsSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, resolve, sep } from 'node:path';
import { bwrapArgs } from './bwrap-args.js';
import { type AppliedLimits, limitCommand, onPath, plannedLimits } from './resource-limits.js';
import type { SandboxConfig } from '../../repo/sandbox-config.js';

/** What the manifest records about the sandbox of a step. */
export interface SandboxRecord {
  mode: 'bwrap' | 'none';
  /** Why there is no sandbox (mode none). */
  reason: string | null;
  /** The network of the sandboxed processes; null without a sandbox (the host's). */
  network: 'deny' | 'allow' | null;
  limits: AppliedLimits | null;
  /** What else isolates the agent's own commands, or what the sandbox leaves out (Codex, Claude Code). */
  note: string | null;
}

export interface PreparedCommand {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Undoes what preparing did (the command's cgroups); call once it and its processes are gone. */
  release(): void;
}

export interface SandboxPaths {
  readable: string[];
  writable: string[];
  masked: string[];
}

export interface SandboxExtras {
  readable?: string[];
  writable?: string[];
  /** The agent process itself talks to its model endpoint. */
  network?: 'allow';
  note?: string;
}

export class Sandbox {
  private constructor(
    readonly mode: 'bwrap' | 'none',
    private readonly config: SandboxConfig,
    private readonly paths: SandboxPaths,
    private readonly reason: string | null,
    private readonly network: 'deny' | 'allow',
    private readonly note: string | null,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** No isolation, for `reason`. */
  static none(config: SandboxConfig, reason: string): Sandbox {
    return new Sandbox(
      'none',
      config,
      { readable: [], writable: [], masked: [] },
      reason,
      config.network,
      null,
      {},
    );
  }

  /**
   * The sandbox of one run: the main checkout and its git directory readable, the worktree and
   * its own git admin directory (index, HEAD) writable; objects, refs, config and hooks of the
   * repository stay read-only, so the builder can neither commit nor plant a hook or a corrupt
   * object the orchestrator would later trust.
   */
  static bwrap(
    config: SandboxConfig,
    run: { root: string; gitCommonDir: string; worktree: string; worktreeGitDir: string },
    env: NodeJS.ProcessEnv,
  ): Sandbox {
    const masked = [...new Set(['/tmp', tmpdir(), homedir()].map(real))].filter((d) => d !== '/');
    const extra = (list: string[]) =>
      list.map((p) => real(p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : resolve(run.root, p)));
    const readable = [run.root, run.gitCommonDir, ...toolDirs(env, masked), ...extra(config.extra_ro)].map(
      real,
    );
    const writable = [run.worktree, run.worktreeGitDir, ...extra(config.extra_rw)].map(real);
    return new Sandbox('bwrap', config, { readable, writable, masked }, null, config.network, null, env);
  }

  /** This sandbox with more paths, the network for the agent's own endpoint, or a note for the manifest. */
  with(extra: SandboxExtras): Sandbox {
    const paths = {
      readable: [...this.paths.readable, ...(extra.readable ?? []).map(real)],
      writable: [...this.paths.writable, ...(extra.writable ?? []).map(real)],
      masked: this.paths.masked,
    };
    const network = extra.network ?? this.network;
    const note = extra.note ?? this.note;
    return new Sandbox(this.mode, this.config, paths, this.reason, network, note, this.env);
  }

  /** The network the configuration asks for the builder's commands (an agent's own commands too). */
  get commandNetwork(): 'deny' | 'allow' {
    return this.config.network;
  }

  record(): SandboxRecord {
    if (this.mode === 'none')
      return { mode: 'none', reason: this.reason, network: null, limits: null, note: this.note };
    return {
      mode: 'bwrap',
      reason: null,
      network: this.network,
      limits: plannedLimits(this.config, this.env),
      note: this.note,
    };
  }

  /** The command to spawn instead of `argv`; throws when its limits cannot be set up. */
  prepare(argv: string[], env: NodeJS.ProcessEnv, cwd: string): PreparedCommand {
    if (this.mode === 'none') return { argv, env, release: () => {} };
    // said here, as spawn would say it: inside, bwrap could only report a failed exec
    if (argv[0].includes(sep) ? !existsSync(argv[0]) : !onPath(argv[0], env))
      throw new Error(`${argv[0]}: command not found (ENOENT)`);
    const program = argv[0].includes(sep) ? installPrefix(argv[0], this.paths.masked) : undefined;
    const bwrap = bwrapArgs({
      readable: program ? [...this.paths.readable, program] : this.paths.readable,
      writable: this.paths.writable,
      masked: this.paths.masked,
      network: this.network,
      cwd,
    });
    const limited = limitCommand(this.config, this.env);
    return {
      argv: [...limited.prefix, 'bwrap', ...bwrap, ...argv],
      // the host's temp directory is not there: /tmp is the sandbox's own
      env: { ...env, TMPDIR: '/tmp', TMP: '/tmp', TEMP: '/tmp' },
      release: limited.release,
    };
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}${sep}`);
}

/**
 * PATH directories under a masked directory (a node installed by nvm, ~/.local/bin): their parent
 * stays readable, as programs there reach their libraries beside them (../lib).
 */
function toolDirs(env: NodeJS.ProcessEnv, masked: string[]): string[] {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((d) => isAbsolute(d))
    .map(real)
    .filter((d) => masked.some((m) => under(d, m) && d !== m))
    .map((d) => (masked.includes(dirname(d)) ? d : dirname(d)));
}

/** The installation a program given by path belongs to (its npm prefix, or its directory's parent). */
function installPrefix(program: string, masked: string[]): string | undefined {
  const path = real(program);
  if (!masked.some((m) => under(path, m))) return undefined;
  const at = path.indexOf(`${sep}node_modules${sep}`);
  const prefix = at > 0 ? path.slice(0, at) : dirname(dirname(path));
  return masked.includes(prefix) ? dirname(path) : prefix;
}
