// A promise nobody awaits loses its rejection (an unhandled rejection, or silence) and its
// ordering. Inside async functions, a statement that only calls something known to return a
// promise gets `await`: functions and methods declared async in the same file, the fs/promises
// API, and fetch. Other calls are left alone: without types we cannot know, and a wrong await
// changes timing.
import { commit, enclosingFunction, isAsyncFunction, parseRoot } from '../lib/ast.mjs';

export function transform(source, { lang }) {
  const root = parseRoot(source, lang);
  const known = promiseReturning(root);
  const edits = [];
  for (const statement of root.findAll({ rule: { kind: 'expression_statement' } })) {
    const call = statement.child(0);
    if (call?.kind() !== 'call_expression' || !returnsPromise(call, known)) continue;
    const fn = enclosingFunction(statement);
    if (!fn || !isAsyncFunction(fn)) continue;
    edits.push(call.replace(`await ${call.text()}`));
  }
  return commit(root, edits);
}

/** Names that return promises: async functions, async methods, fs/promises bindings. */
function promiseReturning(root) {
  const functions = new Set(['fetch']);
  const methods = new Set();
  const fsModules = new Set();
  for (const fn of root.findAll({ rule: { kind: 'function_declaration' } }))
    if (fn.children().some((c) => c.kind() === 'async')) functions.add(fn.field('name').text());
  for (const d of root.findAll({ rule: { kind: 'variable_declarator' } })) {
    const value = d.field('value');
    const isAsync =
      value &&
      ['arrow_function', 'function_expression', 'function'].includes(value.kind()) &&
      value.children().some((c) => c.kind() === 'async');
    if (isAsync && d.field('name')?.kind() === 'identifier') functions.add(d.field('name').text());
  }
  for (const m of root.findAll({ rule: { kind: 'method_definition' } }))
    if (m.children().some((c) => c.kind() === 'async')) methods.add(m.field('name').text());
  for (const i of root.findAll({ rule: { kind: 'import_statement' } })) {
    const from = i.field('source')?.text().slice(1, -1);
    if (from !== 'fs/promises' && from !== 'node:fs/promises') continue;
    const clause = i.find({ rule: { kind: 'import_clause' } });
    for (const id of clause?.children() ?? []) {
      if (id.kind() === 'identifier') fsModules.add(id.text());
      if (id.kind() === 'namespace_import') fsModules.add(id.find({ rule: { kind: 'identifier' } }).text());
      if (id.kind() === 'named_imports')
        for (const spec of id.findAll({ rule: { kind: 'import_specifier' } }))
          functions.add((spec.field('alias') ?? spec.field('name')).text());
    }
  }
  return { functions, methods, fsModules };
}

function returnsPromise(call, { functions, methods, fsModules }) {
  const callee = call.field('function');
  if (callee.kind() === 'identifier') return functions.has(callee.text());
  if (callee.kind() !== 'member_expression') return false;
  const object = callee.field('object');
  const property = callee.field('property').text();
  if (object.kind() === 'this') return methods.has(property);
  if (object.kind() === 'identifier') return fsModules.has(object.text());
  // fs.promises.writeFile(...), whatever `fs` was imported as
  return object.kind() === 'member_expression' && object.field('property').text() === 'promises';
}
