import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../../repo/atomic-write.js';
import { runProcess } from '../../runs/process-runner.js';
import type { AgentContext } from '../agent.js';

/** A tool the model may call: its JSON Schema and what it does in the worktree. */
export interface WorkspaceTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface CommandPolicy {
  /** When not empty, a command must match one of these regular expressions. */
  allow: string[];
  /** A command matching one of these is refused. */
  deny: string[];
  timeoutMs: number;
}

/** What a tool call did: the text the model gets back, and whether it ended the turn loop. */
export interface ToolOutcome {
  output: string;
  ok: boolean;
  finish?: string;
}

const MAX_READ_CHARS = 100_000;
const MAX_OUTPUT_CHARS = 16_000;
const MAX_LISTED = 2_000;

const string = (description: string) => ({ type: 'string', description });
const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const WORKSPACE_TOOLS: WorkspaceTool[] = [
  {
    name: 'list_files',
    description: 'List the files under a directory of the working directory (recursively, .git excluded).',
    parameters: object({ path: string('directory relative to the working directory; "." for all') }, [
      'path',
    ]),
  },
  {
    name: 'read_file',
    description: 'Read a text file of the working directory.',
    parameters: object({ path: string('file path relative to the working directory') }, ['path']),
  },
  {
    name: 'search',
    description:
      'Search the files of the working directory for a regular expression; answers path:line: text.',
    parameters: object(
      { pattern: string('JavaScript regular expression'), path: string('directory to search; "." for all') },
      ['pattern', 'path'],
    ),
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file of the working directory with the given content.',
    parameters: object({ path: string('file path'), content: string('the whole new content') }, [
      'path',
      'content',
    ]),
  },
  {
    name: 'edit_file',
    description: 'Replace text in a file: `old` must occur exactly once in it.',
    parameters: object(
      { path: string('file path'), old: string('exact text to replace'), new: string('replacement') },
      ['path', 'old', 'new'],
    ),
  },
  {
    name: 'run_command',
    description: 'Run a shell command in the working directory; answers its exit code and output.',
    parameters: object({ command: string('the shell command') }, ['command']),
  },
  {
    name: 'finish',
    description: 'Say that the work is done, with a one-paragraph summary of what changed.',
    parameters: object({ summary: string('what was done') }, ['summary']),
  },
];

/**
 * Carries out the model's tool calls, confined to the run's worktree: paths are resolved inside
 * it (symbolic links included) and `.git` is off limits; commands run there with the run's
 * scrubbed environment, under the allow/deny policy and a timeout, their process groups tracked.
 */
export class Workspace {
  private commandCount = 0;
  /** Run-directory-relative logs of the commands run, for the manifest's artifacts. */
  readonly logs: { name: string; truncated?: { bytes: number; sha256: string } }[] = [];

  constructor(
    private readonly ctx: AgentContext,
    private readonly policy: CommandPolicy,
  ) {}

  async call(name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
    try {
      switch (name) {
        case 'list_files':
          return ok(this.list(text(args, 'path')));
        case 'read_file':
          return ok(this.read(text(args, 'path')));
        case 'search':
          return ok(this.search(text(args, 'pattern'), text(args, 'path')));
        case 'write_file':
          return ok(this.write(text(args, 'path'), text(args, 'content')));
        case 'edit_file':
          return ok(this.edit(text(args, 'path'), text(args, 'old'), text(args, 'new')));
        case 'run_command':
          return await this.run(text(args, 'command'));
        case 'finish':
          return { ok: true, output: 'finished', finish: text(args, 'summary') };
        default:
          return { ok: false, output: `error: there is no tool "${name}"` };
      }
    } catch (e) {
      return { ok: false, output: `error: ${(e as Error).message}` };
    }
  }

  /** An absolute path inside the worktree for `path`, or an error naming why not. */
  private inside(path: string, forWrite = false): string {
    if (isAbsolute(path))
      throw new Error(`${path} is absolute: give a path relative to the working directory`);
    const root = realpathSync(this.ctx.workdir);
    const abs = resolve(root, path);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${path} is outside the working directory`);
    if (rel === '.git' || rel.startsWith(`.git${sep}`))
      throw new Error(`${path} is inside .git, which is off limits`);
    // the nearest existing ancestor, resolved, must still be inside: no escape through a symlink
    let existing = abs;
    while (!existsSync(existing)) existing = dirname(existing);
    const real = realpathSync(existing);
    if (real !== root && !real.startsWith(`${root}${sep}`)) {
      throw new Error(`${path} leads outside the working directory through a symbolic link`);
    }
    if (forWrite && existsSync(abs) && lstatSync(abs).isSymbolicLink()) {
      throw new Error(`${path} is a symbolic link; write the file it points to instead`);
    }
    return abs;
  }

  private list(path: string): string {
    const base = this.inside(path);
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (out.length >= MAX_LISTED) return;
        if (entry.name === '.git') continue;
        const abs = join(dir, entry.name);
        if (entry.isDirectory()) walk(abs);
        else out.push(relative(this.ctx.workdir, abs));
      }
    };
    if (statSync(base).isDirectory()) walk(base);
    else out.push(relative(this.ctx.workdir, base));
    return out.length >= MAX_LISTED
      ? `${out.join('\n')}\n[listing cut at ${MAX_LISTED} files]`
      : out.join('\n');
  }

  private read(path: string): string {
    const content = readFileSync(this.inside(path), 'utf8');
    return content.length > MAX_READ_CHARS
      ? `${content.slice(0, MAX_READ_CHARS)}\n[file cut at ${MAX_READ_CHARS} characters]`
      : content;
  }

  private search(pattern: string, path: string): string {
    const regex = new RegExp(pattern);
    const hits: string[] = [];
    for (const file of this.list(path).split('\n')) {
      if (!file || file.startsWith('[')) continue;
      const abs = join(this.ctx.workdir, file);
      if (statSync(abs).size > 1024 * 1024) continue;
      const lines = readFileSync(abs, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (hits.length < 200 && regex.test(line)) hits.push(`${file}:${i + 1}: ${line.slice(0, 300)}`);
      });
    }
    return hits.length ? hits.join('\n') : 'no matches';
  }

  private write(path: string, content: string): string {
    const abs = this.inside(path, true);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileAtomic(abs, content);
    this.ctx.onEvent({ type: 'file_write', path, bytes: Buffer.byteLength(content) });
    return `wrote ${path} (${Buffer.byteLength(content)} bytes)`;
  }

  private edit(path: string, old: string, replacement: string): string {
    const abs = this.inside(path, true);
    const content = readFileSync(abs, 'utf8');
    const count = old === '' ? 0 : content.split(old).length - 1;
    if (count !== 1) {
      throw new Error(`the text to replace occurs ${count} times in ${path}; it must occur exactly once`);
    }
    writeFileAtomic(
      abs,
      content.replace(old, () => replacement),
    );
    this.ctx.onEvent({ type: 'file_edit', path });
    return `edited ${path}`;
  }

  private async run(command: string): Promise<ToolOutcome> {
    const denied = this.policy.deny.find((p) => new RegExp(p).test(command));
    if (denied) return { ok: false, output: `refused: the command matches the deny rule /${denied}/` };
    if (this.policy.allow.length && !this.policy.allow.some((p) => new RegExp(p).test(command))) {
      return { ok: false, output: 'refused: the command matches no allow rule' };
    }
    const n = ++this.commandCount;
    const name = `${this.ctx.role}-command-${n}`;
    this.ctx.onEvent({ type: 'command_started', command });
    const result = await runProcess({
      command,
      cwd: this.ctx.workdir,
      env: this.ctx.env,
      timeoutMs: Math.min(this.policy.timeoutMs, this.ctx.timeoutMs),
      signal: this.ctx.signal,
      outputDir: join(this.ctx.outputDir, 'agents'),
      name,
      maxLogBytes: this.ctx.maxLogBytes,
      redactor: this.ctx.redactor,
      onSpawn: this.ctx.onSpawn,
      sandbox: this.ctx.sandbox,
    });
    this.ctx.onExit?.(result.pid);
    this.logs.push(
      { name: `agents/${name}.stdout.log`, truncated: result.stdout.truncated },
      { name: `agents/${name}.stderr.log`, truncated: result.stderr.truncated },
    );
    this.ctx.onEvent({
      type: 'command_finished',
      command,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      durationMs: Math.round(result.durationMs),
    });
    const output = tail(
      `${readFileSync(result.stdout.path, 'utf8')}${readFileSync(result.stderr.path, 'utf8')}`,
      MAX_OUTPUT_CHARS,
    );
    const status = result.timedOut
      ? `timed out after ${Math.min(this.policy.timeoutMs, this.ctx.timeoutMs)} ms`
      : `exit code ${result.exitCode ?? result.signal}`;
    return { ok: result.exitCode === 0, output: `${status}\n${output}` };
  }
}

function ok(output: string): ToolOutcome {
  return { ok: true, output };
}

function text(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string') throw new Error(`argument "${key}" must be a string`);
  return value;
}

function tail(s: string, max: number): string {
  return s.length > max ? `[output cut to its last ${max} characters]\n${s.slice(-max)}` : s;
}
