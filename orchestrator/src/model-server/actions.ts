import { isAbsolute, posix } from 'node:path';
import type { RequestView } from './request-view.js';
import type { Step } from './scenario.js';

/** What the model says in one answer: a tool call (arguments as JSON text) or final text. */
export type Answer = { kind: 'call'; name: string; arguments: string } | { kind: 'text'; text: string };

export type Mapped = { answer: Answer } | { missing: string };

type Args = Record<string, unknown>;

/**
 * Shell tools by client: Codex's `exec_command` (and its older `shell`), Claude Code's `Bash`,
 * the built-in agent's `run_command`. Codex takes a working directory; the others get a `cd`.
 */
const SHELL_TOOLS: { name: string; args: (cmd: string, workdir?: string) => Args }[] = [
  { name: 'exec_command', args: (cmd, workdir) => ({ cmd, ...(workdir ? { workdir } : {}) }) },
  {
    name: 'shell',
    args: (cmd, workdir) => ({ command: ['bash', '-lc', cmd], ...(workdir ? { workdir } : {}) }),
  },
  { name: 'Bash', args: (cmd, workdir) => ({ command: inDir(cmd, workdir) }) },
  { name: 'run_command', args: (cmd, workdir) => ({ command: inDir(cmd, workdir) }) },
];

/** Maps a step's abstract action to a call of a tool the client offered, or says which is missing. */
export function mapAction(step: Step, view: RequestView): Mapped {
  const offered = new Set(view.tools);
  const has = (name: string) => offered.has(name);
  const call = (name: string, args: Args): Mapped => ({
    answer: { kind: 'call', name, arguments: JSON.stringify(args) },
  });
  const viaShell = (cmd: string, need: string): Mapped => {
    const tool = SHELL_TOOLS.find((t) => has(t.name));
    if (!tool) return { missing: need };
    return call(tool.name, tool.args(cmd, step.workdir));
  };
  // Claude Code's file tools want absolute paths
  const claudePath = (path: string) => (view.cwd && !isAbsolute(path) ? posix.join(view.cwd, path) : path);

  if (step.shell !== undefined) return viaShell(step.shell, `a shell tool (${shellNames()})`);
  if (step.write !== undefined) {
    const { path, content } = step.write;
    if (has('write_file')) return call('write_file', { path, content });
    if (has('Write')) return call('Write', { file_path: claudePath(path), content });
    return viaShell(writeCommand(path, content), `write_file, Write or a shell tool (${shellNames()})`);
  }
  if (step.edit !== undefined) {
    const { path, old, new: replacement } = step.edit;
    if (has('edit_file')) return call('edit_file', { path, old, new: replacement });
    if (has('Edit'))
      return call('Edit', { file_path: claudePath(path), old_string: old, new_string: replacement });
    return viaShell(editCommand(path, old, replacement), `edit_file, Edit or a shell tool (${shellNames()})`);
  }
  if (step.read !== undefined) {
    if (has('read_file')) return call('read_file', { path: step.read });
    if (has('Read')) return call('Read', { file_path: claudePath(step.read) });
    return viaShell(`cat ${quote(step.read)}`, `read_file, Read or a shell tool (${shellNames()})`);
  }
  if (step.tool !== undefined) {
    const { name, arguments: args, raw_arguments: raw, unoffered } = step.tool;
    if (!unoffered && !has(name)) return { missing: `the tool "${name}"` };
    return { answer: { kind: 'call', name, arguments: raw ?? JSON.stringify(args ?? {}) } };
  }
  if (step.finish !== undefined) {
    if (has('finish')) return call('finish', { summary: step.finish });
    return { answer: { kind: 'text', text: step.finish } };
  }
  if (step.json !== undefined) return { answer: { kind: 'text', text: JSON.stringify(step.json, null, 2) } };
  return { answer: { kind: 'text', text: step.message ?? '' } };
}

function shellNames(): string {
  const names = SHELL_TOOLS.map((t) => t.name);
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function inDir(cmd: string, workdir?: string): string {
  return workdir ? `cd ${quote(workdir)} && ${cmd}` : cmd;
}

/** POSIX single quoting: safe for any text. */
export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A file write through a shell: a quoted heredoc when the content ends with a newline (readable in
 * logs, byte-exact), otherwise printf, which adds nothing.
 */
export function writeCommand(path: string, content: string): string {
  const mkdir = path.includes('/') ? `mkdir -p ${quote(posix.dirname(path))} && ` : '';
  let marker = 'CXO_EOF';
  while (content.includes(marker)) marker += '_';
  if (content.endsWith('\n')) return `${mkdir}cat > ${quote(path)} <<'${marker}'\n${content}${marker}`;
  return `${mkdir}printf '%s' ${quote(content)} > ${quote(path)}`;
}

// Replaces exactly one occurrence, like the edit tools do; the arguments travel as base64 JSON so no
// text needs shell quoting. The script itself holds no single quote.
const EDIT_SCRIPT = [
  'const fs=require("fs");',
  'const [p,o,n]=JSON.parse(Buffer.from(process.argv[1],"base64").toString("utf8"));',
  'const t=fs.readFileSync(p,"utf8");const i=t.indexOf(o);',
  'if(i<0||t.indexOf(o,i+1)>=0){console.error("edit: the old text must occur exactly once in "+p);process.exit(1)}',
  'fs.writeFileSync(p,t.slice(0,i)+n+t.slice(i+o.length));',
].join('');

/** A one-occurrence text replacement through a shell, for clients without an edit tool (Codex). */
export function editCommand(path: string, old: string, replacement: string): string {
  const payload = Buffer.from(JSON.stringify([path, old, replacement]), 'utf8').toString('base64');
  return `node -e '${EDIT_SCRIPT}' ${payload}`;
}
