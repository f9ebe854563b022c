import { type Diagnostic, formatDiagnostic } from '../repo/diagnostics.js';

/** Where a command prints: text for people (colours only on a TTY), or one JSON document. */
export class Output {
  constructor(
    readonly stdout: NodeJS.WritableStream,
    readonly stderr: NodeJS.WritableStream,
    readonly color: boolean,
  ) {}

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Diagnostics to stderr, errors in red and warnings in yellow when colours are on. */
  diagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const text = formatDiagnostic(d);
      this.error(this.color ? `${d.severity === 'error' ? '\x1b[31m' : '\x1b[33m'}${text}\x1b[0m` : text);
    }
  }

  bold(text: string): string {
    return this.color ? `\x1b[1m${text}\x1b[0m` : text;
  }

  dim(text: string): string {
    return this.color ? `\x1b[2m${text}\x1b[0m` : text;
  }
}

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
