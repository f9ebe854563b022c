import type { CommandRecord, RunManifest } from '../runs/manifest-types.js';

export interface PullRequestReview {
  score: number;
  findings: { file: string | null; line: number | null; severity: string; message: string }[];
}

export interface PullRequestBodyOptions {
  /** The manifest's path in the repository, shown when there is no URL. */
  manifestPath: string;
  manifestUrl?: string;
  review?: PullRequestReview;
}

/** GitHub rejects a pull request body longer than this. */
export const MAX_BODY_CHARS = 65_536;
/** One long cell must not crowd the other sections out of the body. */
const MAX_CELL_CHARS = 1_000;
const MAX_FILES_LISTED = 200;
const CUT_NOTE =
  "\n\n_The rest was cut to stay under GitHub's 65,536-character limit; the run manifest has it all._\n";

/** The hidden first line that matches a pull request to its run. */
export function runMarker(runId: string): string {
  return `<!-- cxo:run ${runId.replace(/--+|>/g, '')} -->`;
}

/** The pull request description for a run: deterministic markdown from the manifest alone. */
export function renderPullRequestBody(manifest: RunManifest, options: PullRequestBodyOptions): string {
  const head = `${runMarker(manifest.run.id)}\n\n`;
  const sections = [
    summary(manifest),
    steps(manifest),
    commands(manifest.commands),
    diff(manifest),
    options.review ? review(options.review) : '',
  ].filter(Boolean);
  const foot = `\n${manifestLink(options)}\n`;
  return fit(head, sections.join('\n'), foot);
}

function summary(manifest: RunManifest): string {
  const { result } = manifest;
  const lines = [
    `## ${inline(manifest.task.id)}: ${inline(manifest.task.title)}`,
    '',
    `- Run: ${code(manifest.run.id)} on branch ${code(manifest.run.branch)}`,
    `- Result: **${result.status}**${result.reason ? ` — ${inline(result.reason)}` : ''}`,
  ];
  if (result.error) lines.push(`- Error: ${code(result.error.code)} ${inline(result.error.message)}`);
  if (manifest.run.forced) lines.push(`- Dispatch gate skipped: ${inline(manifest.run.forced)}`);
  return `${lines.join('\n')}\n`;
}

function steps(manifest: RunManifest): string {
  if (manifest.steps.length === 0) return '';
  const rows = manifest.steps.map((step) => [
    step.role,
    code(step.adapter),
    step.status,
    bound(step.summary ?? step.error?.message ?? '—'),
  ]);
  return `### Steps\n\n${table(['Role', 'Adapter', 'Status', 'Summary'], rows)}`;
}

function commands(records: CommandRecord[]): string {
  if (records.length === 0) return '';
  const rows = records.map((command) => [command.role, code(command.command), outcome(command)]);
  return `### Commands\n\n${table(['Role', 'Command', 'Result'], rows)}`;
}

function outcome(command: CommandRecord): string {
  const parts: string[] = [];
  if (command.timedOut) parts.push('timed out');
  if (command.exitCode !== null) parts.push(`exit ${command.exitCode}`);
  if (command.signal) parts.push(`signal ${command.signal}`);
  return parts.length > 0 ? parts.join(', ') : 'no exit code';
}

function diff(manifest: RunManifest): string {
  const d = manifest.diff;
  if (!d) return '';
  const range = `${d.baseCommit.slice(0, 12)}..${d.headCommit ? d.headCommit.slice(0, 12) : 'uncommitted'}`;
  const count = `${d.files.length} file${d.files.length === 1 ? '' : 's'}`;
  const lines = [`### Diff`, '', `${count} changed, +${d.insertions} -${d.deletions} (${code(range)})`, ''];
  for (const file of d.files.slice(0, MAX_FILES_LISTED)) lines.push(`- ${code(file)}`);
  if (d.files.length > MAX_FILES_LISTED) lines.push(`- … and ${d.files.length - MAX_FILES_LISTED} more`);
  return `${lines.join('\n')}\n`;
}

function review(r: PullRequestReview): string {
  const head = `### Review\n\nScore: ${r.score}, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}\n`;
  if (r.findings.length === 0) return head;
  const rows = r.findings.map((f) => [
    f.severity,
    f.file ? code(f.line !== null ? `${f.file}:${f.line}` : f.file) : '—',
    bound(f.message),
  ]);
  return `${head}\n${table(['Severity', 'Location', 'Message'], rows)}`;
}

function manifestLink(options: PullRequestBodyOptions): string {
  return options.manifestUrl
    ? `Run manifest: [${inline(options.manifestPath)}](${options.manifestUrl.replace(/[()\s]/g, percent)})`
    : `Run manifest: ${code(options.manifestPath)}`;
}

/** Parentheses and spaces would end a markdown link target. */
function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return `${[line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')}\n`;
}

/** A table cell: one line, pipes escaped (GitHub wants `\|` even inside code spans). */
function cell(text: string): string {
  return text
    .trim()
    .replace(/\r\n?|\n/g, '<br>')
    .replace(/\|/g, '\\|');
}

/** Free text for a cell, bounded. */
function bound(text: string): string {
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** Text on one line outside a table. */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A code span whose fence is longer than any backtick run inside it. */
function code(text: string): string {
  const flat = bound(inline(text));
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Keeps the marker and the manifest link; cuts the middle at a line end when the whole is too long. */
function fit(head: string, middle: string, foot: string): string {
  const whole = `${head}${middle}${foot}`;
  if (whole.length <= MAX_BODY_CHARS) return whole;
  const room = MAX_BODY_CHARS - head.length - foot.length - CUT_NOTE.length;
  const slice = middle.slice(0, Math.max(0, room));
  const lineEnd = slice.lastIndexOf('\n');
  return `${head}${lineEnd > 0 ? slice.slice(0, lineEnd) : slice}${CUT_NOTE}${foot}`;
}
