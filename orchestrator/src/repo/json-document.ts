import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Diagnostic } from './diagnostics.js';
import { jsonNestingOverflow, MAX_NESTING_DEPTH, nestingDiagnostic } from './nesting-limit.js';
import { diagnosticAt, LineIndex, type SourceText } from './source-text.js';

export type JsonPath = (string | number)[];

/** A parsed JSON file that can say where any value came from. */
export class JsonDocument {
  readonly index: LineIndex;
  private tree: Node | undefined;
  constructor(
    readonly source: SourceText,
    readonly value: unknown,
  ) {
    this.index = new LineIndex(source.text);
  }

  /** The syntax tree, built on first use: positions cost ~10x a plain JSON.parse. */
  root(): Node {
    if (!this.tree) this.tree = parseTree(this.source.text, [], { disallowComments: true }) as Node;
    return this.tree;
  }

  node(path: JsonPath): Node | undefined {
    return findNodeAtLocation(this.root(), path);
  }

  /** Offset of the value at `path`, or of its closest existing parent, or of the property key. */
  offsetOf(path: JsonPath, part: 'value' | 'key' = 'value'): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.node(path.slice(0, depth));
      if (!node) continue;
      if (part === 'key' && depth === path.length && node.parent?.type === 'property') {
        return node.parent.offset;
      }
      return node.offset;
    }
    return 0;
  }

  diagnosticAt(
    path: JsonPath,
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    hint?: string,
    part: 'value' | 'key' = 'value',
  ): Diagnostic {
    return diagnosticAt(
      this.index,
      this.source.file,
      this.offsetOf(path, part),
      severity,
      code,
      message,
      hint,
    );
  }
}

export interface ParseJsonOptions {
  /**
   * `full` also reports duplicate keys (which JSON.parse silently drops); `fast` trusts JSON.parse
   * (read commands at 10,000 tasks). Either way the position tree is built only when something is reported.
   */
  mode: 'full' | 'fast';
}

/** Parses JSON, reporting every syntax error with line, column and the quoted line. */
export function parseJson(
  source: SourceText,
  options: ParseJsonOptions = { mode: 'full' },
): { doc?: JsonDocument; diagnostics: Diagnostic[] } {
  let value: unknown;
  let parsed = false;
  try {
    value = JSON.parse(source.text);
    parsed = true;
  } catch {
    // fall through to the positional parse, which says exactly where and why
  }
  if (parsed) {
    if (options.mode === 'fast') {
      const tooDeep = jsonNestingOverflow(source.text);
      if (tooDeep !== undefined)
        return { diagnostics: [nestingDiagnostic(new LineIndex(source.text), source.file, tooDeep)] };
      return { doc: new JsonDocument(source, value), diagnostics: [] };
    }
    // valid JSON: a quick scan finds duplicate keys (and too deep nesting) without building the (10x slower) tree
    const duplicates = duplicateKeys(new LineIndex(source.text), source);
    return duplicates.length > 0
      ? { diagnostics: duplicates }
      : { doc: new JsonDocument(source, value), diagnostics: [] };
  }
  const index = new LineIndex(source.text);
  if (source.text.trim() === '') {
    return {
      diagnostics: [
        diagnosticAt(
          index,
          source.file,
          0,
          'error',
          'json-syntax',
          'file is empty, expected a JSON document',
        ),
      ],
    };
  }
  // the positional parser recurses: a deeply nested text would overflow the stack
  const tooDeep = jsonNestingOverflow(source.text);
  if (tooDeep !== undefined) return { diagnostics: [nestingDiagnostic(index, source.file, tooDeep)] };
  const errors: ParseError[] = [];
  parseTree(source.text, errors, { disallowComments: true, allowTrailingComma: false });
  const diagnostics: Diagnostic[] = [];
  // one mistake often yields several parser errors at the same spot; report each spot once
  const seen = new Set<number>();
  for (const e of errors) {
    const d = describeSyntaxError(index, source, e);
    const key = d.line! * 1e6 + d.column!;
    if (seen.has(key) || (diagnostics.length > 0 && d.message.startsWith('unexpected end of file'))) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  if (diagnostics.length === 0) {
    diagnostics.push(diagnosticAt(index, source.file, 0, 'error', 'json-syntax', 'invalid JSON'));
  }
  return { diagnostics };
}

function describeSyntaxError(index: LineIndex, source: SourceText, e: ParseError): Diagnostic {
  const text = source.text;
  const at = Math.min(e.offset, text.length);
  const before = text.slice(0, at).trimEnd();
  const here = text[at];
  if (at >= text.trimEnd().length) {
    return diagnosticAt(
      index,
      source.file,
      Math.max(0, text.trimEnd().length - 1),
      'error',
      'json-syntax',
      'unexpected end of file: the JSON document is truncated',
      'the file ends before every { and [ is closed; restore the missing end from git (`git diff`)',
    );
  }
  if (before.endsWith(',') && (here === '}' || here === ']')) {
    return diagnosticAt(
      index,
      source.file,
      before.length - 1,
      'error',
      'json-syntax',
      'trailing comma: JSON does not allow a comma before a closing bracket',
      'remove this comma',
    );
  }
  if (printParseErrorCode(e.error) === 'InvalidCommentToken') {
    return diagnosticAt(index, source.file, at, 'error', 'json-syntax', 'comments are not allowed in JSON');
  }
  return diagnosticAt(
    index,
    source.file,
    at,
    'error',
    'json-syntax',
    syntaxMessage(e.error, text.slice(at, at + 12)),
  );
}

function syntaxMessage(code: ParseError['error'], near: string): string {
  const token = JSON.stringify(near.split(/\s/)[0] ?? '');
  switch (printParseErrorCode(code)) {
    case 'InvalidSymbol':
      return `invalid token ${token}`;
    case 'InvalidNumberFormat':
      return `invalid number ${token}`;
    case 'PropertyNameExpected':
      return `expected a property name in double quotes, found ${token}`;
    case 'ValueExpected':
      return `expected a value, found ${token}`;
    case 'ColonExpected':
      return `expected ':' after the property name, found ${token}`;
    case 'CommaExpected':
      return `expected ',' between entries, found ${token}`;
    case 'CloseBraceExpected':
      return `expected '}' to close the object, found ${token}`;
    case 'CloseBracketExpected':
      return `expected ']' to close the array, found ${token}`;
    case 'EndOfFileExpected':
      return `expected the end of the document, found ${token}`;
    case 'UnexpectedEndOfString':
      return 'string is not closed before the end of the line or file';
    case 'InvalidEscapeCharacter':
      return 'invalid escape sequence in a string';
    case 'InvalidCharacter':
      return 'control character in a string (escape it, e.g. \\n or \\t)';
    default:
      return `JSON syntax error near ${token}`;
  }
}

/**
 * Duplicate keys in text JSON.parse already accepted; nesting past the limit ends the scan with
 * that one finding. A purpose-built scan: strings are skipped
 * with indexOf, so it is several times faster than a tokenizer on a 10,000-task index.
 */
function duplicateKeys(index: LineIndex, source: SourceText): Diagnostic[] {
  const text = source.text;
  const found: Diagnostic[] = [];
  // one entry per open container: a key map for an object, null for an array
  const open: (Map<string, number> | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let end = text.indexOf('"', i + 1);
      // a quote preceded by an odd number of backslashes is escaped
      for (;;) {
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end + 1;
      let j = i;
      while (j < text.length && text.charCodeAt(j) <= 0x20) j++;
      const keys = open[open.length - 1];
      if (text.charCodeAt(j) === 0x3a /* : */ && keys) {
        const raw = text.slice(start + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const first = keys.get(key);
        if (first === undefined) keys.set(key, start);
        else {
          found.push(
            diagnosticAt(
              index,
              source.file,
              start,
              'error',
              'duplicate-key',
              `duplicate key "${key}" (first at line ${index.position(first).line})`,
              'JSON readers silently keep only the last one; remove or rename one of them',
            ),
          );
        }
      }
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (open.length === MAX_NESTING_DEPTH) return [nestingDiagnostic(index, source.file, i)];
      open.push(c === 0x7b ? new Map() : null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    i++;
  }
  return found;
}
