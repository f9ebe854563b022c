import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';
import { appendTask, appendTasks, setTaskFields, setTaskStatus } from '../../src/repo/task-index-edit.js';

const load = (text: string) =>
  parseTaskIndex(decodeSource('codex.tasks.json', Buffer.from(text)).source!).index!;

function changedLines(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  return Math.max(endA - start + 1, endB - start + 1);
}

function bigIndex(n: number): string {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    title: `Task ${i}`,
    dependsOn: i ? [`t${i - 1}`] : [],
    status: { phase: 'pending', updatedAt: '2026-01-01T00:00:00Z' },
  }));
  return `${JSON.stringify({ version: 1, tasks }, null, 2)}\n`;
}

describe('task index edits', () => {
  it('a phase change is a one-line diff, whatever the number of tasks', () => {
    for (const n of [10, 1000]) {
      const text = bigIndex(n);
      const after = setTaskStatus(load(text), `t${n >> 1}`, {
        phase: 'running',
        updatedAt: '2026-01-01T00:00:00Z',
      });
      expect(changedLines(text, after)).toBe(1);
      expect(after).toContain('"phase": "running"');
    }
  });

  it('keeps key order, tab indentation, CRLF endings and a missing trailing newline', () => {
    const text =
      '{\r\n\t"tasks": [\r\n\t\t{\r\n\t\t\t"title": "A",\r\n\t\t\t"id": "a"\r\n\t\t}\r\n\t],\r\n\t"version": 1\r\n}';
    const after = setTaskStatus(load(text), 'a', { phase: 'queued' });
    expect(after).toBe(
      '{\r\n\t"tasks": [\r\n\t\t{\r\n\t\t\t"title": "A",\r\n\t\t\t"id": "a",\r\n\t\t\t"status": {\r\n\t\t\t\t"phase": "queued"\r\n\t\t\t}\r\n\t\t}\r\n\t],\r\n\t"version": 1\r\n}',
    );
  });

  it('keeps four-space indentation and other tasks byte for byte', () => {
    const text =
      '{\n    "version": 1,\n    "tasks": [\n        {"id": "a", "title": "A"},\n        {\n            "id": "b",\n            "title": "B"\n        }\n    ]\n}\n';
    const after = setTaskFields(load(text), 'b', { request: 'r1' });
    expect(after).toBe(
      '{\n    "version": 1,\n    "tasks": [\n        {"id": "a", "title": "A"},\n        {\n            "id": "b",\n            "title": "B",\n            "request": "r1"\n        }\n    ]\n}\n',
    );
  });

  it('removes status fields no longer present and leaves unchanged ones alone', () => {
    const text = bigIndex(3);
    const index = load(text);
    const after = setTaskStatus(index, 't1', { phase: 'pending' });
    expect(load(after).byId.get('t1')!.status).toEqual({ phase: 'pending' });
    // the removed line, and the comma it leaves behind on the line above
    expect(changedLines(text, after)).toBe(2);
  });

  it('appends one or many tasks in the file style', () => {
    const text = bigIndex(2);
    const one = appendTask(load(text), { id: 'new', title: 'N' });
    expect(one.endsWith('    {\n      "id": "new",\n      "title": "N"\n    }\n  ]\n}\n')).toBe(true);
    const many = appendTasks(load(text), [
      { id: 'x', title: 'X' },
      { id: 'y', title: 'Y', labels: ['l'] },
    ]);
    expect(load(many).tasks.map((t) => t.id)).toEqual(['t0', 't1', 'x', 'y']);
    expect(many).toContain(
      '    {\n      "id": "y",\n      "title": "Y",\n      "labels": [\n        "l"\n      ]\n    }\n  ]\n}\n',
    );
    const empty = appendTasks(load('{"version": 1, "tasks": []}'), [
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ]);
    expect(load(empty).tasks.map((t) => t.id)).toEqual(['a', 'b']);
  });
});
