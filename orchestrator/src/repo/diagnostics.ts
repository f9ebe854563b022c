import { escapeTerminal } from '../util/terminal-text.js';

/** A finding about a file a person edits: where it is, what is wrong, and how to fix it. */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in characters. */
  column: number;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable id, e.g. `json-syntax`, `schema`, `dangling-reference`. */
  code: string;
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** The offending line, quoted in text output. */
  sourceLine?: string;
  hint?: string;
}

export function diagnostic(
  severity: Severity,
  code: string,
  message: string,
  at: Partial<SourcePosition> & { file: string },
  extra: { sourceLine?: string; hint?: string } = {},
): Diagnostic {
  const d: Diagnostic = { severity, code, message, file: at.file };
  if (at.line !== undefined) d.line = at.line;
  if (at.column !== undefined) d.column = at.column;
  if (extra.sourceLine !== undefined) d.sourceLine = extra.sourceLine;
  if (extra.hint !== undefined) d.hint = extra.hint;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, so reports are stable. */
export function sortDiagnostics<T extends Diagnostic>(diagnostics: T[]): T[] {
  return diagnostics.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code),
  );
}

/** `path:line:col: severity[code]: message`, then the quoted line with a caret, then the hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line !== undefined ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
  const lines = [`${where}: ${d.severity}[${d.code}]: ${d.message}`];
  if (d.sourceLine !== undefined && d.line !== undefined) {
    const gutter = String(d.line);
    // the quoted line is the file's text: its control characters are shown, not sent to the terminal
    const quoted = escapeTerminal(d.sourceLine);
    lines.push(`  ${gutter} | ${quoted}`);
    const caretAt = escapeTerminal(d.sourceLine.slice(0, Math.max(0, (d.column ?? 1) - 1))).length;
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.min(caretAt, quoted.length))}^`);
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
