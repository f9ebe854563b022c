// The state ref (`gitops.state: ref`): what it keeps off `main` and what it costs. Three parts:
//
// * Growth of main: N real `cxo run`s (a command builder printing 200 KB) in `inline` mode and N in
//   `ref` mode, in two small repositories, in rounds; main's reachable objects, commit count and the
//   size of a `git clone --single-branch --branch main` of a bare copy, before and after.
// * Reads and writes at scale: the `cxo-state` data set (generate.mjs: 10,000 tasks on main, their
//   statuses and 100,000 run manifests on the state ref, written by git fast-import): `cxo tasks
//   list` and `next` with the statuses cache warm, right after one status write, and without a
//   cache, beside the same commands on the inline data set and floors; one status write through
//   the library (state-ref-write.mjs, in-process, local) on an empty state ref and on the
//   100,000-run one.
// * Run time vs earlier runs: a real `cxo run` of one task on an empty state ref and on the
//   100,000-run one.
//
// Also renders the section's tables and judges its targets.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cxoId, ensureDataSet, STATE_RUNS_PER_TASK, stateShard } from './generate.mjs';
import { errorLine, firstLine, git, median, runOnce, runWorker } from './measure.mjs';
import { buildModel, targetTask } from './model.mjs';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'state-ref-write.mjs');
const STATE_REF = 'refs/heads/cxo/state';
const STATUS_CACHE = '.git/codex-orchestrator/state-statuses.json';
const WRITE_WARMUPS = 3;
const WRITE_RUNS = 15;
const BREAKDOWN_RUNS = 5;
const MAX_BUFFER = 512 * 1024 * 1024;
/** The issue's run count; the bench makes fewer real runs and reports per-run growth. */
const ISSUE_RUNS = 10_000;

/** Targets from the issue. */
export const STATE_TARGET = { growthPerRun: 1024, read: 0.3, write: 0.15, runRatio: 1.1 };

/** What every run's builder prints: 200 KB (150,000 random bytes as base64 lines), incompressible like a worst-case log. */
export const BUILDER = 'head -c 150000 /dev/urandom | base64';

const configFor = (mode) => `version: 1
guard: { require_spec: false }
agents: { manager: none, builder: "command:${BUILDER}", tester: none, reviewer: none }
gitops: { state: ${mode} }
`;

const elapsed = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

// ---------------------------------------------------------------- repositories

/**
 * A small repository of one task for real runs, in `mode`: the config above, an index of that task
 * (acceptance `true`), a README; in ref mode `.runs/` is ignored, as gitops.md asks. With `objects`
 * (the data set's object directory, as git alternates), its state ref starts at `stateTip`.
 */
function runRepo(root, { mode, taskId, env, objects, stateTip }) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '-b', 'main'], env);
  git(root, ['config', 'user.name', 'bench'], env);
  git(root, ['config', 'user.email', 'bench@example.invalid'], env);
  writeFileSync(join(root, 'codex.config.yaml'), configFor(mode));
  writeFileSync(
    join(root, 'codex.tasks.json'),
    `${JSON.stringify({ version: 1, tasks: [{ id: taskId, title: 'Bench run', acceptance: ['true'] }] }, null, 2)}\n`,
  );
  writeFileSync(join(root, 'README.md'), '# bench\n');
  if (mode === 'ref') writeFileSync(join(root, '.gitignore'), '.runs/\n');
  git(root, ['add', '-A'], env);
  git(root, ['commit', '-qm', 'init'], env);
  if (objects) {
    writeFileSync(join(root, '.git/objects/info/alternates'), `${objects}\n`);
    git(root, ['update-ref', STATE_REF, stateTip], env);
  }
  return root;
}

const runArgv = (cli, taskId) => [process.execPath, cli, 'run', taskId];

/** The first run of a repository doubles as its check: exit 0, the run ends in review. */
function checkedRun(cli, root, taskId, env) {
  const r = runOnce(runArgv(cli, taskId), { cwd: root, env, keepOutput: true });
  if (r.exit !== 0)
    return {
      error: `cxo run exited ${r.exit ?? r.signal}: ${r.error ?? (errorLine(r.stderr) || firstLine(r.stdout))}`,
    };
  if (!/^run review$/m.test(r.stdout))
    return { error: `cxo run did not end in review: ${firstLine(r.stdout)}` };
  return { seconds: r.seconds };
}

// ---------------------------------------------------------------- sizes

/** Objects reachable from `rev`: count, summed `objectsize` (uncompressed), `--disk-usage`, commits. */
function reachable(root, rev, env) {
  if (spawnSync('git', ['rev-parse', '--verify', '--quiet', rev], { cwd: root, env }).status !== 0)
    return { objects: 0, bytes: 0, disk: 0, commits: 0 };
  // `rev-list --objects` prints `<id> <path>`; cat-file takes the whole line as a name without %(rest)
  const ids = git(root, ['rev-list', '--objects', rev], env)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]);
  const sizes = spawnSync('git', ['cat-file', '--batch-check=%(objectsize)'], {
    cwd: root,
    env,
    input: `${ids.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: MAX_BUFFER,
  });
  if (sizes.status !== 0) throw new Error(`git cat-file --batch-check in ${root}: ${sizes.stderr}`);
  const values = sizes.stdout.split('\n').filter(Boolean).map(Number);
  if (values.length !== ids.length || values.some((v) => !Number.isInteger(v)))
    throw new Error(`git cat-file --batch-check in ${root}: ${ids.length} objects, ${values.length} sizes`);
  return {
    objects: values.length,
    bytes: values.reduce((a, b) => a + b, 0),
    disk: Number(git(root, ['rev-list', '--objects', '--disk-usage', rev], env).trim()),
    commits: Number(git(root, ['rev-list', '--count', rev], env).trim()),
  };
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * A bare copy of the repository (`git clone --mirror`, every ref), then `git clone --single-branch
 * --branch main --no-checkout` of that copy, both through file:// so git packs what it sends (a
 * local clone would hard-link every object); the bytes of each one's object directory.
 */
function cloneSizes(root, scratch, tag, env) {
  const bare = join(scratch, `${tag}.git`);
  const clone = join(scratch, `${tag}-main`);
  rmSync(bare, { recursive: true, force: true });
  rmSync(clone, { recursive: true, force: true });
  git(scratch, ['clone', '-q', '--mirror', `file://${root}`, bare], env);
  git(
    scratch,
    ['clone', '-q', '--single-branch', '--branch', 'main', '--no-checkout', `file://${bare}`, clone],
    env,
  );
  const sizes = { bare: dirBytes(join(bare, 'objects')), main: dirBytes(join(clone, '.git', 'objects')) };
  rmSync(bare, { recursive: true, force: true });
  rmSync(clone, { recursive: true, force: true });
  return sizes;
}

function snapshotSizes(root, scratch, tag, env) {
  return {
    main: reachable(root, 'refs/heads/main', env),
    state: reachable(root, STATE_REF, env),
    clone: cloneSizes(root, scratch, tag, env),
    countObjects: Object.fromEntries(
      git(root, ['count-objects', '-v'], env)
        .trim()
        .split('\n')
        .map((l) => l.split(': '))
        .map(([k, v]) => [k, Number(v)]),
    ),
  };
}

// ---------------------------------------------------------------- part 1: growth of main

function measureGrowth({ cli, env, scratch, runs, taskId, log }) {
  const modes = {};
  for (const mode of ['inline', 'ref']) {
    const root = runRepo(join(scratch, `growth-${mode}`), { mode, taskId, env });
    modes[mode] = { root, before: snapshotSizes(root, scratch, `growth-${mode}-before`, env), seconds: [] };
  }
  for (let k = 0; k < runs; k++) {
    for (const m of Object.values(modes)) {
      if (m.error) continue;
      if (k === 0) {
        const first = checkedRun(cli, m.root, taskId, env);
        if (first.error) m.error = first.error;
        else m.seconds.push(first.seconds);
        continue;
      }
      const r = runOnce(runArgv(cli, taskId), { cwd: m.root, env });
      if (r.exit !== 0) m.error = `run ${k + 1} exited ${r.exit ?? r.signal}`;
      else m.seconds.push(r.seconds);
    }
    if ((k + 1) % 10 === 0 || k === runs - 1) log(`[state] growth: ${k + 1}/${runs} runs in each mode`);
  }
  const out = {};
  for (const [mode, m] of Object.entries(modes)) {
    const after = snapshotSizes(m.root, scratch, `growth-${mode}-after`, env);
    const clean = git(m.root, ['status', '--porcelain', '--untracked-files=all'], env).trim() === '';
    out[mode] = {
      error: m.error,
      runs: m.seconds.length,
      runSeconds: m.seconds.length ? median(m.seconds) : undefined,
      before: m.before,
      after,
      clean,
    };
  }
  return out;
}

// ---------------------------------------------------------------- part 2: reads at 10,000 tasks

/** `parent` with one task's status set to `status`, committed with git plumbing (what a status write makes). */
function commitOneStatus(root, parent, taskId, status, env) {
  const blob = spawnSync('git', ['hash-object', '-w', '--stdin'], {
    cwd: root,
    env,
    input: `${JSON.stringify(status)}\n`,
    encoding: 'utf8',
  }).stdout.trim();
  const replace = (tree, name, type, id) => {
    const lines = git(root, ['ls-tree', tree], env)
      .split('\n')
      .filter((l) => l && !l.endsWith(`\t${name}`));
    lines.push(`${type === 'blob' ? '100644' : '040000'} ${type} ${id}\t${name}`);
    return spawnSync('git', ['mktree'], {
      cwd: root,
      env,
      input: `${lines.join('\n')}\n`,
      encoding: 'utf8',
    }).stdout.trim();
  };
  const shard = stateShard(taskId);
  const shardTree = replace(`${parent}:status/${shard}`, `${taskId}.json`, 'blob', blob);
  const statusTree = replace(`${parent}:status`, shard, 'tree', shardTree);
  const rootTree = replace(`${parent}^{tree}`, 'status', 'tree', statusTree);
  return git(
    root,
    ['commit-tree', rootTree, '-p', parent, '-m', `cxo-state: ${taskId}: ${status.phase}`],
    env,
  ).trim();
}

/**
 * A disposable checkout of the data set (its objects through git alternates, main checked out),
 * whose state ref gets one more status write than the data set's, so that the statuses cache can
 * be put back to what it was before that write.
 */
function readsRepo(root, stateRoot, env, taskId) {
  mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '-b', 'main'], env);
  git(root, ['config', 'user.name', 'bench'], env);
  git(root, ['config', 'user.email', 'bench@example.invalid'], env);
  writeFileSync(join(root, '.git/objects/info/alternates'), `${join(stateRoot, '.git/objects')}\n`);
  git(root, ['update-ref', 'refs/heads/main', git(stateRoot, ['rev-parse', 'main'], env).trim()], env);
  const before = git(stateRoot, ['rev-parse', STATE_REF], env).trim();
  git(root, ['update-ref', STATE_REF, before], env);
  git(root, ['reset', '-q', '--hard', 'main'], env);
  // the write changes the task's updatedAt only, so every command still prints what it prints inline
  const current = JSON.parse(
    git(root, ['cat-file', 'blob', `${before}:status/${stateShard(taskId)}/${taskId}.json`], env),
  );
  const after = commitOneStatus(
    root,
    before,
    taskId,
    { ...current, updatedAt: '2026-11-21T00:00:00.000Z' },
    env,
  );
  return { root, before, after };
}

function measureReads({ cli, env, scratch, stateRoot, inlineRoot, runs, size, taskId, log }) {
  const node = process.execPath;
  const repo = readsRepo(join(scratch, 'reads'), stateRoot, env, taskId);
  const root = repo.root;
  const cacheFile = join(root, STATUS_CACHE);
  const savedCache = join(scratch, 'state-statuses.before-write.json');
  // the statuses cache as it is before the write: made by one read at the state before it
  git(root, ['update-ref', STATE_REF, repo.before], env);
  const seed = runOnce([node, cli, 'tasks', 'next'], { cwd: root, env });
  if (seed.exit !== 0) throw new Error(`cxo tasks next exited ${seed.exit} in ${root}`);
  copyFileSync(cacheFile, savedCache);
  git(root, ['update-ref', STATE_REF, repo.after], env);
  const afterWrite = () => copyFileSync(savedCache, cacheFile);
  const noCache = () => rmSync(cacheFile, { force: true });
  const statusBlob = `${STATE_REF}:status/${stateShard(taskId)}/${taskId}.json`;
  const plans = [
    { key: 'floor.node', label: '`node -e 0`', root, argv: [node, '-e', '0'] },
    {
      key: 'floor.cat',
      label: 'floor: `git cat-file blob cxo/state:status/<shard>/<task>.json` (one status)',
      root,
      argv: ['git', 'cat-file', 'blob', statusBlob],
    },
    {
      key: 'inline.list',
      label: '`cxo tasks list`, inline (statuses in the index)',
      root: inlineRoot,
      argv: [node, cli, 'tasks', 'list'],
    },
    {
      key: 'inline.next',
      label: '`cxo tasks next`, inline',
      root: inlineRoot,
      argv: [node, cli, 'tasks', 'next'],
    },
  ];
  for (const [cmd, same] of [
    ['list', 'inline.list'],
    ['next', 'inline.next'],
  ]) {
    const argv = [node, cli, 'tasks', cmd];
    plans.push(
      { key: `ref.${cmd}`, label: `\`cxo tasks ${cmd}\`, ref mode, statuses cache warm`, root, argv, same },
      {
        key: `ref.${cmd}.write`,
        label: `\`cxo tasks ${cmd}\`, ref mode, first read after a status write`,
        root,
        argv,
        before: afterWrite,
        same,
      },
      {
        key: `ref.${cmd}.cold`,
        label: `\`cxo tasks ${cmd}\`, ref mode, no statuses cache (a fresh clone)`,
        root,
        argv,
        before: noCache,
        same,
      },
    );
  }
  const outputs = {};
  for (const p of plans) {
    p.before?.();
    const first = runOnce(p.argv, { cwd: p.root, env, keepOutput: true });
    if (first.exit !== 0)
      p.na = `exit ${first.exit ?? first.signal}, ${first.error ?? (errorLine(first.stderr) || firstLine(first.stdout))}`;
    else if (first.stderr.trim() && p.key.startsWith('ref')) p.na = `warned: ${firstLine(first.stderr)}`;
    outputs[p.key] = first.stdout;
    if (!p.na && p.argv.at(-1) === 'list') {
      const ids = new Set(first.stdout.match(/task-\d{5}/g) ?? []).size;
      if (ids < size) p.na = `output check failed: ${ids} task ids, expected ${size}`;
    }
    if (!p.na && p.same && first.stdout !== outputs[p.same])
      p.na = `output differs from the inline data set's (${firstLine(first.stdout)})`;
    p.warmup = first.seconds;
    p.samples = [];
  }
  const timed = plans.filter((p) => !p.na);
  for (let round = 0; round < runs; round++) {
    for (const p of timed) {
      p.before?.();
      const r = runOnce(p.argv, { cwd: p.root, env });
      if (r.exit === 0) p.samples.push(r.seconds);
    }
  }
  log(`[state] reads: ${runs} rounds of ${timed.length} commands done`);
  return Object.fromEntries(
    plans.map((p) => [
      p.key,
      {
        label: p.label,
        na: p.na ?? (p.samples.length ? undefined : 'every timed run failed'),
        runs: p.samples.length,
        median: p.samples.length ? median(p.samples) : undefined,
        samples: p.samples,
        warmup: p.warmup,
      },
    ]),
  );
}

// ---------------------------------------------------------------- part 2b: one status write

function measureWrite({ env, scratch, stateRoot, stateTip, taskId }) {
  const dirs = {};
  for (const name of ['empty', 'full']) {
    const root = join(scratch, `write-${name}`);
    mkdirSync(root, { recursive: true });
    git(root, ['init', '-q', '-b', 'main'], env);
    git(root, ['config', 'user.name', 'bench'], env);
    git(root, ['config', 'user.email', 'bench@example.invalid'], env);
    if (name === 'full') {
      writeFileSync(join(root, '.git/objects/info/alternates'), `${join(stateRoot, '.git/objects')}\n`);
      git(root, ['update-ref', STATE_REF, stateTip], env);
    }
    dirs[name] = root;
  }
  const args = { dirs, taskId, runs: WRITE_RUNS, warmups: WRITE_WARMUPS, breakdownRuns: BREAKDOWN_RUNS };
  return runWorker(WORKER, args, env);
}

// ---------------------------------------------------------------- part 3: run time vs earlier runs

/**
 * In `root` (which reaches the data set's objects), a state commit with the data set's statuses
 * and none of its runs: the same `status/` tree, so only the 100,000 runs differ.
 */
function statusesOnly(root, stateTip, env) {
  const entries = git(root, ['ls-tree', stateTip], env)
    .split('\n')
    .filter((l) => l.endsWith('\tstatus') || l.endsWith('\tcxo-state.json'));
  const tree = spawnSync('git', ['mktree'], {
    cwd: root,
    env,
    input: `${entries.join('\n')}\n`,
    encoding: 'utf8',
  }).stdout.trim();
  return git(
    root,
    ['commit-tree', tree, '-m', 'cxo-state: the statuses of the bench data set, no runs'],
    env,
  ).trim();
}

/** Run time rounds: at least this many, whatever `--runs` says, as the ratio is judged within 10 %. */
const MIN_RUN_ROUNDS = 7;

function measureRunTime({ cli, env, scratch, stateRoot, stateTip, taskId, runs, log }) {
  const objects = join(stateRoot, '.git/objects');
  const repos = {
    empty: runRepo(join(scratch, 'run-empty'), { mode: 'ref', taskId, env }),
    statuses: runRepo(join(scratch, 'run-statuses'), { mode: 'ref', taskId, env, objects, stateTip }),
    full: runRepo(join(scratch, 'run-full'), { mode: 'ref', taskId, env, objects, stateTip }),
  };
  git(repos.statuses, ['update-ref', STATE_REF, statusesOnly(repos.statuses, stateTip, env)], env);
  const out = Object.fromEntries(Object.keys(repos).map((name) => [name, { samples: [] }]));
  for (const [name, root] of Object.entries(repos)) {
    const first = checkedRun(cli, root, taskId, env);
    if (first.error) out[name].error = first.error;
    else out[name].warmup = first.seconds;
  }
  const rounds = Math.max(runs, MIN_RUN_ROUNDS);
  for (let round = 0; round < rounds; round++) {
    for (const [name, root] of Object.entries(repos)) {
      if (out[name].error) continue;
      const r = runOnce(runArgv(cli, taskId), { cwd: root, env });
      if (r.exit !== 0) out[name].error = `run ${round + 2} exited ${r.exit ?? r.signal}`;
      else out[name].samples.push(r.seconds);
    }
  }
  for (const o of Object.values(out)) if (o.samples.length) o.median = median(o.samples);
  out.fullRuns = reachable(repos.full, STATE_REF, env).commits;
  log(`[state] run time: ${rounds} rounds done`);
  return out;
}

// ---------------------------------------------------------------- the section

/** Everything the section measures. `growthRuns` real runs per mode; the data set has `tasks` tasks. */
export function measureStateRef({ cache, cli, env, runs, growthRuns, tasks, log = () => {} }) {
  const scratch = mkdtempSync(join(cache, 'state-ref-'));
  // the runs' worktrees go in the scratch directory, not the isolated HOME's cache
  const runEnv = { ...env, CXO_WORKTREES_DIR: join(scratch, 'worktrees') };
  let t0 = process.hrtime.bigint();
  const took = () => {
    const s = elapsed(t0).toFixed(1);
    t0 = process.hrtime.bigint();
    return `${s} s`;
  };
  const model = buildModel(tasks);
  const taskId = cxoId(targetTask(model).n);
  const load = () => loadavg().map((l) => Number(l.toFixed(2)));
  const loadAtStart = load();
  try {
    const growth = measureGrowth({ cli, env: runEnv, scratch, runs: growthRuns, taskId, log });
    log(`[state] growth: ${growthRuns} runs per mode, ${took()}`);
    const stateSet = ensureDataSet(cache, 'cxo-state', tasks);
    const inlineSet = ensureDataSet(cache, 'cxo', tasks);
    log(`[state] data sets ${stateSet.generated || inlineSet.generated ? 'generated' : 'cached'}, ${took()}`);
    const stateRoot = stateSet.root;
    const stateTip = git(stateRoot, ['rev-parse', STATE_REF], env).trim();
    const onRef = reachable(stateRoot, STATE_REF, env);
    const reads = measureReads({
      cli,
      env,
      scratch,
      stateRoot,
      inlineRoot: inlineSet.root,
      runs,
      size: tasks,
      taskId,
      log,
    });
    log(`[state] reads, ${took()}`);
    const write = measureWrite({ env, scratch, stateRoot, stateTip, taskId });
    log(`[state] status write ${write.error ? `failed (${write.error})` : 'done'}, ${took()}`);
    const runTime = measureRunTime({ cli, env: runEnv, scratch, stateRoot, stateTip, taskId, runs, log });
    log(`[state] run time, ${took()}`);
    return {
      load: { start: loadAtStart, end: load() },
      tasks,
      runsPerTask: STATE_RUNS_PER_TASK,
      taskId,
      growthRuns,
      builder: BUILDER,
      stateRefObjects: onRef,
      packBytes: dirBytes(join(stateRoot, '.git/objects')),
      growth,
      reads,
      write,
      runTime,
    };
  } finally {
    // worktrees of the runs first, so nothing points into a removed directory
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

const kb = (bytes) =>
  bytes === undefined || !Number.isFinite(bytes)
    ? 'n/a'
    : Math.abs(bytes) < 1024
      ? `${bytes.toFixed(0)} B`
      : Math.abs(bytes) < 1024 * 1024
        ? `${(bytes / 1024).toFixed(1)} KB`
        : Math.abs(bytes) < 1024 * 1024 * 1024
          ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
          : `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
const n = (x) => x.toLocaleString('en-US');

function growthOf(g) {
  if (!g || g.error || !g.runs) return undefined;
  const per = (a, b) => (b - a) / g.runs;
  return {
    mainBytes: per(g.before.main.bytes, g.after.main.bytes),
    mainDisk: per(g.before.main.disk, g.after.main.disk),
    mainCommits: per(g.before.main.commits, g.after.main.commits),
    cloneMain: per(g.before.clone.main, g.after.clone.main),
    stateBytes: per(g.before.state.bytes, g.after.state.bytes),
    stateCommits: per(g.before.state.commits, g.after.state.commits),
    bare: per(g.before.clone.bare, g.after.clone.bare),
  };
}

/** PASS/FAIL rows of the section. */
export function stateTargets(r, { fmt, fmtX }) {
  const rows = [];
  const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL (missed)');
  const ref = growthOf(r.growth.ref);
  rows.push({
    comparison: `growth of main per run, ref mode (objects reachable from main, uncompressed; ${r.growthRuns} runs)`,
    target: `≤ ${kb(STATE_TARGET.growthPerRun)}`,
    value: kb(ref?.mainBytes),
    raw: ref?.mainBytes,
    result: verdict(ref && ref.mainBytes <= STATE_TARGET.growthPerRun),
  });
  const before = r.growth.ref?.before?.clone?.main;
  const after = r.growth.ref?.after?.clone?.main;
  rows.push({
    comparison: '`git clone --single-branch --branch main` of a bare copy, ref mode: after ÷ before the runs',
    target: 'unaffected (1.00×)',
    value: before && after ? `${kb(before)} → ${kb(after)} (${fmtX(after / before)})` : 'n/a',
    raw: before && after ? after / before : undefined,
    result: verdict(before && after ? after <= before : undefined),
  });
  for (const key of [
    'ref.list',
    'ref.next',
    'ref.list.write',
    'ref.next.write',
    'ref.list.cold',
    'ref.next.cold',
  ]) {
    const v = r.reads[key];
    const value = v && !v.na ? v.median : undefined;
    rows.push({
      comparison: `${v?.label ?? key}, ${n(r.tasks)} tasks, ${n(r.tasks * r.runsPerTask)} runs on the state ref`,
      target: `≤ ${STATE_TARGET.read} s`,
      value: value === undefined ? 'n/a' : `${fmt(value)} (${fmtX(value / STATE_TARGET.read)} the target)`,
      raw: value,
      result: verdict(value === undefined ? undefined : value <= STATE_TARGET.read),
    });
  }
  for (const name of ['empty', 'full']) {
    const w = r.write?.[name];
    const label = name === 'empty' ? 'an empty state ref' : `the ${n(r.tasks * r.runsPerTask)}-run state ref`;
    rows.push({
      comparison: `one status write (\`writeStatus\`, in-process, local: no push) on ${label}`,
      target: `≤ ${STATE_TARGET.write} s`,
      value: w ? `${fmt(w.median)} (${fmtX(w.median / STATE_TARGET.write)} the target)` : 'n/a',
      raw: w?.median,
      result: verdict(w ? w.median <= STATE_TARGET.write : undefined),
    });
  }
  const { empty, statuses, full } = r.runTime;
  for (const [base, name] of [
    [empty, 'an empty one'],
    [statuses, `one with the same ${n(r.tasks)} statuses and no runs`],
  ]) {
    const ratio = base?.median && full.median ? full.median / base.median : undefined;
    rows.push({
      comparison: `\`cxo run\` on the ${n(r.tasks * r.runsPerTask)}-run state ref ÷ on ${name}`,
      target: `≤ ${fmtX(STATE_TARGET.runRatio)}`,
      value: ratio === undefined ? 'n/a' : `${fmt(full.median)} ÷ ${fmt(base.median)} = ${ratio.toFixed(3)}×`,
      raw: ratio,
      result: verdict(ratio === undefined ? undefined : ratio <= STATE_TARGET.runRatio),
    });
  }
  return rows;
}

/** The section's tables and notes, in the style of run.mjs's report. */
export function stateMarkdown(r, rows, { fmt, fmtX }) {
  const lines = [];
  const runs = n(r.tasks * r.runsPerTask);
  lines.push(
    `State ref section: load average (1/5/15 min) ${r.load.start.join(' / ')} at its start, ${r.load.end.join(' / ')} at its end.${r.load.start[0] > 1.5 ? ' The machine was busy: figures may be inflated.' : ''}`,
  );
  lines.push('');
  // growth
  lines.push(
    `| state ref: growth, ${r.growthRuns} real \`cxo run\`s per mode (builder prints 200 KB) | inline | ref |`,
  );
  lines.push('|---|---:|---:|');
  const g = { inline: growthOf(r.growth.inline), ref: growthOf(r.growth.ref) };
  const cell = (mode, f) =>
    r.growth[mode]?.error ? `n/a (${r.growth[mode].error.replace(/\|/g, '\\|').slice(0, 80)})` : f(mode);
  const row = (label, f) => lines.push(`| ${label} | ${cell('inline', f)} | ${cell('ref', f)} |`);
  row('median wall time of one run', (m) => fmt(r.growth[m].runSeconds));
  row(
    'objects reachable from main, uncompressed: before → after',
    (m) => `${kb(r.growth[m].before.main.bytes)} → ${kb(r.growth[m].after.main.bytes)}`,
  );
  row('**growth of main per run** (uncompressed)', (m) => `**${kb(g[m]?.mainBytes)}**`);
  row('growth of main per run, on disk (`rev-list --disk-usage`)', (m) => kb(g[m]?.mainDisk));
  row(
    'commits on main: before → after (per run)',
    (m) =>
      `${r.growth[m].before.main.commits} → ${r.growth[m].after.main.commits} (${g[m]?.mainCommits ?? 'n/a'})`,
  );
  row(
    '`git clone --single-branch --branch main` of a bare copy: before → after',
    (m) => `${kb(r.growth[m].before.clone.main)} → ${kb(r.growth[m].after.clone.main)}`,
  );
  row(
    'the bare copy (every ref): before → after',
    (m) => `${kb(r.growth[m].before.clone.bare)} → ${kb(r.growth[m].after.clone.bare)}`,
  );
  row(
    'state ref: commits after; growth per run (uncompressed)',
    (m) => `${r.growth[m].after.state.commits}; ${kb(g[m]?.stateBytes)}`,
  );
  row(`extrapolated to ${n(ISSUE_RUNS)} runs: growth of main (uncompressed)`, (m) =>
    kb(g[m] ? g[m].mainBytes * ISSUE_RUNS : undefined),
  );
  row('working copy clean after the runs', (m) => (r.growth[m].clean ? 'yes' : 'no'));
  lines.push('');
  // reads
  lines.push(`| state ref: reads at ${n(r.tasks)} tasks, ${runs} runs on the state ref | median |`);
  lines.push('|---|---:|');
  for (const v of Object.values(r.reads))
    lines.push(
      `| ${v.label} | ${v.na ? `n/a (${v.na.replace(/\|/g, '\\|').slice(0, 90)})` : `${fmt(v.median)}${v.runs ? '' : ''}`} |`,
    );
  const read = (k) => (r.reads[k]?.na ? undefined : r.reads[k]?.median);
  for (const [a, b] of [
    ['ref.list', 'inline.list'],
    ['ref.next', 'inline.next'],
    ['ref.list.write', 'inline.list'],
    ['ref.next.write', 'inline.next'],
    ['ref.list.cold', 'inline.list'],
    ['ref.next.cold', 'inline.next'],
  ])
    if (read(a) && read(b)) lines.push(`| ${r.reads[a].label} ÷ inline | ${fmtX(read(a) / read(b))} |`);
  for (const k of ['ref.list', 'ref.next'])
    if (read(k) && read('floor.node'))
      lines.push(`| ${r.reads[k].label} ÷ \`node -e 0\` | ${fmtX(read(k) / read('floor.node'))} |`);
  lines.push('');
  // write
  if (r.write?.error) lines.push(`state ref status write: n/a (${r.write.error})`);
  else {
    lines.push(
      `| state ref: one status write, in-process, median of ${r.write.empty.runs} after ${WRITE_WARMUPS} warm-ups | empty state ref | ${runs}-run state ref |`,
    );
    lines.push('|---|---:|---:|');
    lines.push(
      `| \`writeStatus(StateRef.open(root, config), …)\` | ${fmt(r.write.empty.median)} (p90 ${fmt(r.write.empty.p90)}) | ${fmt(r.write.full.median)} (p90 ${fmt(r.write.full.p90)}) |`,
    );
    const b = r.write.breakdown;
    if (b && !b.empty.error && !b.full.error)
      lines.push(
        `| git processes per write (their time) | ${b.empty.gitProcesses} (${fmt(b.empty.git)}) | ${b.full.gitProcesses} (${fmt(b.full.git)}) |`,
      );
  }
  lines.push('');
  // run time
  const rt = r.runTime;
  lines.push(
    `| state ref: one real \`cxo run\` (ref mode), median of ${rt.empty.samples.length} after 1 warm-up | empty state ref | ${n(r.tasks)} statuses, no runs | ${n(r.tasks)} statuses, ${runs} runs |`,
  );
  lines.push('|---|---:|---:|---:|');
  const rtCell = (o) =>
    !o ? 'n/a' : o.error ? `n/a (${o.error.replace(/\|/g, '\\|').slice(0, 80)})` : fmt(o.median);
  lines.push(
    `| \`cxo run ${r.taskId}\` | ${rtCell(rt.empty)} | ${rtCell(rt.statuses)} | ${rtCell(rt.full)} |`,
  );
  lines.push('');
  lines.push('| state ref target | target | measured | result |');
  lines.push('|---|---|---:|---|');
  for (const t of rows) lines.push(`| ${t.comparison} | ${t.target} | ${t.value} | **${t.result}** |`);
  lines.push('');
  lines.push(
    `- State ref, growth: ${r.growthRuns} real runs per mode, not the issue's ${n(ISSUE_RUNS)} (about ${fmt(r.growth.ref?.runSeconds ?? 1)} a run here: ${n(ISSUE_RUNS)} would take hours); the per-run figures are (after − before) ÷ ${r.growthRuns}, the ${n(ISSUE_RUNS)}-run row multiplies them. Each run's builder is \`${r.builder}\` (200 KB of incompressible base64 lines, kept as builder.stdout.log and again in the transcript); \`agents.manager: none\`, \`guard.require_spec: false\`, one acceptance command \`true\`. "Objects reachable from main" is \`git rev-list --objects main | git cat-file --batch-check='%(objectsize)'\` summed; the clone is \`git clone --single-branch --branch main --no-checkout file://<bare copy>\`, its \`.git/objects\` bytes, the bare copy a \`git clone --mirror\` (every ref, the state ref and the run branches included).`,
  );
  lines.push(
    `- State ref, data set: \`.bench-cache/repos/cxo-state-${r.tasks}\` (generate.mjs): the ${n(r.tasks)} tasks and specs of the inline data set on main, without status blocks or \`.runs/\`; one state commit written by \`git fast-import\` with every task's status block (the inline data set's; \`{phase: pending}\` for a task nobody requested) and ${r.runsPerTask} run manifests per task (${runs}, in the shape \`cxo run\` writes them, about 6 KB each): ${n(r.stateRefObjects.objects)} objects, ${kb(r.stateRefObjects.bytes)} uncompressed, ${kb(r.packBytes)} packed. The state ref is one commit deep: its history is not what is measured. \`tasks list\`/\`next\` must print exactly what they print on the inline data set. The reads run in a checkout of the data set (objects through git alternates) whose state ref has one status write more than the data set's (\`${r.taskId}\`'s updatedAt, so the output stays the inline one). The statuses cache (\`${STATUS_CACHE}\`, keyed by the \`status/\` tree) is: warm, as left by the previous read; put back before each run to what it was before that write (the first read after any status write); removed before each run (a fresh clone). Reads are whole processes, in rounds, median of ${r.reads['ref.list']?.runs ?? '?'} after a warm-up that checks the output.`,
  );
  lines.push(
    `- State ref, write and run: in-process writes flip \`${r.taskId}\` between running and review, in rounds, each in a fresh repository with no remote (the push is not timed: the target is "beyond the git push"); the ${runs}-run state ref is the data set's, reached through git alternates (the data set's object directory), so nothing is copied. The runs are \`cxo run ${r.taskId}\` in three one-task repositories in ref mode, the same builder as above, in rounds (at least ${MIN_RUN_ROUNDS}); the middle one's state ref is a commit of the data set's \`status/\` tree alone, so that it differs from the full one by the runs only; the ${runs}-run one had ${n(rt.fullRuns ?? 0)} state commits at the end (one from fast-import, two per run).`,
  );
  const b = r.write?.breakdown;
  if (b && !b.empty?.error && !b.full?.error) {
    const top = (p) =>
      Object.entries(p.byCommand)
        .sort(([, x], [, y]) => y.seconds - x.seconds)
        .map(([cmd, c]) => `${cmd}${c.count > 1 ? ` ×${c.count}` : ''} ${fmt(c.seconds)}`)
        .join(', ');
    lines.push(
      `- Where one status write goes (median of ${b.full.runs} more writes): empty state ref ${fmt(b.empty.total)}, of which ${b.empty.gitProcesses} git processes ${fmt(b.empty.git)} (${top(b.empty)}); ${runs}-run state ref ${fmt(b.full.total)}, ${b.full.gitProcesses} git processes ${fmt(b.full.git)} (${top(b.full)}).`,
    );
  }
  for (const note of r.write?.notes ?? []) lines.push(`- State ref write: ${note}.`);
  return lines.join('\n');
}
