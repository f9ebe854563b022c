import { controlCharacterWarning } from './control-characters.js';
import type { Diagnostic } from './diagnostics.js';
import { diagnosticAt, LineIndex, type SourceText } from './source-text.js';

/** One numbered item of a checklist: `- [ ] 1.2 Write the parser`. */
export interface ChecklistItem {
  /** Dotted number, e.g. "1.2". */
  number: string;
  text: string;
  checked: boolean;
  /** 1-based line of the item. */
  line: number;
  indent: number;
  /** Number of the enclosing item, when nested. */
  parent?: string;
}

export interface Checklist {
  file: string;
  items: ChecklistItem[];
  byNumber: Map<string, ChecklistItem>;
}

const ITEM = /^([ \t]*)[-*+] \[([ xX])\] (\d+(?:\.\d+)*)\.?(?:[ \t]+(.*?))?[ \t]*\r?$/;
const LOOSE_ITEM = /^([ \t]*)[-*+] \[[^\]]*\]/;

/** Parses the numbered items of a checklist, with their nesting, reporting malformed and duplicate items. */
export function parseChecklist(source: SourceText): { checklist: Checklist; diagnostics: Diagnostic[] } {
  const index = new LineIndex(source.text);
  const items: ChecklistItem[] = [];
  const byNumber = new Map<string, ChecklistItem>();
  const diagnostics: Diagnostic[] = [];
  const open: ChecklistItem[] = []; // enclosing items by indentation
  const lines = source.text.split('\n');
  let inFence = false;
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (/^\s*(```|~~~)/.test(raw)) inFence = !inFence;
    if (inFence) return;
    const m = ITEM.exec(raw);
    if (!m) {
      if (LOOSE_ITEM.test(raw) && !/^\s*[-*+] \[[ xX]\] /.test(raw)) {
        diagnostics.push(
          diagnosticAt(
            index,
            source.file,
            index.offsetOfLine(lineNo) + raw.indexOf('['),
            'warning',
            'checklist',
            'checkbox is not "[ ]" or "[x]"; the item is ignored',
          ),
        );
      } else if (/^\s*[-*+] \[[ xX]\] \D/.test(raw)) {
        diagnostics.push(
          diagnosticAt(
            index,
            source.file,
            index.offsetOfLine(lineNo) + raw.indexOf(']') + 2,
            'warning',
            'checklist',
            'checklist item has no number, so it cannot be referenced',
            'number it like "1.2"',
          ),
        );
      }
      return;
    }
    const indent = m[1].replace(/\t/g, '    ').length;
    while (open.length > 0 && open[open.length - 1].indent >= indent) open.pop();
    const item: ChecklistItem = {
      number: m[3],
      text: m[4] ?? '',
      checked: m[2] !== ' ',
      line: lineNo,
      indent,
      parent: open[open.length - 1]?.number,
    };
    const column = m[1].length + raw.slice(m[1].length).indexOf(m[3]);
    const first = byNumber.get(item.number);
    if (first) {
      diagnostics.push(
        diagnosticAt(
          index,
          source.file,
          index.offsetOfLine(lineNo) + column,
          'error',
          'duplicate-id',
          `checklist item ${item.number} appears twice (first at line ${first.line})`,
        ),
      );
    } else byNumber.set(item.number, item);
    if (item.parent && !item.number.startsWith(`${item.parent.replace(/\.0$/, '')}.`)) {
      diagnostics.push(
        diagnosticAt(
          index,
          source.file,
          index.offsetOfLine(lineNo) + column,
          'warning',
          'checklist',
          `item ${item.number} is nested under ${item.parent}; its number suggests another parent`,
        ),
      );
    }
    diagnostics.push(
      ...controlCharacterWarning(`checklist item ${item.number}`, item.text, (message, hint, offset) =>
        diagnosticAt(
          index,
          source.file,
          index.offsetOfLine(lineNo) + raw.lastIndexOf(item.text) + offset,
          'warning',
          'control-characters',
          message,
          hint,
        ),
      ),
    );
    items.push(item);
    open.push(item);
  });
  return { checklist: { file: source.file, items, byNumber }, diagnostics };
}

/** Looks an item up by number, accepting "1" for "1.0" as ai-dev-tasks writes parents. */
export function findChecklistItem(checklist: Checklist, number: string): ChecklistItem | undefined {
  return (
    checklist.byNumber.get(number) ??
    checklist.byNumber.get(`${number}.0`) ??
    checklist.byNumber.get(number.replace(/\.0$/, ''))
  );
}

/**
 * Ticks an item by rewriting only its line: `[ ]` becomes `[x]`, and an evidence citation
 * may be appended. Returns the new text; other lines stay byte for byte.
 */
export function tickChecklistItem(text: string, item: ChecklistItem, citation?: string): string {
  const lines = text.split('\n');
  const raw = lines[item.line - 1];
  const cr = raw.endsWith('\r') ? '\r' : '';
  let line = cr ? raw.slice(0, -1) : raw;
  line = line.replace(/\[ \]/, '[x]');
  if (citation && !line.includes(citation)) line = `${line.trimEnd()} (evidence: ${citation})`;
  lines[item.line - 1] = line + cr;
  return lines.join('\n');
}
