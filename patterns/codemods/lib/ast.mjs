// What every codemod shares: the ast-grep language for a file, a parse that refuses broken
// source instead of rewriting around tree-sitter's error recovery, and small node helpers.
import { Lang, parse } from '@ast-grep/napi';
import { ParseError } from '../../lib/parse-error.mjs';

const LANGS = { javascript: Lang.JavaScript, typescript: Lang.TypeScript, tsx: Lang.Tsx };

/** The root node of `source`; throws ParseError at the first syntax error. */
export function parseRoot(source, lang) {
  const root = parse(LANGS[lang] ?? Lang.JavaScript, source).root();
  const error = root.find({ rule: { kind: 'ERROR' } });
  if (error) {
    const { line, column } = error.range().start;
    const near = error.text().split('\n')[0].slice(0, 40);
    throw new ParseError(`syntax error near ${JSON.stringify(near)}`, line + 1, column + 1);
  }
  // tree-sitter also recovers by inventing a missing token: an empty leaf that is not the program
  const missing = root.find({ rule: { regex: '^$', not: { kind: 'program' } } });
  if (missing && missing.isLeaf() && missing.range().start.index === missing.range().end.index) {
    const { line, column } = missing.range().start;
    throw new ParseError(`syntax error: missing ${JSON.stringify(missing.kind())}`, line + 1, column + 1);
  }
  return root;
}

/** The argument nodes of a call or `new` expression, without the commas and parentheses. */
export function callArguments(call) {
  const args = call.field('arguments');
  return args ? args.children().filter((c) => c.isNamed() && c.kind() !== 'comment') : [];
}

const FUNCTIONS = new Set([
  'function_declaration',
  'function_expression',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

/** The innermost function around `node`, or null at the top level. */
export function enclosingFunction(node) {
  return node.ancestors().find((a) => FUNCTIONS.has(a.kind())) ?? null;
}

export function isAsyncFunction(fn) {
  return fn.children().some((c) => c.kind() === 'async');
}

/** Applies the edits, or returns null when there are none (the engine's "no change"). */
export function commit(root, edits) {
  return edits.length === 0 ? null : root.commitEdits(edits);
}
