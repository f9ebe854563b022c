// DEP0005: `new Buffer(x)` and `Buffer(x)` are deprecated (uninitialised memory for numbers,
// surprising results for other values). A numeric literal becomes Buffer.alloc(n), which zero-fills;
// anything else becomes Buffer.from(...), which takes the same strings, arrays and ArrayBuffers.
import { callArguments, commit, parseRoot } from '../lib/ast.mjs';

const NUMBER = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;

export function transform(source, { lang }) {
  const root = parseRoot(source, lang);
  const calls = root.findAll({
    rule: {
      any: [
        { kind: 'new_expression', has: { field: 'constructor', regex: '^Buffer$' } },
        { kind: 'call_expression', has: { field: 'function', kind: 'identifier', regex: '^Buffer$' } },
      ],
    },
  });
  const edits = [];
  for (const call of calls) {
    const args = callArguments(call);
    if (args.length === 0) continue;
    const text = args.map((a) => a.text()).join(', ');
    const alloc = args.length === 1 && args[0].kind() === 'number' && NUMBER.test(args[0].text());
    edits.push(call.replace(alloc ? `Buffer.alloc(${text})` : `Buffer.from(${text})`));
  }
  return commit(root, edits);
}
