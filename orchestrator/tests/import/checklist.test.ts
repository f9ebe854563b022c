// Fixtures mirror snarktank/ai-dev-tasks task lists as generate-tasks.md (commit efbffaa) tells the
// model to write them, `tasks/tasks-[feature-name].md`: "Relevant Files" bullets, "Notes",
// "Instructions for Completing Tasks", then `- [ ] 0.0 Create feature branch` and numbered parents
// with indented sub-tasks ticked as `- [x]`. tasks-0002-prd-notifications.md adds what forks and
// real lists do: YAML front matter, a fenced example, tab indentation, bold titles and em dashes.
import { describe, expect, it } from 'vitest';
import { checklistSlug, convertImport } from '../../src/import/index.js';
import { byId, expectValidIndex, fixture, phase, where } from './helpers.js';

const FILE = 'tasks/tasks-user-profile-editing.md';
const RELEVANT = [
  'src/components/UserProfileForm.tsx',
  'src/components/UserProfileForm.test.tsx',
  'src/app/api/profile/route.ts',
  'lib/validation/profile.ts',
];

describe('checklist import', () => {
  it('converts numbered items with checklist references, parents and ticks', () => {
    const result = convertImport(
      'checklist',
      FILE,
      fixture('checklist/tasks-user-profile-editing.md'),
      new Set(),
    );
    expect(result.diagnostics).toEqual([]);
    expectValidIndex(result.tasks);
    expect(result.tasks.map((t) => [t.id, phase(t), t.labels])).toEqual([
      ['user-profile-editing-0.0', 'done', undefined],
      ['user-profile-editing-0.1', 'done', ['parent:user-profile-editing-0.0']],
      ['user-profile-editing-1.0', 'done', undefined],
      ['user-profile-editing-1.1', 'done', ['parent:user-profile-editing-1.0']],
      ['user-profile-editing-1.2', 'pending', ['parent:user-profile-editing-1.0']],
      ['user-profile-editing-2.0', 'pending', undefined],
      ['user-profile-editing-2.1', 'pending', ['parent:user-profile-editing-2.0']],
      ['user-profile-editing-2.2', 'pending', ['parent:user-profile-editing-2.0']],
      ['user-profile-editing-3.0', 'pending', undefined],
    ]);
    // Nothing depends on anything: the hierarchy is carried by labels only.
    expect(result.tasks.every((t) => t.dependsOn === undefined)).toBe(true);

    const branch = byId(result, 'user-profile-editing-0.0');
    expect(branch.title).toBe('Create feature branch');
    expect(branch.checklist).toBe('tasks/tasks-user-profile-editing.md#0.0');
    expect(branch.status).toEqual({
      phase: 'done',
      reason: 'Imported',
      message: 'ticked in tasks/tasks-user-profile-editing.md',
    });
    expect(branch.paths).toEqual(RELEVANT);

    const validation = byId(result, 'user-profile-editing-1.2');
    expect(validation.title).toBe('Add client-side validation using `lib/validation/profile.ts`');
    expect(validation.description).toBe('- Reject empty names\n- Show the message under the field');
    expect(validation.status).toBeUndefined();

    // Long items keep a short title and the whole text in the description.
    const long = byId(result, 'user-profile-editing-2.2');
    expect(long.title.length).toBeLessThanOrEqual(120);
    expect(long.title.endsWith('…')).toBe(true);
    expect(long.description).toBe(
      'Return field errors as JSON so the form can display them next to the right input, and keep the previous values when the request fails',
    );
    expect(byId(result, 'user-profile-editing-3.0').title).toBe(
      'Update documentation (may not require sub-tasks)',
    );
  });

  it('handles front matter, fences, tabs, bold titles and reports bad items', () => {
    const file = 'tasks/tasks-0002-prd-notifications.md';
    const result = convertImport(
      'checklist',
      file,
      fixture('checklist/tasks-0002-prd-notifications.md'),
      new Set(),
    );
    expectValidIndex(result.tasks);
    expect(where(result.diagnostics)).toEqual([
      'warning invalid-path 13:4',
      'error missing-title 23:8',
      'warning unnumbered-item 24:8',
      'warning id-clash 25:7',
    ]);
    expect(result.tasks.map((t) => [t.id, t.title, phase(t), t.labels, t.checklist])).toEqual([
      ['0002-prd-notifications-1.0', 'Delivery queue', 'pending', undefined, `${file}#1.0`],
      [
        '0002-prd-notifications-1.1',
        'Create the queue table',
        'done',
        ['parent:0002-prd-notifications-1.0'],
        `${file}#1.1`,
      ],
      ['0002-prd-notifications-1.0-2', 'Retry policy', 'pending', undefined, `${file}#1.0`],
    ]);
    expect(byId(result, '0002-prd-notifications-1.0').paths).toEqual(['internal/notify/sender.go']);
  });

  it('gives the same result for CRLF line endings and a byte-order mark', () => {
    const lf = fixture('checklist/tasks-user-profile-editing.md');
    const crlf = `\ufeff${lf.replace(/\n/g, '\r\n')}`;
    const a = convertImport('checklist', FILE, lf, new Set());
    const b = convertImport('checklist', FILE, crlf, new Set());
    expect(b.tasks).toEqual(a.tasks);

    const bad = '- [ ] 1.0 Parent\r\n  - [x] 1.1\r\n';
    expect(where(convertImport('checklist', FILE, bad, new Set()).diagnostics)).toEqual([
      'error missing-title 2:9',
    ]);
  });

  it('avoids existing ids and uses forward slashes in references', () => {
    const text = '- [ ] 1.0 Parent\n  - [ ] 1.1 Child\n';
    const result = convertImport('checklist', 'tasks\\tasks-search.md', text, new Set(['search-1.0']));
    expect(result.tasks.map((t) => [t.id, t.checklist, t.labels])).toEqual([
      ['search-1.0-2', 'tasks/tasks-search.md#1.0', undefined],
      ['search-1.1', 'tasks/tasks-search.md#1.1', ['parent:search-1.0-2']],
    ]);
    expect(where(result.diagnostics)).toEqual(['warning id-clash 1:7']);
  });

  it('omits checklist references for paths outside the repository', () => {
    const result = convertImport('checklist', '/home/me/tasks-x.md', '- [x] 1.0 Done thing\n', new Set());
    expect(result.tasks).toEqual([
      {
        id: 'x-1.0',
        title: 'Done thing',
        status: { phase: 'done', reason: 'Imported', message: 'ticked in /home/me/tasks-x.md' },
      },
    ]);
    expect(where(result.diagnostics)).toEqual(['warning invalid-path -:-']);
  });

  it('ignores text that only looks like items', () => {
    const text = [
      '- `- [ ] 1.1 Read file` → `- [x] 1.1 Read file` (after completing)',
      '- [ ] 2024 roadmap review',
      '```',
      '- [ ] 1.0 In a fence',
      '```',
    ].join('\n');
    const result = convertImport('checklist', FILE, text, new Set());
    expect(result.tasks).toEqual([]);
    expect(where(result.diagnostics)).toEqual(['warning no-tasks -:-', 'warning unnumbered-item 2:7']);
  });

  it('derives the id prefix from the file name', () => {
    expect(checklistSlug('tasks/tasks-user-profile-editing.md')).toBe('user-profile-editing');
    expect(checklistSlug('tasks-0001-prd-auth.md')).toBe('0001-prd-auth');
    expect(checklistSlug('docs/Sprint Plan.md')).toBe('Sprint-Plan');
    expect(checklistSlug('tasks/---.md')).toBe('checklist');
    expect(checklistSlug(`tasks/tasks-${'x'.repeat(100)}.md`)).toHaveLength(48);
  });
});
