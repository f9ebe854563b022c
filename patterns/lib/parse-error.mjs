// Shared by the codemods and the lint-rule runner.

/** Thrown when the source does not parse: the engine reports the file with the position and skips it. */
export class ParseError extends Error {
  constructor(message, line, column) {
    super(message);
    this.code = 'ParseError';
    this.line = line;
    this.column = column;
  }
}
