import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex } from '../../src/repo/task-index.js';

const parse = (value: unknown) =>
  parseTaskIndex(
    decodeSource('codex.tasks.json', Buffer.from(`${JSON.stringify(value, null, 2)}\n`)).source!,
  );

describe('task index checks', () => {
  it('accepts a minimal index', () => {
    const { index, diagnostics } = parse({ version: 1, tasks: [{ id: 'a', title: 'A' }] });
    expect(diagnostics).toEqual([]);
    expect(index!.byId.get('a')!.title).toBe('A');
  });

  it('reports wrong types at the value, with the field path', () => {
    const { index, diagnostics } = parse({
      version: 1,
      tasks: [{ id: 'a', title: 'A', dependsOn: 'b', priority: 'urgent' }],
    });
    expect(index).toBeUndefined();
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 7,
          column: 20,
          message: '"tasks[0].dependsOn" must be an array, found string "b"',
        }),
        expect.objectContaining({
          line: 8,
          message: expect.stringContaining('"tasks[0].priority" must be one of "critical"'),
        }),
      ]),
    );
  });

  it('warns about unknown fields at their key but still loads', () => {
    const { index, diagnostics } = parse({ version: 1, tasks: [{ id: 'a', title: 'A', titel: 'typo' }] });
    expect(index).toBeDefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'unknown-field', line: 7, column: 7 }),
    ]);
  });

  it('reports duplicate ids, dangling dependencies with a suggestion, and cycles naming every step', () => {
    const { diagnostics } = parse({
      version: 1,
      tasks: [
        { id: 'build-api', title: 'A', dependsOn: ['c'] },
        { id: 'build-api', title: 'again' },
        { id: 'c', title: 'C', dependsOn: ['d'] },
        { id: 'd', title: 'D', dependsOn: ['build-api', 'bulid-api'] },
      ],
    });
    const messages = diagnostics.map((d) => `${d.code} ${d.line}: ${d.message} ${d.hint ?? ''}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^duplicate-id 12: duplicate task id "build-api" \(also task #1, line 5\)/),
        expect.stringMatching(
          /^dangling-reference 27: task "d" depends on "bulid-api".*did you mean "build-api"/,
        ),
        expect.stringMatching(
          /^cycle \d+: dependency cycle: (build-api -> c -> d -> build-api|c -> d -> build-api -> c|d -> build-api -> c -> d)/,
        ),
      ]),
    );
  });

  it('refuses paths that escape the repository', () => {
    const { diagnostics } = parse({
      version: 1,
      tasks: [
        { id: 'a', title: 'A', spec: '../outside.md', prd: '/etc/passwd', paths: ['src/**', 'C:\\x'] },
        { id: 'b', title: 'B', checklist: 'tasks/../../x.md#1.2' },
      ],
    });
    expect(diagnostics.filter((d) => d.code === 'path-escape').map((d) => d.message)).toEqual([
      'spec "../outside.md": path climbs out with ".."; it must stay inside the repository',
      'prd "/etc/passwd": path is absolute; use a path relative to the repository root',
      'paths entry "C:\\\\x": path is absolute; use a path relative to the repository root',
      'checklist "tasks/../../x.md#1.2": path climbs out with ".."; it must stay inside the repository',
    ]);
  });

  it('rejects a wrong version and a status written by hand with a bad phase', () => {
    const { diagnostics } = parse({
      version: 2,
      tasks: [{ id: 'a', title: 'A', status: { phase: 'doing', updatedAt: 'yesterday' } }],
    });
    expect(diagnostics.map((d) => d.message)).toEqual(
      expect.arrayContaining([
        '"version" must be 1; found 2',
        expect.stringContaining('"tasks[0].status.phase" must be one of "pending"'),
        '"tasks[0].status.updatedAt" "yesterday" must be a valid date-time',
      ]),
    );
  });

  it('handles a dependency chain of 10,000 tasks without overflowing the stack', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({
      id: `t${i}`,
      title: 't',
      dependsOn: [`t${(i + 1) % 10_000}`],
    }));
    const { diagnostics } = parse({ version: 1, tasks });
    expect(diagnostics.filter((d) => d.code === 'cycle')).toHaveLength(1);
  });
});
