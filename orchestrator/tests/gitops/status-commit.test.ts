import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitTaskStatus } from '../../src/git/status-commit.js';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex, type TaskIndex } from '../../src/repo/task-index.js';
import { setTaskFields, setTaskStatus } from '../../src/repo/task-index-edit.js';
import type { TaskStatus } from '../../src/repo/task-types.js';
import { gitIn, indexJson, makeRepo, PROJECT_ROOT, read } from '../helpers/temp-repo.js';
import { seededRandom } from '../helpers/seeded-random.js';

const INDEX = 'codex.tasks.json';
const IDS = ['task-a', 'task-b', 'task-c', 'task-d', 'task-e', 'task-f'];

function startRepo(extra: Record<string, string> = {}): string {
  const tasks = IDS.map((id) => ({
    id,
    title: `Title of ${id}`,
    priority: 'medium',
    status: { phase: 'pending' },
  }));
  return makeRepo({ [INDEX]: indexJson(tasks), 'other.txt': 'other\n', ...extra }, { git: true });
}

function parseText(text: string): TaskIndex {
  const decoded = decodeSource(INDEX, Buffer.from(text, 'utf8'));
  if (!decoded.source) throw new Error(`undecodable ${INDEX}`);
  const parsed = parseTaskIndex(decoded.source, 'full');
  if (!parsed.index || parsed.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`invalid ${INDEX}: ${JSON.stringify(parsed.diagnostics)}\n${text}`);
  }
  return parsed.index;
}

const working = (dir: string): TaskIndex => parseText(read(dir, INDEX));
const committed = (dir: string, rev = 'HEAD'): TaskIndex => parseText(gitIn(dir, 'show', `${rev}:${INDEX}`));

function personSetsTitle(dir: string, id: string, title: string): void {
  writeFileSync(join(dir, INDEX), setTaskFields(working(dir), id, { title }));
}

function personSetsStatus(dir: string, id: string, status: TaskStatus): void {
  writeFileSync(join(dir, INDEX), setTaskStatus(working(dir), id, status));
}

const canon = (v: unknown): string => JSON.stringify(v);

describe('commitTaskStatus', () => {
  it('commits only the task status lines and the evidence, leaving staged changes staged', async () => {
    const dir = startRepo({
      '.runs/task-b/run-1/manifest.json': '{"version":1}\n',
      '.runs/task-b/run-1/runner.log': '{"type":"run-started"}\n',
    });
    gitIn(dir, 'rm', '-q', '-r', '--cached', '.runs');
    gitIn(dir, 'commit', '-q', '-m', 'untrack runs');
    const before = gitIn(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'other.txt'), 'other, edited and staged\n');
    writeFileSync(join(dir, 'staged.txt'), 'new and staged\n');
    gitIn(dir, 'add', 'other.txt', 'staged.txt');

    const status: TaskStatus = {
      phase: 'running',
      lastRun: { id: 'run-1', manifest: '.runs/task-b/run-1/manifest.json' },
    };
    const result = await commitTaskStatus({
      root: dir,
      indexFile: INDEX,
      taskId: 'task-b',
      status,
      runId: 'run-1',
      manifest: '.runs/task-b/run-1/manifest.json',
      extraFiles: ['.runs/task-b/run-1'],
    });
    expect(result.conflict).toBeUndefined();
    expect(result.attempts).toBe(1);
    expect(gitIn(dir, 'rev-parse', 'HEAD').trim()).toBe(result.commit);
    expect(gitIn(dir, 'rev-parse', 'HEAD~1').trim()).toBe(before);

    const files = gitIn(dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'HEAD').trim().split('\n');
    expect(files.sort()).toEqual(
      [INDEX, '.runs/task-b/run-1/manifest.json', '.runs/task-b/run-1/runner.log'].sort(),
    );
    const diff = gitIn(dir, 'diff', '-U0', 'HEAD~1', 'HEAD', '--', INDEX)
      .split('\n')
      .filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(diff).toEqual([
      '-        "phase": "pending"',
      '+        "phase": "running",',
      '+        "lastRun": {',
      '+          "id": "run-1",',
      '+          "manifest": ".runs/task-b/run-1/manifest.json"',
      '+        }',
    ]);
    // the change sits inside task-b's status block
    const hunk = /@@ -(\d+)/.exec(gitIn(dir, 'diff', '-U0', 'HEAD~1', 'HEAD', '--', INDEX))?.[1];
    const oldLines = gitIn(dir, 'show', `HEAD~1:${INDEX}`).split('\n');
    expect(
      oldLines
        .slice(0, Number(hunk))
        .reverse()
        .find((l) => l.includes('"id"')),
    ).toContain('task-b');
    expect(committed(dir).byId.get('task-b')?.status).toEqual(status);
    for (const id of IDS.filter((i) => i !== 'task-b')) {
      expect(committed(dir).byId.get(id)).toEqual(committed(dir, 'HEAD~1').byId.get(id));
    }

    const sha = createHash('sha256')
      .update(readFileSync(join(dir, '.runs/task-b/run-1/manifest.json')))
      .digest('hex');
    expect(gitIn(dir, 'log', '-1', '--format=%B')).toBe(
      'cxo(task-b): running [run-1]\n\nTask-Id: task-b\nRun-Id: run-1\n' +
        `Manifest: .runs/task-b/run-1/manifest.json\nManifest-Sha256: ${sha}\n\n`,
    );
    expect(gitIn(dir, 'log', '-1', '--format=%an <%ae>|%cn').trim()).toBe(
      'codex-orchestrator <codex-orchestrator@localhost>|codex-orchestrator',
    );
    const trailers = gitIn(dir, 'log', '-1', '--format=%(trailers:key=Task-Id,valueonly)').trim();
    expect(trailers).toBe('task-b');

    // the person's staged changes are still staged and uncommitted; nothing else shows
    expect(gitIn(dir, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual(
      ['A  staged.txt', 'M  other.txt'].sort(),
    );
    expect(read(dir, INDEX)).toBe(gitIn(dir, 'show', `HEAD:${INDEX}`));
  });

  it("keeps the person's uncommitted edit of another task in the working copy", async () => {
    const dir = startRepo();
    personSetsTitle(dir, 'task-a', 'Edited by a person');
    const result = await commitTaskStatus({
      root: dir,
      indexFile: INDEX,
      taskId: 'task-b',
      status: { phase: 'review', message: 'ready for review' },
      runId: 'run-2',
    });
    expect(result.conflict).toBeUndefined();
    expect(committed(dir).byId.get('task-b')?.status).toEqual({
      phase: 'review',
      message: 'ready for review',
    });
    expect(committed(dir).byId.get('task-a')?.title).toBe('Title of task-a');
    expect(working(dir).byId.get('task-a')?.title).toBe('Edited by a person');
    expect(working(dir).byId.get('task-b')?.status).toEqual({ phase: 'review', message: 'ready for review' });
    expect(gitIn(dir, 'status', '--porcelain')).toBe(` M ${INDEX}\n`);
    const diff = gitIn(dir, 'diff', '-U0', 'HEAD', '--', INDEX)
      .split('\n')
      .filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(diff).toEqual(['-      "title": "Title of task-a",', '+      "title": "Edited by a person",']);
  });

  it("lets the person's edit of the same status win and reports the conflict", async () => {
    const dir = startRepo();
    personSetsStatus(dir, 'task-b', { phase: 'blocked', message: 'waiting on legal' });
    const result = await commitTaskStatus({
      root: dir,
      indexFile: INDEX,
      taskId: 'task-b',
      status: { phase: 'running' },
      runId: 'run-3',
    });
    expect(result.conflict).toEqual({ field: 'status' });
    expect(committed(dir).byId.get('task-b')?.status).toEqual({ phase: 'running' });
    expect(working(dir).byId.get('task-b')?.status).toEqual({
      phase: 'blocked',
      message: 'waiting on legal',
    });
  });

  it('recovers a working copy a killed write-back left with the previous status', async () => {
    const dir = startRepo();
    const before = read(dir, INDEX);
    const write = (phase: TaskStatus['phase'], run: string) =>
      commitTaskStatus({ root: dir, indexFile: INDEX, taskId: 'task-c', status: { phase }, runId: run });
    await write('running', 'run-7');
    // as if killed after the ref moved but before the working copy was written, with a person's edit
    writeFileSync(join(dir, INDEX), before);
    personSetsTitle(dir, 'task-a', 'Edited meanwhile');
    const result = await write('review', 'run-7');
    expect(result.conflict).toBeUndefined();
    expect(working(dir).byId.get('task-c')?.status).toEqual({ phase: 'review' });
    expect(working(dir).byId.get('task-a')?.title).toBe('Edited meanwhile');
    expect(committed(dir).byId.get('task-c')?.status).toEqual({ phase: 'review' });
  });

  it('records a status on an index another task made invalid, and refuses one that is not JSON or ambiguous', async () => {
    const dir = startRepo();
    const write = (runId: string) =>
      commitTaskStatus({
        root: dir,
        indexFile: INDEX,
        taskId: 'task-a',
        status: { phase: 'running' },
        runId,
      });
    // a dangling reference in another task is for validate and the guard, not a reason to lose a status
    const index = JSON.parse(read(dir, INDEX));
    index.tasks[1].dependsOn = ['no-such-task'];
    writeFileSync(join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
    gitIn(dir, 'commit', '-qam', 'dangling reference');
    await write('run-1');
    expect(JSON.parse(gitIn(dir, 'show', `HEAD:${INDEX}`)).tasks[0].status).toEqual({ phase: 'running' });
    expect(JSON.parse(gitIn(dir, 'show', `HEAD:${INDEX}`)).tasks[1].dependsOn).toEqual(['no-such-task']);
    // a second "tasks" key: an edit could land where JSON.parse does not look
    writeFileSync(join(dir, INDEX), read(dir, INDEX).replace('"version": 1,', '"version": 1, "tasks": [],'));
    gitIn(dir, 'commit', '-qam', 'two tasks keys');
    await expect(write('run-2')).rejects.toThrow(/has 2 "tasks" keys, which is ambiguous/);
    writeFileSync(join(dir, INDEX), '{ "version": 1, "tasks": [\n');
    gitIn(dir, 'commit', '-qam', 'broken');
    await expect(write('run-3')).rejects.toThrow(/is not JSON: /);
    // a duplicate key in the task itself
    writeFileSync(
      join(dir, INDEX),
      indexJson([{ id: 'task-a', title: 'A' }]).replace('"title": "A"', '"title": "A", "title": "B"'),
    );
    gitIn(dir, 'commit', '-qam', 'duplicate key');
    await expect(write('run-4')).rejects.toThrow(/has a problem in task task-a: .*title/);
    // nothing was committed on top of the refused ones
    expect(gitIn(dir, 'log', '-1', '--format=%s')).toBe('duplicate key\n');
  });

  it('refuses a detached HEAD', async () => {
    const dir = startRepo();
    gitIn(dir, 'checkout', '-q', '--detach');
    await expect(
      commitTaskStatus({
        root: dir,
        indexFile: INDEX,
        taskId: 'task-a',
        status: { phase: 'queued' },
        runId: 'r',
      }),
    ).rejects.toThrow(/detached/);
  });

  it('retries the compare-and-swap when another process commits meanwhile, losing no commit', async () => {
    const dir = startRepo();
    const side = mkdtempSync(join(tmpdir(), 'cxo-side-'));
    const script = `i=0; while [ ! -f "${side}/stop" ]; do i=$((i+1)); sleep 0.0$((2 + RANDOM % 5)); h=$(git rev-parse HEAD); \
t=$(git commit-tree "$h^{tree}" -p "$h" -m "side $i") && git update-ref refs/heads/main "$t" "$h" 2>/dev/null && echo "$t" >> "${side}/log"; done`;
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'side',
        GIT_AUTHOR_EMAIL: 'side@example.com',
        GIT_COMMITTER_NAME: 'side',
        GIT_COMMITTER_EMAIL: 'side@example.com',
      },
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const ours: string[] = [];
    const last = new Map<string, TaskStatus>();
    let maxAttempts = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 40 && (i < 8 || maxAttempts < 2); i++) {
        const taskId = IDS[i % IDS.length];
        const status: TaskStatus = { phase: i % 2 ? 'running' : 'review', message: `call ${i}` };
        const result = await commitTaskStatus({
          root: dir,
          indexFile: INDEX,
          taskId,
          status,
          runId: `run-${i}`,
          maxAttempts: 30,
        });
        ours.push(result.commit);
        last.set(taskId, status);
        maxAttempts = Math.max(maxAttempts, result.attempts);
      }
    } finally {
      writeFileSync(join(side, 'stop'), '');
      await exited;
    }
    const theirs = existsSync(join(side, 'log')) ? read(side, 'log').trim().split('\n') : [];
    console.log(
      `concurrent: ${ours.length} status commits, ${theirs.length} side commits, max CAS attempts ${maxAttempts}`,
    );
    expect(theirs.length).toBeGreaterThan(0);
    expect(maxAttempts).toBeGreaterThan(1);
    const reachable = new Set(gitIn(dir, 'rev-list', 'HEAD').trim().split('\n'));
    for (const c of [...ours, ...theirs]) expect(reachable.has(c)).toBe(true);
    for (const [id, status] of last) expect(committed(dir).byId.get(id)?.status).toEqual(status);
    expect(working(dir).byId.get(IDS[0])?.status).toEqual(last.get(IDS[0]));
  }, 60_000);

  it('never loses an edit or a status over 1,000 random interleavings', async () => {
    const seed = Number(process.env.CXO_FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const dir = startRepo();
    const titles = new Map(IDS.map((id) => [id, `Title of ${id}`]));
    let headTitles = new Map(titles);
    const workStatus = new Map(IDS.map((id) => [id, canon({ phase: 'pending' })]));
    let headStatus = new Map(workStatus);
    const counts = {
      steps: 0,
      personEdits: 0,
      personStatusEdits: 0,
      personCommits: 0,
      statusCommits: 0,
      conflicts: 0,
    };
    const phases: TaskStatus['phase'][] = ['queued', 'running', 'review', 'done', 'failed'];
    for (let step = 0; step < 1000; step++) {
      const roll = random();
      const id = pick(IDS);
      if (roll < 0.35) {
        const title = `Person edit ${step}`;
        personSetsTitle(dir, id, title);
        titles.set(id, title);
        counts.personEdits++;
      } else if (roll < 0.42) {
        const status: TaskStatus = { phase: 'blocked', message: `person ${step}` };
        personSetsStatus(dir, id, status);
        workStatus.set(id, canon(status));
        counts.personStatusEdits++;
      } else if (roll < 0.57) {
        gitIn(dir, 'add', INDEX);
        gitIn(dir, 'commit', '-q', '--allow-empty', '-m', `person ${step}`);
        headTitles = new Map(titles);
        headStatus = new Map(workStatus);
        counts.personCommits++;
      } else {
        const status: TaskStatus = { phase: pick(phases), message: `run ${step}` };
        const personOwns = workStatus.get(id) !== headStatus.get(id);
        const result = await commitTaskStatus({
          root: dir,
          indexFile: INDEX,
          taskId: id,
          status,
          runId: `run-${step}`,
        });
        headStatus.set(id, canon(status));
        if (personOwns) {
          expect(result.conflict, `seed ${seed} step ${step}`).toEqual({ field: 'status' });
          counts.conflicts++;
        } else {
          expect(result.conflict, `seed ${seed} step ${step}`).toBeUndefined();
          workStatus.set(id, canon(status));
        }
        counts.statusCommits++;
      }
      counts.steps++;
      const work = working(dir); // throws unless valid JSON and a valid index
      const head = committed(dir);
      for (const t of IDS) {
        const at = `seed ${seed} step ${step} task ${t}`;
        expect(work.byId.get(t)?.title, at).toBe(titles.get(t));
        expect(head.byId.get(t)?.title, at).toBe(headTitles.get(t));
        expect(canon(work.byId.get(t)?.status), at).toBe(workStatus.get(t));
        expect(canon(head.byId.get(t)?.status), at).toBe(headStatus.get(t));
      }
    }
    // the person's staging area never shows a revert of what the orchestrator committed
    const staged = gitIn(dir, 'diff', '--cached', '--name-only').trim();
    expect(staged).toBe('');
    console.log(`fuzz (seed ${seed}): ${JSON.stringify(counts)}`);
    expect(counts.steps).toBe(1000);
  }, 300_000); // ~10,000 git processes: 100 s alone on 2 cores, more beside the rest of the suite

  it('leaves a valid index, a sound repository and the person edit after kill -9', async () => {
    const modulePath = join(PROJECT_ROOT, 'dist/git/status-commit.js');
    expect(existsSync(modulePath), 'run `npm run build` first').toBe(true);
    const dir = startRepo();
    const scripts = mkdtempSync(join(tmpdir(), 'cxo-kill-'));
    const script = join(scripts, 'writer.mjs');
    writeFileSync(
      script,
      `import { commitTaskStatus } from ${JSON.stringify(`file://${modulePath}`)};
const [root, trial] = process.argv.slice(2);
const ids = ['task-a', 'task-b', 'task-c', 'task-d'];
const phases = ['queued', 'running', 'review', 'done'];
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  await commitTaskStatus({ root, indexFile: 'codex.tasks.json', taskId: ids[i % 4],
    status: { phase: phases[(i + Number(trial)) % 4], message: 'trial ' + trial + ' call ' + i },
    runId: 'run-' + trial + '-' + i });
}
`,
    );
    const counts = {
      trials: 0,
      headMoved: 0,
      headUnchanged: 0,
      newCommits: 0,
      killedBetweenRefAndWorkingCopy: 0,
    };
    const behind = (): boolean =>
      ['task-a', 'task-b', 'task-c', 'task-d'].some(
        (t) => canon(working(dir).byId.get(t)?.status) !== canon(committed(dir).byId.get(t)?.status),
      );
    for (let trial = 0; trial < 100; trial++) {
      personSetsTitle(dir, 'task-e', `Person edit before kill ${trial}`);
      const oldHead = gitIn(dir, 'rev-parse', 'HEAD').trim();
      const wasBehind = behind();
      const child = spawn(process.execPath, [script, dir, String(trial)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
      child.kill('SIGKILL');
      await exited;
      // a git the writer had started runs to its end on its own
      await new Promise((resolve) => setTimeout(resolve, 30));
      counts.trials++;
      if (!wasBehind && behind()) counts.killedBetweenRefAndWorkingCopy++;

      const at = `trial ${trial}`;
      const text = read(dir, INDEX);
      expect(() => JSON.parse(text), at).not.toThrow();
      expect(working(dir).byId.get('task-e')?.title, at).toBe(`Person edit before kill ${trial}`);
      const fsck = spawnSync('git', ['fsck', '--no-dangling', '--no-progress'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(fsck.status, `${at}: ${fsck.stderr}`).toBe(0);
      const head = gitIn(dir, 'rev-parse', 'HEAD').trim();
      if (head === oldHead) counts.headUnchanged++;
      else {
        counts.headMoved++;
        const ancestor = spawnSync('git', ['merge-base', '--is-ancestor', oldHead, head], { cwd: dir });
        expect(ancestor.status, `${at}: HEAD must descend from the old HEAD`).toBe(0);
        const added = gitIn(dir, 'rev-list', `${oldHead}..${head}`).trim().split('\n');
        counts.newCommits += added.length;
        for (const c of added) {
          expect(gitIn(dir, 'log', '-1', '--format=%s%n%(trailers:key=Task-Id,valueonly)', c), at).toMatch(
            /^cxo\(task-[a-d]\): \w+ \[run-\d+-\d+\]\ntask-[a-d]\n/,
          );
          committed(dir, c); // a complete commit with a valid index
        }
      }
    }
    console.log(`kill -9: ${JSON.stringify(counts)}`);
    expect(counts.trials).toBe(100);
  }, 90_000);
});
