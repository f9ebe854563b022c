// One concurrent pusher for the push fuzz: in its own clone, `cycles` times either writes a
// status of one of its tasks (commitTaskStatus, as cxo run does) or, like a person, edits a
// task title (committed, or sometimes left uncommitted until the next cycle), then pushes with
// pushWithLease. Prints what it expects the remote to hold at the end, as JSON.
// Usage: node push-worker.mjs CLONE WORKER_ID CYCLES SEED
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitTaskStatus, pushWithLease } from '../../../dist/index.js';

const [clone, worker, cyclesArg, seedArg] = process.argv.slice(2);
const cycles = Number(cyclesArg);
let seed = Number(seedArg) >>> 0;
const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const tasks = [0, 1, 2].map((i) => `w${worker}-t${i}`);
const git = (...args) => {
  const r = spawnSync('git', args, { cwd: clone, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const expected = { runs: [], commits: 0, status: {}, title: {}, rebases: 0, attempts: 0 };
let pendingTitle;
for (let cycle = 0; cycle < cycles; cycle++) {
  const task = tasks[Math.floor(random() * tasks.length)];
  if (pendingTitle) {
    git('commit', '-q', '-am', `person: retitle ${pendingTitle.task}`);
    expected.title[pendingTitle.task] = pendingTitle.title;
    expected.commits++;
    pendingTitle = undefined;
  }
  if (random() < 0.3) {
    const path = join(clone, 'codex.tasks.json');
    const index = JSON.parse(readFileSync(path, 'utf8'));
    const title = `Title ${worker}.${cycle}`;
    index.tasks.find((t) => t.id === task).title = title;
    writeFileSync(path, `${JSON.stringify(index, null, 2)}\n`);
    if (random() < 0.5) pendingTitle = { task, title };
    else {
      git('commit', '-q', '-am', `person: retitle ${task}`);
      expected.title[task] = title;
      expected.commits++;
    }
  } else {
    const runId = `run-${worker}-${cycle}`;
    const status = {
      phase: random() < 0.5 ? 'running' : 'review',
      lastRun: { id: runId },
      updatedAt: new Date().toISOString(),
    };
    // with a title edit pending in the working copy, the status lands beside it
    await commitTaskStatus({ root: clone, indexFile: 'codex.tasks.json', taskId: task, status, runId });
    expected.runs.push(runId);
    expected.status[task] = status;
    expected.commits++;
  }
  const pushed = await pushWithLease({ root: clone, attempts: 50 });
  expected.rebases += pushed.rebases;
  expected.attempts += pushed.attempts;
}
if (pendingTitle) {
  git('commit', '-q', '-am', `person: retitle ${pendingTitle.task}`);
  expected.title[pendingTitle.task] = pendingTitle.title;
  await pushWithLease({ root: clone, attempts: 50 });
}
process.stdout.write(JSON.stringify(expected));
