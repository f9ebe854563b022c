// Rethrowing inside a catch without `{ cause }` drops the original error and its stack: the log
// says "could not load config" but not why. The fix passes the caught error as the cause (ES2022).

/** Built-in errors whose second argument is `{ cause }`; custom classes may not take it. */
const ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
]);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'require `{ cause }` when throwing a new error from a catch clause',
      url: 'https://github.com/codex-orchestrator/codex-orchestrator/blob/main/docs/patterns.md#error-cause',
    },
    fixable: 'code',
    schema: [],
    messages: {
      missingCause: 'pass the caught error on: new {{name}}(message, { cause: {{param}} })',
    },
  },
  create(context) {
    const source = context.sourceCode;
    return {
      ThrowStatement(node) {
        const thrown = node.argument;
        if (!thrown || !['NewExpression', 'CallExpression'].includes(thrown.type)) return;
        if (thrown.callee.type !== 'Identifier' || !ERRORS.has(thrown.callee.name)) return;
        const clause = catchClauseOf(source, node);
        if (!clause || clause.param?.type !== 'Identifier') return;
        const param = clause.param.name;
        const [message, options] = thrown.arguments;
        if (!message || thrown.arguments.length > 2 || message.type === 'SpreadElement') return;
        if (options && options.type !== 'ObjectExpression') return;
        if (options?.properties.some((p) => p.type !== 'Property' || propertyName(p) === 'cause')) return;
        const cause = param === 'cause' ? 'cause' : `cause: ${param}`;
        context.report({
          node: thrown,
          messageId: 'missingCause',
          data: { name: thrown.callee.name, param },
          fix(fixer) {
            if (!options) return fixer.insertTextAfter(message, `, { ${cause} }`);
            if (options.properties.length === 0) return fixer.replaceText(options, `{ ${cause} }`);
            return fixer.insertTextAfter(options.properties.at(-1), `, ${cause}`);
          },
        });
      },
    };
  },
};

/** The catch clause the throw is directly in (not in a function defined inside it). */
function catchClauseOf(source, node) {
  for (const ancestor of source.getAncestors(node).reverse()) {
    if (FUNCTIONS.has(ancestor.type)) return undefined;
    if (ancestor.type === 'CatchClause') return ancestor;
  }
  return undefined;
}

function propertyName(property) {
  if (property.computed) return undefined;
  return property.key.type === 'Identifier' ? property.key.name : property.key.value;
}
