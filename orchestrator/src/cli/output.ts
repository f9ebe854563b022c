import { randomBytes } from 'node:crypto';
import { type Diagnostic, formatDiagnostic } from '../repo/diagnostics.js';
import { escapeTerminalBlock } from '../util/terminal-text.js';

/** The styles a command may ask for; each is one SGR code. */
export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green';
const SGR: Record<Style, string> = { bold: '1', dim: '2', red: '31', yellow: '33', green: '32' };

// Our own styling travels through a line as this marker, which text from a file or an agent cannot
// contain (private-use characters chosen at random per process). A line is printed by escaping
// every control character in it first, and only then turning the markers into SGR sequences.
const STYLE_MARK = String.fromCharCode(...Array.from(randomBytes(8), (b) => 0xe000 + b));

/**
 * Where a command prints: text for people (colours only on a TTY), or one JSON document. Every
 * line goes through `escapeTerminalBlock`: this is the boundary where task titles, spec text, git
 * output and agent output meet the terminal, so none of it can send control sequences.
 */
export class Output {
  constructor(
    readonly stdout: NodeJS.WritableStream,
    readonly stderr: NodeJS.WritableStream,
    readonly color: boolean,
  ) {}

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(toTerminal(`${text}\n`));
  }

  /** A block printed as it is (no newline added), escaped like a line. */
  write(text: string): void {
    this.stdout.write(toTerminal(text));
  }

  json(value: unknown): void {
    // JSON.stringify escapes C0; DEL, C1 and bidi controls become \uXXXX, which JSON reads the same
    this.stdout.write(escapeTerminalBlock(`${JSON.stringify(value, null, 2)}\n`));
  }

  /** Diagnostics to stderr, errors in red and warnings in yellow when colours are on. */
  diagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics)
      this.error(this.paint(d.severity === 'error' ? 'red' : 'yellow', formatDiagnostic(d)));
  }

  /** `text` in `style` when colours are on; only `line`, `error` and `write` turn it into colour. */
  paint(style: Style, text: string): string {
    return this.color ? `${STYLE_MARK}${SGR[style]}m${text}${STYLE_MARK}0m` : text;
  }

  bold(text: string): string {
    return this.paint('bold', text);
  }

  dim(text: string): string {
    return this.paint('dim', text);
  }
}

function toTerminal(text: string): string {
  return escapeTerminalBlock(text).replaceAll(STYLE_MARK, '\x1b[');
}

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
