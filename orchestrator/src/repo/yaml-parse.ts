import { type Document, isAlias, isCollection, isNode, isPair, type Node, parseDocument } from 'yaml';
import { MAX_NESTING_DEPTH } from './nesting-limit.js';

/**
 * The one way the orchestrator parses YAML (config, front matter, scenarios), so every reader
 * gets the same limits. `logLevel: error` keeps the library from printing to stderr itself.
 */
const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: false, version: '1.2', logLevel: 'error' } as const;

/** How many nodes aliases may expand to in one document (the `yaml` package's alias-bomb guard). */
export const MAX_YAML_ALIASES = 100;

export function parseYaml(text: string): Document {
  return parseDocument(text, YAML_OPTIONS);
}

/** Why a syntactically valid document still cannot become data; `offset` is into the YAML text. */
export interface YamlProblem {
  offset: number;
  code: 'nesting-too-deep' | 'yaml-alias';
  message: string;
  hint?: string;
}

/**
 * The plain data of a document without errors. Before converting (which recurses and expands
 * aliases), an iterative walk refuses nesting past MAX_NESTING_DEPTH, aliases with no anchor
 * before them and aliases inside the node they name (a cycle); the conversion itself refuses
 * alias bombs.
 */
export function yamlData(doc: Document): { data?: unknown; problem?: YamlProblem } {
  const walked = walk(doc);
  if (walked.problem) return { problem: walked.problem };
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/alias count/.test(e.message)) throw e;
    return {
      problem: {
        offset: walked.firstAlias ?? 0,
        code: 'yaml-alias',
        message: `aliases expand to more than ${MAX_YAML_ALIASES} nodes: refused as a possible resource exhaustion ("billion laughs") attack`,
        hint: 'write the values out, or use fewer nested aliases',
      },
    };
  }
}

type WalkItem = { node: unknown; depth: number } | { leave: Node };

function walk(doc: Document): { problem?: YamlProblem; firstAlias?: number } {
  const anchors = new Map<string, Node>();
  // anchored collections being walked: an alias to one of them would be a cycle
  const open = new Set<Node>();
  const stack: WalkItem[] = [{ node: doc.contents, depth: 0 }];
  let firstAlias: number | undefined;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('leave' in item) {
      open.delete(item.leave);
      continue;
    }
    const { node, depth } = item;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      firstAlias ??= offset;
      if (!target)
        return {
          problem: {
            offset,
            code: 'yaml-alias',
            message: `alias *${node.source} has no anchor &${node.source} before it`,
            hint: 'an anchor must be defined earlier in the document than its aliases',
          },
        };
      if (open.has(target))
        return {
          problem: {
            offset,
            code: 'yaml-alias',
            message: `alias *${node.source} is inside the value it refers to, so it never ends`,
          },
        };
      continue;
    }
    if (!isNode(node)) continue;
    if (node.anchor) anchors.set(node.anchor, node);
    if (!isCollection(node)) continue;
    if (depth === MAX_NESTING_DEPTH)
      return {
        problem: {
          offset: node.range?.[0] ?? 0,
          code: 'nesting-too-deep',
          message: `mappings and lists nest deeper than ${MAX_NESTING_DEPTH} levels here`,
          hint: 'no codex-orchestrator file needs this depth; flatten the value',
        },
      };
    if (node.anchor) {
      open.add(node);
      stack.push({ leave: node });
    }
    // pushed in reverse so they are walked in document order (anchors before their aliases)
    for (let i = node.items.length - 1; i >= 0; i--) {
      const child = node.items[i];
      if (isPair(child)) {
        stack.push({ node: child.value, depth: depth + 1 });
        stack.push({ node: child.key, depth: depth + 1 });
      } else stack.push({ node: child, depth: depth + 1 });
    }
  }
  return { firstAlias };
}
