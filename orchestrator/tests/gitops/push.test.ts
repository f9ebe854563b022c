import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitTaskStatus } from '../../src/git/status-commit.js';
import { pushWithLease } from '../../src/git/push.js';
import { cxo, gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const WORKER = join(import.meta.dirname, '../helpers/push-worker.mjs');

/** A bare repository seeded with `tasks`, and `clones` clones of it, each with a git identity. */
function remoteWithClones(tasks: unknown[], clones: number): { bare: string; clones: string[] } {
  const seed = makeRepo(
    { 'codex.tasks.json': indexJson(tasks), 'codex.config.yaml': 'guard:\n  require_spec: false\n' },
    { git: true },
  );
  const base = mkdtempSync(join(tmpdir(), 'cxo-push-'));
  const bare = join(base, 'remote.git');
  gitIn(base, 'clone', '-q', '--bare', seed, bare);
  const dirs = Array.from({ length: clones }, (_, i) => {
    const dir = join(base, `clone-${i}`);
    gitIn(base, 'clone', '-q', bare, dir);
    gitIn(dir, 'config', 'user.name', `Person ${i}`);
    gitIn(dir, 'config', 'user.email', `p${i}@example.com`);
    gitIn(dir, 'config', 'commit.gpgsign', 'false');
    return dir;
  });
  return { bare, clones: dirs };
}

const remoteIndex = (bare: string) =>
  JSON.parse(gitIn(bare, 'show', 'main:codex.tasks.json')) as {
    tasks: { id: string; title: string; status?: { phase: string; lastRun?: { id: string } } }[];
  };
/** The orchestrator's status write-back of run `run` for a task, committed in `root`. */
const recordStatus = (root: string, taskId: string, phase: 'running' | 'review', run: string) =>
  commitTaskStatus({
    root,
    indexFile: 'codex.tasks.json',
    taskId,
    status: { phase, lastRun: { id: run } },
    runId: run,
  });

describe('pushWithLease', () => {
  it("rebases onto another pusher's commits, merging the task index, and loses neither", async () => {
    const { bare, clones } = remoteWithClones(
      [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B' },
      ],
      2,
    );
    const [one, two] = clones;
    await recordStatus(one, 'a', 'running', 'r1');
    await recordStatus(two, 'b', 'review', 'r2');
    expect(await pushWithLease({ root: one })).toMatchObject({ rebases: 0, upToDate: false });
    const second = await pushWithLease({ root: two });
    expect(second.rebases).toBe(1);
    const index = remoteIndex(bare);
    expect(index.tasks.map((t) => [t.id, t.status?.phase])).toEqual([
      ['a', 'running'],
      ['b', 'review'],
    ]);
    const runs = gitIn(bare, 'log', '--format=%(trailers:key=Run-Id,valueonly)', 'main')
      .split('\n')
      .filter(Boolean);
    expect(runs.sort()).toEqual(['r1', 'r2']);
    // the second clone's branch and working copy now hold both
    expect(gitIn(two, 'rev-parse', 'HEAD')).toBe(gitIn(bare, 'rev-parse', 'main'));
    expect(gitIn(two, 'status', '--porcelain')).toBe('');
    expect(await pushWithLease({ root: one })).toMatchObject({ upToDate: true });
  });

  it("carries the person's uncommitted edit of the index over the rebase, merged at task granularity", async () => {
    const { bare, clones } = remoteWithClones(
      [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B' },
      ],
      2,
    );
    const [one, two] = clones;
    await recordStatus(one, 'a', 'running', 'r1');
    await pushWithLease({ root: one });
    await recordStatus(two, 'b', 'review', 'r2');
    // the person in clone two retitles b without committing
    writeFileSync(
      join(two, 'codex.tasks.json'),
      read(two, 'codex.tasks.json').replace('"title": "B"', '"title": "B, better"'),
    );
    expect((await pushWithLease({ root: two })).rebases).toBe(1);
    const working = JSON.parse(read(two, 'codex.tasks.json'));
    expect(
      working.tasks.map((t: { title: string; status?: { phase: string } }) => [t.title, t.status?.phase]),
    ).toEqual([
      ['A', 'running'],
      ['B, better', 'review'],
    ]);
    expect(gitIn(two, 'diff', '--name-only').trim()).toBe('codex.tasks.json');
    expect(gitIn(two, 'diff', '--cached', '--name-only').trim()).toBe('');
    expect(remoteIndex(bare).tasks[1].title).toBe('B');
  });

  it('stops before moving the branch when an uncommitted edit conflicts with the incoming commits', async () => {
    const { clones } = remoteWithClones([{ id: 'a', title: 'A' }], 2);
    const [one, two] = clones;
    writeFileSync(
      join(one, 'codex.tasks.json'),
      read(one, 'codex.tasks.json').replace('"title": "A"', '"title": "A1"'),
    );
    gitIn(one, 'commit', '-qam', 'retitle');
    await pushWithLease({ root: one });
    await recordStatus(two, 'a', 'running', 'r2');
    const edited = read(two, 'codex.tasks.json').replace('"title": "A"', '"title": "A2"');
    writeFileSync(join(two, 'codex.tasks.json'), edited);
    const head = gitIn(two, 'rev-parse', 'HEAD');
    await expect(pushWithLease({ root: two })).rejects.toThrow(
      /your uncommitted edits of codex.tasks.json conflict/,
    );
    expect(gitIn(two, 'rev-parse', 'HEAD')).toBe(head);
    expect(read(two, 'codex.tasks.json')).toBe(edited);
  });

  it('cxo push reports what it did', () => {
    const { clones } = remoteWithClones([{ id: 'a', title: 'A' }], 1);
    const [one] = clones;
    writeFileSync(join(one, 'notes.txt'), 'n\n');
    gitIn(one, 'add', 'notes.txt');
    gitIn(one, 'commit', '-qm', 'notes');
    const r = cxo(one, ['push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pushed main to origin \([0-9a-f]{12}\)\n$/);
    expect(cxo(one, ['push']).stdout).toMatch(/^origin\/main is up to date/);
    const bad = cxo(one, ['push', '--remote', 'nowhere']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot fetch main from nowhere');
  });

  it('loses no commit across 200 interleaved pushes of 4 concurrent pushers (statuses and people)', async () => {
    const workers = 4;
    const cycles = 50;
    const tasks = Array.from({ length: workers }, (_, w) =>
      [0, 1, 2].map((i) => ({ id: `w${w}-t${i}`, title: `T${w}.${i}` })),
    ).flat();
    const { bare, clones } = remoteWithClones(tasks, workers);
    const seed = Number(process.env.CXO_FUZZ_SEED ?? Date.now() % 100000);
    const outputs = await Promise.all(
      clones.map(
        (clone, w) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              [WORKER, clone, String(w), String(cycles), String(seed + w)],
              {
                stdio: ['ignore', 'pipe', 'pipe'],
              },
            );
            let out = '';
            let err = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (err += d));
            child.on('error', reject);
            child.on('close', (code) =>
              code === 0 ? resolve(out) : reject(new Error(`worker ${w} (seed ${seed}): ${err}`)),
            );
          }),
      ),
    );
    const expected = outputs.map(
      (o) =>
        JSON.parse(o) as {
          runs: string[];
          commits: number;
          status: Record<string, { phase: string; lastRun: { id: string } }>;
          title: Record<string, string>;
          rebases: number;
          attempts: number;
        },
    );
    const pushedRuns = new Set(
      gitIn(bare, 'log', '--format=%(trailers:key=Run-Id,valueonly)', 'main').split('\n').filter(Boolean),
    );
    const lost = expected.flatMap((e) => e.runs).filter((r) => !pushedRuns.has(r));
    const index = remoteIndex(bare);
    for (const e of expected) {
      for (const [task, s] of Object.entries(e.status)) {
        expect(index.tasks.find((t) => t.id === task)?.status, `seed ${seed} ${task}`).toMatchObject({
          phase: s.phase,
          lastRun: { id: s.lastRun.id },
        });
      }
      for (const [task, title] of Object.entries(e.title)) {
        expect(index.tasks.find((t) => t.id === task)?.title, `seed ${seed} ${task}`).toBe(title);
      }
    }
    const counts = {
      seed,
      pushes: workers * cycles,
      statusCommits: expected.reduce((n, e) => n + e.runs.length, 0),
      personCommits: expected.reduce((n, e) => n + e.commits - e.runs.length, 0),
      rebases: expected.reduce((n, e) => n + e.rebases, 0),
      attempts: expected.reduce((n, e) => n + e.attempts, 0),
      lost: lost.length,
    };
    console.log(`push fuzz: ${JSON.stringify(counts)}`);
    expect(lost, `seed ${seed}`).toEqual([]);
    expect(counts.rebases, 'the pushers really raced').toBeGreaterThan(0);
    expect(gitIn(bare, 'fsck', '--no-progress', '--no-dangling').trim()).toBe('');
  }, 180_000);
});
