// console.* calls bypass the project's logger (levels, structured output, redaction). Each
// console.log/info/warn/error/debug/trace call becomes the logger's method of that level, and
// the logger is imported where the file does not have it yet.
import { dirname, posix, relative } from 'node:path';
import { commit, parseRoot } from '../lib/ast.mjs';

const LEVELS = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug', trace: 'debug' };

export function transform(source, { lang, filename = 'index.js', options = {} }) {
  const name = options.logger ?? 'logger';
  const module = options.module ?? './src/logger.js';
  // the logger's own module keeps its console calls
  if (module.startsWith('.') && stripExtension(posix.normalize(module)) === stripExtension(filename))
    return null;
  const root = parseRoot(source, lang);
  const edits = [];
  for (const call of root.findAll({ rule: { pattern: 'console.$METHOD($$$ARGS)' } })) {
    const level = LEVELS[call.getMatch('METHOD').text()];
    if (level) edits.push(call.field('function').replace(`${name}.${level}`));
  }
  if (edits.length === 0) return null;
  const changed = commit(root, edits);
  if (binds(root, name)) return changed;
  // the import goes in on a second parse: an insertion at the same offset as a call edit would clash
  const next = parseRoot(changed, lang);
  return commit(next, [importEdit(next, name, specifier(module, filename), filename)]);
}

/** Whether the file already imports, requires or declares `name`. */
function binds(root, name) {
  const declared = new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}([^\\w$]|$)`);
  const imports = root.findAll({ rule: { kind: 'import_statement' } });
  if (imports.some((i) => declared.test(i.field('source') ? textBefore(i, i.field('source')) : i.text())))
    return true;
  return root
    .findAll({ rule: { any: [{ kind: 'variable_declarator' }, { kind: 'function_declaration' }] } })
    .some((d) => declared.test(d.field('name')?.text() ?? ''));
}

function textBefore(node, child) {
  return node.text().slice(0, child.range().start.index - node.range().start.index);
}

/** A repository-relative module path (`./src/logger.js`) as seen from the file; anything else as written. */
function specifier(module, filename) {
  if (!module.startsWith('./') && !module.startsWith('../')) return module;
  const rel = relative(dirname(filename), posix.normalize(module)).split('\\').join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function importEdit(root, name, from, filename) {
  const commonJs =
    filename.endsWith('.cjs') ||
    (!root.find({ rule: { any: [{ kind: 'import_statement' }, { kind: 'export_statement' }] } }) &&
      root.find({ rule: { pattern: 'require($$$)' } }));
  const line = commonJs
    ? `const { ${name} } = require(${JSON.stringify(from).replace(/"/g, "'")});`
    : `import { ${name} } from ${JSON.stringify(from).replace(/"/g, "'")};`;
  const top = root.children().filter((c) => c.kind() !== 'comment' || c.range().start.line === 0);
  // after the last import (or require) at the top, else after a shebang and directives, else first
  const anchors = top.filter(
    (c) =>
      c.kind() === 'import_statement' ||
      c.kind() === 'hash_bang_line' ||
      (c.kind() === 'expression_statement' && c.child(0)?.kind() === 'string') ||
      (commonJs && c.kind() === 'lexical_declaration' && /\brequire\(/.test(c.text())) ||
      (commonJs && c.kind() === 'variable_declaration' && /\brequire\(/.test(c.text())),
  );
  const last = anchors.filter((a) => a.range().start.index <= leadingEnd(top, anchors)).at(-1);
  if (!last) {
    const first = root.children()[0];
    const at = first ? first.range().start.index : 0;
    return { startPos: at, endPos: at, insertedText: `${line}\n\n` };
  }
  const at = last.range().end.index;
  return { startPos: at, endPos: at, insertedText: `\n${line}` };
}

/** End of the leading run of anchors: an import further down (after code) does not move the insertion. */
function leadingEnd(top, anchors) {
  let end = -1;
  for (const node of top) {
    if (!anchors.includes(node) && node.kind() !== 'comment') break;
    end = node.range().start.index;
  }
  return end;
}

function stripExtension(path) {
  return path.replace(/^\.\//, '').replace(/\.[cm]?[jt]sx?$/, '');
}
