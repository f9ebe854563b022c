// `node:fs` cannot be shadowed by a package called `fs` in node_modules and says at a glance that
// the module is Node's own. Imports, re-exports, import() and require() of a built-in get the prefix.
import { builtinModules } from 'node:module';

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:')));

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'import Node.js built-in modules with the `node:` prefix',
      url: 'https://github.com/codex-orchestrator/codex-orchestrator/blob/main/docs/patterns.md#prefer-node-protocol',
    },
    fixable: 'code',
    schema: [],
    messages: { prefix: 'import "node:{{name}}" instead of "{{name}}"' },
  },
  create(context) {
    const check = (literal) => {
      if (literal?.type !== 'Literal' || typeof literal.value !== 'string' || !BUILTINS.has(literal.value))
        return;
      context.report({
        node: literal,
        messageId: 'prefix',
        data: { name: literal.value },
        fix: (fixer) => fixer.replaceTextRange([literal.range[0] + 1, literal.range[0] + 1], 'node:'),
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      CallExpression(node) {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments.length === 1
        )
          check(node.arguments[0]);
      },
    };
  },
};
