import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';
import {
  appendTask,
  appendTasks,
  setTaskFields,
  setTaskStatus,
  setTaskStatusInText,
} from '../../src/repo/task-index-edit.js';
import { indexJson } from '../helpers/temp-repo.js';

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

describe('status edit on the task slice (the write-back fast path)', () => {
  /** A small seeded generator, so a failure can be replayed. */
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  }

  it('gives exactly the text of the whole-document edit, for any layout and status', () => {
    const seed = Number(process.env.CXO_FUZZ_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const statuses = [
      undefined,
      { phase: 'pending' },
      { phase: 'running', updatedAt: '2026-11-21T10:00:00Z' },
      {
        phase: 'failed',
        reason: 'AcceptanceFailed',
        message: 'a "quoted" \\ message',
        lastRun: { id: 't1' },
      },
    ];
    for (let trial = 0; trial < 300; trial++) {
      const tasks = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => {
        const task: Record<string, unknown> = {
          id: `t${i}`,
          title: pick(['T', 'has "id": "t0" in it', '{[]}']),
        };
        if (random() < 0.3) task.labels = ['id', 't0'];
        const status = pick(statuses);
        if (status) task.status = status;
        return task;
      });
      const indent = pick<string | number>([2, 4, '\t', 0]);
      const eol = pick(['\n', '\r\n']);
      const text = `${JSON.stringify({ version: 1, tasks }, null, indent).replace(/\n/g, eol)}${eol}`;
      const id = `t${Math.floor(random() * tasks.length)}`;
      const status = pick(statuses.filter(Boolean)) as { phase: 'pending' };
      const whole = setTaskStatus(load(text), id, status);
      const fast = setTaskStatusInText(text, eol, id, status);
      expect(fast?.text, `seed ${seed} trial ${trial}`).toBe(whole);
      expect(fast?.after.status, `seed ${seed} trial ${trial}`).toEqual(status);
    }
  });

  it('finds no task that is not in the tasks array', () => {
    const text = indexJson([{ id: 'a', title: 'A', status: { phase: 'running', lastRun: { id: 'b' } } }]);
    expect(setTaskStatusInText(text, '\n', 'b', { phase: 'done' })).toBeUndefined();
    expect(
      setTaskStatusInText('{"version":1,"id":"a","tasks":[]}', '\n', 'a', { phase: 'done' }),
    ).toBeUndefined();
  });

  it('appends many tasks exactly as appending them one by one would, in every layout', () => {
    const tasks = [
      { id: 'x', title: 'X', dependsOn: ['t0'] },
      { id: 'y', title: 'Y', labels: ['l', 'm'], status: { phase: 'done' as const } },
      { id: 'z', title: 'Z' },
    ];
    const layouts = [
      '{"version": 1, "tasks": []}',
      '{\n  "version": 1,\n  "tasks": []\n}\n',
      '{\n  "version": 1,\n  "tasks": [{"id": "t0", "title": "T"}]\n}\n',
      bigIndex(2),
      bigIndex(2).replace(/\n/g, '\r\n'),
      '{\n    "version": 1,\n    "tasks": [\n        {\n            "id": "t0",\n            "title": "T"\n        }\n    ]\n}\n',
      '{\n\t"version": 1,\n\t"tasks": [\n\t\t{\n\t\t\t"id": "t0",\n\t\t\t"title": "T"\n\t\t}\n\t]\n}\n',
    ];
    for (const text of layouts) {
      let oneByOne = text;
      for (const task of tasks) oneByOne = appendTask(load(oneByOne), task);
      expect(appendTasks(load(text), tasks), JSON.stringify(text)).toBe(oneByOne);
    }
  });
});
