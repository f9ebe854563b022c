import type { Diagnostic } from './diagnostics.js';
import { diagnosticAt, type LineIndex } from './source-text.js';

/**
 * How deeply objects and arrays may nest in any file the orchestrator reads (JSON or YAML).
 * JSON.parse copes with any depth, but the readers after it (position trees, schema checks,
 * merges, JSON.stringify) recurse and run out of stack near 5,000 levels; real files nest < 10.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * Offset of the `{` or `[` that opens level `max + 1` of a JSON text, or undefined. An iterative
 * scan that skips strings with indexOf; it also works on invalid JSON (an unclosed string ends it).
 */
export function jsonNestingOverflow(text: string, max = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      // a quote preceded by an odd number of backslashes is escaped
      for (;;) {
        if (end === -1) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

/** The diagnostic for a document nested too deeply, at the bracket (or node) that goes one level too far. */
export function nestingDiagnostic(index: LineIndex, file: string, offset: number): Diagnostic {
  return diagnosticAt(
    index,
    file,
    offset,
    'error',
    'nesting-too-deep',
    `objects and arrays nest deeper than ${MAX_NESTING_DEPTH} levels here`,
    'no codex-orchestrator file needs this depth; flatten the value',
  );
}
