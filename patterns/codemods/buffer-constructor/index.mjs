// DEP0005: `new Buffer(x)` and `Buffer(x)` are deprecated (uninitialised memory for numbers,
// surprising results for other values). A numeric literal becomes Buffer.alloc(n), which zero-fills;
// a string, an array, or several arguments (string and encoding, ArrayBuffer and range) become
// Buffer.from(...), which takes the same. A lone argument of unknown type (`new Buffer(size)`) is
// left as it is and reported: Buffer.from(number) throws, Buffer.alloc(string) is wrong.
import { callArguments, commit, parseRoot } from '../lib/ast.mjs';

const NUMBER = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;
/** Single arguments that are surely not numbers. */
const NOT_NUMBER = new Set(['string', 'template_string', 'array', 'object']);

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
  const unfixed = [];
  for (const call of calls) {
    const args = callArguments(call);
    if (args.length === 0) continue;
    const text = args.map((a) => a.text()).join(', ');
    if (args.length === 1 && args[0].kind() === 'number' && NUMBER.test(args[0].text()))
      edits.push(call.replace(`Buffer.alloc(${text})`));
    else if (args.length > 1 || NOT_NUMBER.has(args[0].kind()))
      edits.push(call.replace(`Buffer.from(${text})`));
    else {
      const { line, column } = call.range().start;
      unfixed.push({
        line: line + 1,
        column: column + 1,
        message: `${call.text()}: use Buffer.alloc(${text}) if ${text} is a size, Buffer.from(${text}) otherwise`,
      });
    }
  }
  return { output: commit(root, edits), unfixed };
}
