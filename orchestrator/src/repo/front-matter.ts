import { type Document, isMap, isPair, isScalar, isSeq, type Node, type Pair, stringify } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import type { JsonPath } from './json-document.js';
import { MAX_NESTING_DEPTH } from './nesting-limit.js';
import type { Locate } from './schema-validation.js';
import { diagnosticAt, LineIndex, type SourceText } from './source-text.js';
import { parseYaml, yamlData } from './yaml-parse.js';

/**
 * Where the front matter of a markdown file sits. Offsets are into the text without BOM.
 * `yamlStart..yamlEnd` is the YAML between the delimiter lines; the body starts at `bodyStart`.
 */
export interface FrontMatterBlock {
  yamlStart: number;
  yamlEnd: number;
  bodyStart: number;
}

const OPEN = /^---[ \t]*\r?\n/;
const CLOSE = /^(---|\.\.\.)[ \t]*(\r?\n|$)/gm;

/** Finds the `---` delimited block at the top of a file; `unterminated` when it never closes. */
export function findFrontMatter(text: string): FrontMatterBlock | 'absent' | 'unterminated' {
  const open = OPEN.exec(text);
  if (!open) return 'absent';
  CLOSE.lastIndex = open[0].length;
  // the closing delimiter must start a line; an empty front matter closes right after the opening
  const close = open[0].length === text.length ? null : CLOSE.exec(text);
  if (!close) return 'unterminated';
  return { yamlStart: open[0].length, yamlEnd: close.index, bodyStart: close.index + close[0].length };
}

/**
 * A markdown document with YAML front matter, with positions for every field. The YAML syntax
 * tree is not kept (10,000 retained trees cost more in garbage collection than parsing them):
 * it is parsed again on the rare occasions a position or an edit needs it.
 */
export class FrontMatterDocument {
  readonly index: LineIndex;
  private tree: Document | undefined;
  constructor(
    readonly source: SourceText,
    readonly block: FrontMatterBlock,
    readonly data: Record<string, unknown>,
  ) {
    this.index = new LineIndex(source.text);
  }

  get yaml(): Document {
    this.tree ??= parseYaml(this.yamlText);
    return this.tree;
  }

  get body(): string {
    return this.source.text.slice(this.block.bodyStart);
  }

  /** The raw YAML text of the front matter. */
  get yamlText(): string {
    return this.source.text.slice(this.block.yamlStart, this.block.yamlEnd);
  }

  /** Offset in the file of the node at `path` (or its closest parent), or of its key. */
  offsetOf(path: JsonPath, part: 'value' | 'key' = 'value'): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = nodeAt(this.yaml, path.slice(0, depth));
      if (!found) continue;
      const range =
        part === 'key' && depth === path.length && found.pair ? keyRange(found.pair) : found.node?.range;
      if (range) return this.block.yamlStart + range[0];
    }
    return this.block.yamlStart;
  }

  readonly locate: Locate = (path, severity, code, message, hint, part = 'value') =>
    diagnosticAt(this.index, this.source.file, this.offsetOf(path, part), severity, code, message, hint);
}

function keyRange(pair: Pair): [number, number, number] | undefined {
  const key = pair.key as Node | null;
  return key?.range ?? undefined;
}

function nodeAt(doc: Document, path: JsonPath): { node?: Node; pair?: Pair } | undefined {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const key of path) {
    if (isMap(node)) {
      pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as Pair | undefined;
      if (!pair) return undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      pair = undefined;
      if (node === undefined) return undefined;
    } else return undefined;
  }
  return { node: (node ?? undefined) as Node | undefined, pair };
}

export interface ParsedFrontMatter {
  doc?: FrontMatterDocument;
  /** `absent` when the file has no front matter at all. */
  absent?: boolean;
  diagnostics: Diagnostic[];
}

/** Parses the front matter of a markdown file, reporting YAML errors at their file line and column. */
export function parseFrontMatter(source: SourceText): ParsedFrontMatter {
  const found = findFrontMatter(source.text);
  if (found === 'absent') return { absent: true, diagnostics: [] };
  const index = new LineIndex(source.text);
  if (found === 'unterminated') {
    return {
      diagnostics: [
        diagnosticAt(
          index,
          source.file,
          0,
          'error',
          'front-matter',
          'front matter is not terminated: no closing "---" line after the opening one',
          'add a line containing only --- after the last front matter field',
        ),
      ],
    };
  }
  return parseYamlBlock(source, found);
}

/** Parses the YAML between `block.yamlStart` and `block.yamlEnd`; also used for whole YAML files. */
export function parseYamlBlock(source: SourceText, block: FrontMatterBlock): ParsedFrontMatter {
  const index = new LineIndex(source.text);
  const yamlText = source.text.slice(block.yamlStart, block.yamlEnd);
  const yaml = parseYaml(yamlText);
  const diagnostics: Diagnostic[] = [];
  for (const e of yaml.errors) {
    diagnostics.push(
      diagnosticAt(
        index,
        source.file,
        block.yamlStart + e.pos[0],
        'error',
        yamlErrorCode(e.code),
        yamlMessage(e.code, e.message),
        yamlHint(e.code),
      ),
    );
  }
  for (const w of yaml.warnings) {
    diagnostics.push(
      diagnosticAt(index, source.file, block.yamlStart + w.pos[0], 'warning', 'yaml', firstLine(w.message)),
    );
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const converted = yaml.contents === null ? { data: {} } : yamlData(yaml);
  if (converted.problem) {
    const { offset, code, message, hint } = converted.problem;
    diagnostics.push(
      diagnosticAt(index, source.file, block.yamlStart + offset, 'error', code, message, hint),
    );
    return { diagnostics };
  }
  const data = converted.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push(
      diagnosticAt(
        index,
        source.file,
        block.yamlStart,
        'error',
        'yaml-syntax',
        'expected a mapping of fields (key: value)',
      ),
    );
    return { diagnostics };
  }
  return { doc: new FrontMatterDocument(source, block, data as Record<string, unknown>), diagnostics };
}

function yamlErrorCode(code: string): string {
  if (code === 'RESOURCE_EXHAUSTION') return 'nesting-too-deep';
  return code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
}

function yamlMessage(code: string, message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key in front matter: each field may appear once';
    case 'TAB_AS_INDENT':
      return 'tab used for indentation: YAML allows only spaces';
    case 'BAD_INDENT':
      return `bad indentation: ${firstLine(message)}`;
    case 'RESOURCE_EXHAUSTION':
      // the parser ran out of stack: far past MAX_NESTING_DEPTH
      return `mappings and lists nest deeper than ${MAX_NESTING_DEPTH} levels`;
    default:
      return `YAML syntax error: ${firstLine(message)}`;
  }
}

function yamlHint(code: string): string | undefined {
  if (code === 'TAB_AS_INDENT') return 'replace the tab with spaces';
  if (code === 'BAD_INDENT') return 'entries of one mapping must start at the same column';
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Sets top-level front matter fields by splicing the file text: other fields, comments, key
 * order and the body stay byte for byte; a new field is added at the end of the front matter.
 */
export function setFrontMatterFields(doc: FrontMatterDocument, fields: Record<string, unknown>): string {
  const { source, block } = doc;
  const edits: { start: number; end: number; text: string }[] = [];
  const eol = source.eol;
  const additions: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const found = nodeAt(doc.yaml, [key]);
    if (found?.pair) {
      const keyNode = found.pair.key as Node;
      const valueNode = found.pair.value as Node | null;
      const start = block.yamlStart + keyNode.range![0];
      // valueEnd excludes trailing comments and blank lines, which stay where they are
      let end = block.yamlStart + (valueNode?.range?.[1] ?? keyNode.range![1]);
      while (end > start && (source.text[end - 1] === '\n' || source.text[end - 1] === '\r')) end--;
      edits.push({
        start,
        end,
        text: renderField(key, value, eol).replace(new RegExp(`${escapeRe(eol)}$`), ''),
      });
    } else {
      additions.push(renderField(key, value, eol));
    }
  }
  let text = source.text;
  for (const e of edits.sort((a, b) => b.start - a.start))
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
  if (additions.length > 0) {
    // block.yamlEnd is unchanged by the edits above only if they come after it; recompute
    const again = findFrontMatter(text) as FrontMatterBlock;
    let insertAt = again.yamlEnd;
    let prefix = '';
    if (insertAt > again.yamlStart && !text.slice(0, insertAt).endsWith('\n')) prefix = eol;
    if (insertAt < again.yamlStart) insertAt = again.yamlStart;
    text = text.slice(0, insertAt) + prefix + additions.join('') + text.slice(insertAt);
  }
  return text;
}

function renderField(key: string, value: unknown, eol: string): string {
  const rendered = stringify(
    { [key]: value },
    { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' },
  );
  return eol === '\n' ? rendered : rendered.replace(/\n/g, eol);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
