import type { Diagnostic } from './repo/diagnostics.js';

/** Exit codes shared by every command. */
export const ExitCode = {
  Ok: 0,
  /** A check found violations, or a run failed. */
  Failure: 1,
  /** Bad usage or bad configuration. */
  Usage: 2,
  /** A bug in the orchestrator. */
  Internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error the orchestrator expects; anything else is internal (exit 3). */
export class CxoError extends Error {
  readonly exitCode: ExitCode;
  readonly diagnostics: Diagnostic[];
  readonly hint?: string;
  constructor(
    message: string,
    exitCode: ExitCode,
    options: { diagnostics?: Diagnostic[]; hint?: string } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.diagnostics = options.diagnostics ?? [];
    this.hint = options.hint;
  }
}

/** The command line was wrong: unknown option, missing argument. */
export class UsageError extends CxoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, { hint });
  }
}

/** The repository's files cannot be used as they are; nothing was written. */
export class InvalidRepoError extends CxoError {
  constructor(message: string, diagnostics: Diagnostic[], exitCode: ExitCode = ExitCode.Usage) {
    super(message, exitCode, { diagnostics });
  }
}

/** A named thing (task, spec, checklist item) does not exist. */
export class NotFoundError extends CxoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, { hint });
  }
}

/** An operation ran and failed (a git command, a write). */
export class OperationError extends CxoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Failure, { hint });
  }
}
