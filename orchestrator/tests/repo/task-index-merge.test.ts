import { describe, expect, it } from 'vitest';
import { mergeTaskIndexes } from '../../src/repo/task-index-merge.js';

const tabbed = (tasks: string[]) => `{\n\t"version": 1,\n\t"tasks": [\n${tasks.join(',\n')}\n\t]\n}\n`;
const tabTask = (id: string, title: string, extra = '') =>
  `\t\t{\n\t\t\t"id": "${id}",\n\t\t\t"title": "${title}"${extra}\n\t\t}`;
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

describe('mergeTaskIndexes', () => {
  it('keeps tabs and leaves untouched tasks byte-identical', () => {
    const base = tabbed([tabTask('a', 'A'), tabTask('b', 'B'), tabTask('c', 'C')]);
    const ours = tabbed([tabTask('a', 'A2'), tabTask('b', 'B'), tabTask('c', 'C')]);
    const theirs = tabbed([tabTask('a', 'A'), tabTask('b', 'B'), tabTask('c', 'C3'), tabTask('d', 'D')]);
    const r = mergeTaskIndexes(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.text).toBe(
      tabbed([tabTask('a', 'A2'), tabTask('b', 'B'), tabTask('c', 'C3'), tabTask('d', 'D')]),
    );
  });

  it('keeps CRLF line endings and a BOM', () => {
    const base = crlf(tabbed([tabTask('a', 'A'), tabTask('b', 'B')]));
    const ours = `\ufeff${crlf(tabbed([tabTask('a', 'A', ',\n\t\t\t"owner": "ada"'), tabTask('b', 'B')]))}`;
    const theirs = crlf(tabbed([tabTask('a', 'A'), tabTask('b', 'B'), tabTask('c', 'C')]));
    const r = mergeTaskIndexes(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.text).toBe(
      `\ufeff${crlf(tabbed([tabTask('a', 'A', ',\n\t\t\t"owner": "ada"'), tabTask('b', 'B'), tabTask('c', 'C')]))}`,
    );
  });

  it('changes only the lines of the merged field', () => {
    const base = tabbed([tabTask('a', 'A', ',\n\t\t\t"priority": "low"'), tabTask('b', 'B')]);
    const ours = tabbed([tabTask('a', 'A', ',\n\t\t\t"priority": "low"'), tabTask('b', 'B2')]);
    const theirs = tabbed([tabTask('a', 'A', ',\n\t\t\t"priority": "high"'), tabTask('b', 'B')]);
    const r = mergeTaskIndexes(base, ours, theirs);
    expect(r.text).toBe(tabbed([tabTask('a', 'A', ',\n\t\t\t"priority": "high"'), tabTask('b', 'B2')]));
  });

  it('marks a true conflict with git markers around the field, in the file line endings', () => {
    const base = crlf(tabbed([tabTask('a', 'A')]));
    const r = mergeTaskIndexes(base, crlf(tabbed([tabTask('a', 'X')])), crlf(tabbed([tabTask('a', 'Y')])));
    expect(r.conflicts).toEqual([expect.objectContaining({ kind: 'field', taskId: 'a', field: 'title' })]);
    expect(r.text).toContain(
      '<<<<<<< ours\r\n\t\t\t"title": "X"\r\n=======\r\n\t\t\t"title": "Y"\r\n>>>>>>> theirs\r\n',
    );
  });

  it('combines adjacent conflicting fields into one block', () => {
    const base = tabbed([tabTask('a', 'A', ',\n\t\t\t"owner": "o"')]);
    const r = mergeTaskIndexes(
      base,
      tabbed([tabTask('a', 'X', ',\n\t\t\t"owner": "p"')]),
      tabbed([tabTask('a', 'Y')]),
    );
    expect(r.conflicts).toHaveLength(2);
    expect(r.text.match(/<<<<<<< ours/g)).toHaveLength(1);
  });

  it('treats invalid JSON on any side as a conflict instead of failing', () => {
    const good = tabbed([tabTask('a', 'A')]);
    const r = mergeTaskIndexes(good, '{ "tasks": [', tabbed([tabTask('a', 'B')]));
    expect(r.conflicts).toEqual([expect.objectContaining({ kind: 'invalid' })]);
    expect(r.text).toMatch(/^<<<<<<< ours\n\{ "tasks": \[\n=======\n[\s\S]*>>>>>>> theirs\n$/);
  });

  it('merges when there is no common ancestor (both added the file)', () => {
    const r = mergeTaskIndexes('', tabbed([tabTask('a', 'A')]), tabbed([tabTask('b', 'B')]));
    expect(r.conflicts).toEqual([]);
    expect(JSON.parse(r.text).tasks.map((t: { id: string }) => t.id)).toEqual(['a', 'b']);
  });

  it('status: prefers the later lastRun.id when updatedAt does not decide', () => {
    const withStatus = (run: string) =>
      tabTask('a', 'A', `,\n\t\t\t"status": { "phase": "review", "lastRun": { "id": "${run}" } }`);
    const r = mergeTaskIndexes(
      tabbed([tabTask('a', 'A')]),
      tabbed([withStatus('run-2')]),
      tabbed([withStatus('run-1')]),
    );
    expect(r.conflicts).toEqual([]);
    expect(JSON.parse(r.text).tasks[0].status.lastRun.id).toBe('run-2');
    const r2 = mergeTaskIndexes(
      tabbed([tabTask('a', 'A')]),
      tabbed([withStatus('run-1')]),
      tabbed([withStatus('run-2')]),
    );
    expect(JSON.parse(r2.text).tasks[0].status.lastRun.id).toBe('run-2');
  });
});

describe('mergeTaskIndexes field placement', () => {
  it('puts a field new to a task before its status block', () => {
    const withStatus = (extra: string) =>
      tabTask('a', 'A', `${extra},\n\t\t\t"status": {\n\t\t\t\t"phase": "done"\n\t\t\t}`);
    const base = tabbed([withStatus('')]);
    const theirs = tabbed([withStatus(',\n\t\t\t"owner": "ada"')]);
    const ours = tabbed([withStatus(''), tabTask('b', 'B')]);
    const r = mergeTaskIndexes(base, ours, theirs);
    expect(r.text).toBe(tabbed([withStatus(',\n\t\t\t"owner": "ada"'), tabTask('b', 'B')]));
  });
});

describe('mergeTaskIndexes with keys named like Object.prototype members', () => {
  it('takes a field only one side added, whatever its name', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const base = tabbed([tabTask('a', 'A')]);
      const ours = tabbed([tabTask('a', 'A', `,\n\t\t\t"${key}": "ours"`)]);
      const theirs = tabbed([tabTask('a', 'A2')]);
      const r = mergeTaskIndexes(base, ours, theirs);
      expect(r.conflicts, key).toEqual([]);
      expect(r.text, key).toBe(tabbed([tabTask('a', 'A2', `,\n\t\t\t"${key}": "ours"`)]));
    }
  });
});
