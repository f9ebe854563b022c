import { describe, expect, it } from 'vitest';
import { findChecklistItem, parseChecklist, tickChecklistItem } from '../../src/repo/checklist.js';
import { decodeSource } from '../../src/repo/source-text.js';

const TEXT = `# Tasks

## Relevant Files
- \`src/a.ts\` - thing

- [ ] 1.0 Parent
  - [x] 1.1 Done child
  - [ ] 1.2 Open child
    - [ ] 1.2.1 Grandchild
- [ ] 2.0 Second
\`\`\`
- [ ] 9.9 inside a code fence is not an item
\`\`\`
- [ ] 2.0 Duplicate
- [ ] Unnumbered
`;

describe('checklists', () => {
  const { checklist, diagnostics } = parseChecklist(
    decodeSource('tasks/tasks-0001-x.md', Buffer.from(TEXT)).source!,
  );

  it('parses numbered items with nesting, skipping code fences', () => {
    expect(checklist.items.map((i) => [i.number, i.checked, i.parent ?? null])).toEqual([
      ['1.0', false, null],
      ['1.1', true, '1.0'],
      ['1.2', false, '1.0'],
      ['1.2.1', false, '1.2'],
      ['2.0', false, null],
      ['2.0', false, null],
    ]);
    expect(findChecklistItem(checklist, '1')?.text).toBe('Parent');
    expect(findChecklistItem(checklist, '1.2.1')?.line).toBe(9);
  });

  it('reports duplicates and unnumbered items with their line', () => {
    expect(diagnostics.map((d) => [d.code, d.line, d.severity])).toEqual([
      ['duplicate-id', 14, 'error'],
      ['checklist', 15, 'warning'],
    ]);
  });

  it('ticks an item by rewriting only its line, with an evidence citation', () => {
    const item = findChecklistItem(checklist, '1.2')!;
    const after = tickChecklistItem(TEXT, item, '.runs/t/r1/manifest.json');
    const a = TEXT.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length);
    expect(b.filter((line, i) => line !== a[i])).toEqual([
      '  - [x] 1.2 Open child (evidence: .runs/t/r1/manifest.json)',
    ]);
  });
});
