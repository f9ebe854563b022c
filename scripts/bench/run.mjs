#!/usr/bin/env node

// `npm run bench`: times codex-orchestrator's CLI against floors and two peers (task-master-ai,
// Backlog.md) on synthetic repositories of 1,000 and 10,000 tasks. See docs/benchmarks.md.
//
//   node scripts/bench/run.mjs [--sizes 1000,10000] [--runs 5] [--slow-runs 3] [--slow-after 5]
//                              [--only REGEX] [--no-net-check] [--no-peers] [--write-back-runs 15]
//                              [--watch-edits 60] [--watch-idle-seconds 60]
//                              [--state-runs 30] [--state-tasks 10000]
//
// `--only write-back` runs the status write-back latency section alone (scripts/bench/write-back.mjs),
// `--only watch` the long-running watcher's latency, idle CPU and memory (scripts/bench/watch.mjs),
// `--only import` `cxo import` of a large task-master file and CO index (scripts/bench/import.mjs),
// `--only state` the state ref (`gitops.state: ref`): growth of main over real runs, reads and a
// status write at 10,000 tasks with 100,000 runs on the state ref, run time vs earlier runs
// (scripts/bench/state-ref.mjs).
//
// Everything it creates lives in .bench-cache/ (gitignored): the peers' npm installs, the
// generated repositories, an isolated HOME for the measured processes, and results.json.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backlogFile, backlogId, cxoId, ensureDataSet } from './generate.mjs';
import {
  dirtyFiles,
  errorLine,
  firstLine,
  median,
  networkConnects,
  numstat,
  resetRepo,
  runOnce,
  stripAnsi,
} from './measure.mjs';
import { buildModel, GENERATOR_VERSION, targetTask } from './model.mjs';
import { importMarkdown, measureImport } from './import.mjs';
import { measureRunOverhead } from './run-overhead.mjs';
import { measureStateRef, stateMarkdown, stateTargets } from './state-ref.mjs';
import { measureWatch, nodeRssFloor, watchMarkdown, watchTargets } from './watch.mjs';
import { measureWriteBack, writeBackMarkdown, writeBackTargets } from './write-back.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, '.bench-cache');
const PEER_PREFIX = join(CACHE, 'peers');
/** CXO_BENCH_CLI may point at another build of the CLI, e.g. to compare before/after a change. */
const CLI = process.env.CXO_BENCH_CLI ? resolve(process.env.CXO_BENCH_CLI) : join(ROOT, 'dist/bin/cxo.js');
const FLOORS = join(ROOT, 'scripts/bench/floors');

/** Exact peer versions (latest patch of task-master-ai 0.43.x and backlog.md 1.52.x when this was written). */
export const PEERS = {
  taskmaster: { pkg: 'task-master-ai', version: '0.43.1', bin: 'task-master', name: 'task-master-ai' },
  backlog: { pkg: 'backlog.md', version: '1.52.0', bin: 'backlog', name: 'Backlog.md' },
};

// ---------------------------------------------------------------- options

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    runs: { type: 'string', default: '5' },
    'slow-runs': { type: 'string', default: '3' },
    'slow-after': { type: 'string', default: '5' },
    only: { type: 'string' },
    'write-back-runs': { type: 'string', default: '15' },
    'watch-edits': { type: 'string', default: '60' },
    'watch-idle-seconds': { type: 'string', default: '60' },
    'state-runs': { type: 'string', default: '30' },
    'state-tasks': { type: 'string', default: '10000' },
    'net-check': { type: 'boolean', default: true },
    'no-net-check': { type: 'boolean', default: false },
    peers: { type: 'boolean', default: true },
    'no-peers': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const from = lines.findIndex((l) => l.startsWith('//'));
  const to = lines.findIndex((l, k) => k > from && !l.startsWith('//'));
  console.log(
    lines
      .slice(from, to)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n'),
  );
  process.exit(0);
}
const SIZES = opts.sizes
  .split(',')
  .map((s) => Number(s.replace(/[_,]/g, '')))
  .filter((n) => Number.isInteger(n) && n > 0);
const RUNS = Math.max(1, Number(opts.runs) || 5);
const SLOW_RUNS = Math.max(1, Math.min(RUNS, Number(opts['slow-runs']) || 3));
const SLOW_AFTER = Number(opts['slow-after']) || 5;
const NET_CHECK = opts['net-check'] && !opts['no-net-check'];
const WITH_PEERS = opts.peers && !opts['no-peers'];
const ONLY = opts.only ? new RegExp(opts.only) : undefined;
const WRITE_BACK_RUNS = Math.max(1, Number(opts['write-back-runs']) || 15);
const WATCH_EDITS = Math.max(1, Number(opts['watch-edits']) || 60);
const WATCH_IDLE_SECONDS = Math.max(1, Number(opts['watch-idle-seconds']) || 60);
const STATE_RUNS = Math.max(1, Number(opts['state-runs']) || 30);
const STATE_TASKS = Math.max(1, Number(String(opts['state-tasks']).replace(/[_,]/g, '')) || 10000);
if (SIZES.length === 0) {
  console.error('no valid --sizes');
  process.exit(2);
}

/** A run filtered with --only must not overwrite the results of a complete run. */
const RESULTS_FILE = join(CACHE, ONLY ? 'results.only.json' : 'results.json');
const log = (msg) => process.stderr.write(`${msg}\n`);
const started = process.hrtime.bigint();

// ---------------------------------------------------------------- environment of measured processes

const HOME = join(CACHE, 'home');
mkdirSync(HOME, { recursive: true });
/**
 * Every measured process gets the same environment: an isolated, empty HOME (no user config of
 * any tool), no variable that looks like a model-provider key, and task-master's own switch to
 * skip its npm-registry update check (it otherwise does an HTTPS request, cached for an hour,
 * before every command and may even auto-install a newer version).
 */
const ENV = { ...process.env, HOME, TASKMASTER_SKIP_AUTO_UPDATE: '1' };
for (const name of Object.keys(ENV)) if (/API_KEY|_TOKEN$|SECRET/i.test(name)) delete ENV[name];
const GIT_ENV = { ...process.env, HOME };

// ---------------------------------------------------------------- peers

function installedVersion(pkg) {
  try {
    return JSON.parse(readFileSync(join(PEER_PREFIX, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Installs the pinned peers into .bench-cache/peers (not into package.json); returns why a peer is unusable. */
function ensurePeers() {
  const unavailable = {};
  if (!WITH_PEERS) {
    for (const k of Object.keys(PEERS)) unavailable[k] = 'skipped (--no-peers)';
    return unavailable;
  }
  const missing = Object.values(PEERS).filter((p) => installedVersion(p.pkg) !== p.version);
  if (missing.length) {
    const specs = missing.map((p) => `${p.pkg}@${p.version}`);
    log(`installing peers into ${PEER_PREFIX}: ${specs.join(' ')} (about a minute)`);
    mkdirSync(PEER_PREFIX, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(
      npm,
      [
        'install',
        '--prefix',
        PEER_PREFIX,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...specs,
      ],
      {
        cwd: CACHE,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (r.status !== 0) log(`npm install exited with ${r.status}`);
  }
  for (const [k, p] of Object.entries(PEERS)) {
    const v = installedVersion(p.pkg);
    if (v !== p.version)
      unavailable[k] = `${p.pkg}@${p.version} is not installed (found ${v ?? 'nothing'}); npm install failed`;
  }
  return unavailable;
}

const peerBin = (k) => join(PEER_PREFIX, 'node_modules', '.bin', PEERS[k].bin);

// ---------------------------------------------------------------- commands

/**
 * Every timed command at one size. `repo` names the data set it runs in, `check` returns a
 * problem with its output (or undefined), `write` marks commands that change the data set and
 * are undone after every run.
 */
function commandsFor(size, model) {
  const target = targetTask(model);
  const node = process.execPath;
  const tm = peerBin('taskmaster');
  const bl = peerBin('backlog');
  const distinct = (text, re) => new Set(text.match(re) ?? []).size;
  const atLeast = (what, n, want) => (n >= want ? undefined : `expected ${want} ${what}, saw ${n}`);
  return [
    // floors: what any tool must pay at this size
    { key: 'floor.node', group: 'floor', label: '`node -e 0`', repo: 'cxo', argv: [node, '-e', '0'] },
    {
      key: 'floor.json',
      group: 'floor',
      label: 'floor: `JSON.parse` of codex.tasks.json',
      repo: 'cxo',
      argv: [node, join(FLOORS, 'parse-index.mjs')],
    },
    {
      key: 'floor.yaml',
      group: 'floor',
      label: 'floor: read every spec + `yaml` front matter',
      repo: 'cxo',
      argv: [node, join(FLOORS, 'parse-specs.mjs')],
    },
    {
      key: 'floor.read',
      group: 'floor',
      label: 'floor: node reads the index, every spec and every manifest',
      repo: 'cxo',
      argv: [node, join(FLOORS, 'read-files.mjs')],
    },
    {
      key: 'floor.cat',
      group: 'floor',
      label: "floor: `find specs -name '*.md' -exec cat {} +`",
      repo: 'cxo',
      argv: ['find', 'specs', '-name', '*.md', '-exec', 'cat', '{}', '+'],
    },
    // ours
    {
      key: 'cxo.version',
      group: 'cxo',
      label: '`cxo --version`',
      repo: 'cxo',
      argv: [node, CLI, '--version'],
      check: (o) => (/\d+\.\d+\.\d+/.test(o.stdout) ? undefined : 'no version number in stdout'),
    },
    {
      key: 'cxo.list',
      group: 'cxo',
      label: '`cxo tasks list`',
      repo: 'cxo',
      argv: [node, CLI, 'tasks', 'list'],
      check: (o) => atLeast('task ids in stdout', distinct(o.stdout, /task-\d{5}/g), size),
    },
    {
      key: 'cxo.next',
      group: 'cxo',
      label: '`cxo tasks next`',
      repo: 'cxo',
      argv: [node, CLI, 'tasks', 'next'],
      check: (o) => (/task-\d{5}/.test(o.stdout) ? undefined : 'no task id in stdout'),
    },
    {
      key: 'cxo.show',
      group: 'cxo',
      label: '`cxo tasks show <id>`',
      repo: 'cxo',
      argv: [node, CLI, 'tasks', 'show', cxoId(target.n)],
      check: (o) => (o.stdout.includes(cxoId(target.n)) ? undefined : `${cxoId(target.n)} not in stdout`),
    },
    {
      key: 'cxo.validate',
      group: 'cxo',
      label: '`cxo validate`',
      repo: 'cxo',
      argv: [node, CLI, 'validate'],
    },
    {
      key: 'cxo.guard.cold',
      group: 'cxo',
      label: '`cxo guard --no-cache` (cold)',
      repo: 'cxo',
      argv: [node, CLI, 'guard', '--no-cache', '--now', GUARD_DAY],
      check: (o) =>
        /spec guard passed/.test(o.stdout) ? undefined : `guard did not pass: ${firstLine(o.stdout)}`,
    },
    {
      key: 'cxo.guard.warm',
      group: 'cxo',
      label: '`cxo guard` (warm parse cache)',
      repo: 'cxo',
      argv: [node, CLI, 'guard', '--now', GUARD_DAY],
      check: (o) =>
        /spec guard passed/.test(o.stdout) ? undefined : `guard did not pass: ${firstLine(o.stdout)}`,
    },
    // task-master-ai
    {
      key: 'tm.version',
      group: 'taskmaster',
      label: '`task-master --version`',
      repo: 'taskmaster',
      argv: [tm, '--version'],
      check: (o) => (o.stdout.includes(PEERS.taskmaster.version) ? undefined : 'unexpected version'),
    },
    {
      key: 'tm.list',
      group: 'taskmaster',
      label: '`task-master list`',
      repo: 'taskmaster',
      argv: [tm, 'list'],
      check: (o) => atLeast('table rows', (stripAnsi(o.stdout).match(/^│ \d+ /gm) ?? []).length, size),
    },
    {
      key: 'tm.next',
      group: 'taskmaster',
      label: '`task-master next`',
      repo: 'taskmaster',
      argv: [tm, 'next'],
      check: (o) =>
        /Next Task[^#\n]*#\d+/.test(stripAnsi(o.stdout)) ? undefined : 'no "Next Task ... #id" in stdout',
    },
    {
      key: 'tm.show',
      group: 'taskmaster',
      label: '`task-master show <id>`',
      repo: 'taskmaster',
      argv: [tm, 'show', String(target.n)],
      check: (o) =>
        new RegExp(`Task: #${target.n}\\b`).test(stripAnsi(o.stdout))
          ? undefined
          : `no "Task: #${target.n}" in stdout`,
    },
    {
      key: 'tm.write',
      group: 'taskmaster',
      label: '`task-master set-status --id=<id> --status=done`',
      repo: 'taskmaster',
      argv: [tm, 'set-status', `--id=${target.n}`, '--status=done'],
      write: true,
      check: (_o, root) => {
        const data = JSON.parse(readFileSync(join(root, '.taskmaster/tasks/tasks.json'), 'utf8'));
        const t = data.master.tasks.find((x) => String(x.id) === String(target.n));
        return t?.status === 'done' ? undefined : `task ${target.n} status is ${t?.status} after the command`;
      },
    },
    // Backlog.md
    {
      key: 'bl.version',
      group: 'backlog',
      label: '`backlog --version`',
      repo: 'backlog',
      argv: [bl, '--version'],
      check: (o) => (o.stdout.includes(PEERS.backlog.version) ? undefined : 'unexpected version'),
    },
    {
      key: 'bl.list',
      group: 'backlog',
      label: '`backlog task list --plain`',
      repo: 'backlog',
      argv: [bl, 'task', 'list', '--plain'],
      check: (o) => atLeast('task ids in stdout', distinct(o.stdout, /TASK-\d+/g), size),
    },
    {
      key: 'bl.next',
      group: 'backlog',
      label: '`backlog task list --ready -s "To Do" --sort priority --limit 1 --plain` (no `next` in 1.52)',
      repo: 'backlog',
      argv: [bl, 'task', 'list', '--ready', '-s', 'To Do', '--sort', 'priority', '--limit', '1', '--plain'],
      check: (o) => (/TASK-\d+/.test(o.stdout) ? undefined : 'no task id in stdout'),
    },
    {
      key: 'bl.show',
      group: 'backlog',
      label: '`backlog task <id> --plain`',
      repo: 'backlog',
      argv: [bl, 'task', backlogId(target.n).toLowerCase(), '--plain'],
      check: (o) =>
        o.stdout.includes(`Task ${backlogId(target.n)} -`)
          ? undefined
          : `no "Task ${backlogId(target.n)} -" in stdout`,
    },
    {
      key: 'bl.write',
      group: 'backlog',
      label: '`backlog task edit <id> -s "In Progress"`',
      repo: 'backlog',
      argv: [bl, 'task', 'edit', backlogId(target.n).toLowerCase(), '-s', 'In Progress'],
      write: true,
      check: (_o, root) =>
        readFileSync(join(root, backlogFile(target)), 'utf8').includes('\nstatus: In Progress\n')
          ? undefined
          : 'task file does not say status: In Progress afterwards',
    },
  ];
}

// ---------------------------------------------------------------- status-write hook

/**
 * One task status change through the orchestrator's writer (scripts/bench/status-write.mjs, the
 * library call status write-back uses), timed as a whole process, with the lines it changed
 * according to `git diff --numstat`: O(1) in lines means the same count at every size.
 */
export function measureStatusWrite({ root, cli, taskId, env }) {
  void cli;
  const argv = [process.execPath, join(ROOT, 'scripts/bench/status-write.mjs'), taskId, 'running'];
  const r = runOnce(argv, { cwd: root, env, keepOutput: true });
  const diff = numstat(root, env);
  resetRepo(root, env);
  return {
    command: 'setTaskStatus + writeTaskIndex (status-write.mjs)',
    exit: r.exit,
    seconds: r.seconds,
    ...diff,
  };
}

// ---------------------------------------------------------------- measuring

/** Content of every file the command changed, as committed, so each run starts from the same data. */
function snapshotChanges(root) {
  const changed = dirtyFiles(root, GIT_ENV);
  return changed.map((file) => {
    let content;
    try {
      content = spawnSync('git', ['show', `HEAD:${file}`], {
        cwd: root,
        env: GIT_ENV,
        maxBuffer: 512 * 1024 * 1024,
      });
      content = content.status === 0 ? content.stdout : undefined;
    } catch {
      content = undefined;
    }
    return { file, content };
  });
}

function restore(root, snapshot) {
  for (const { file, content } of snapshot) {
    if (content === undefined) rmSync(join(root, file), { force: true });
    else writeFileSync(join(root, file), content);
  }
}

/**
 * The warm-up run of one command, which is also its verification: exit code, output check,
 * side effects, network. Returns the row (with `na` set when the command cannot be timed) and
 * the plan for its timed runs.
 */
function verify(cmd, root, { netCheck }) {
  const row = {
    key: cmd.key,
    group: cmd.group,
    label: cmd.label,
    argv: cmd.argv.map((a) => a.replace(ROOT, '.')),
    notes: [],
  };
  resetRepo(root, GIT_ENV);
  const first = runOnce(cmd.argv, { cwd: root, env: ENV, keepOutput: true });
  if (first.exit !== 0) {
    const why = first.error ?? errorLine(first.stderr);
    row.na = `exit ${first.exit ?? first.signal}, ${why || firstLine(first.stdout) || 'no output'}`;
    resetRepo(root, GIT_ENV);
    return { row };
  }
  const problem = cmd.check?.(first, root);
  if (problem) {
    row.na = `output check failed: ${problem}`;
    resetRepo(root, GIT_ENV);
    return { row };
  }
  const snapshot = snapshotChanges(root);
  if (snapshot.length) {
    if (cmd.write) row.diff = numstat(root, GIT_ENV);
    else row.notes.push(`read command wrote ${snapshot.map((s) => s.file).join(', ')}`);
    restore(root, snapshot);
  }
  if (netCheck) {
    const net = networkConnects(cmd.argv, { cwd: root, env: ENV });
    if (net.checked) row.network = net.connects;
    restore(root, snapshot);
  }
  resetRepo(root, GIT_ENV);
  row.warmup = first.seconds;
  return { row, cmd, root, snapshot, runs: first.seconds > SLOW_AFTER ? SLOW_RUNS : RUNS, samples: [] };
}

/**
 * Times the verified commands in rounds: run 1 of every command, then run 2 of every command, and
 * so on, so that a burst of load on the machine spreads over all rows instead of inflating one
 * and skewing the ratios between them.
 */
function timeInRounds(plans, size) {
  const timed = plans.filter((p) => !p.row.na);
  const rounds = Math.max(0, ...timed.map((p) => p.runs));
  for (let round = 0; round < rounds; round++) {
    for (const p of timed) {
      if (round >= p.runs) continue;
      const r = runOnce(p.cmd.argv, { cwd: p.root, env: ENV });
      if (p.snapshot.length) restore(p.root, p.snapshot);
      if (r.exit !== 0) p.row.notes.push(`run ${round + 1} exited ${r.exit ?? r.signal}`);
      else p.samples.push(r.seconds);
    }
    log(`[${size}] round ${round + 1}/${rounds} done`);
  }
  for (const p of timed) {
    resetRepo(p.root, GIT_ENV);
    if (p.samples.length === 0) {
      p.row.na = 'every timed run failed';
      continue;
    }
    Object.assign(p.row, {
      samples: p.samples,
      runs: p.samples.length,
      median: median(p.samples),
      min: Math.min(...p.samples),
      max: Math.max(...p.samples),
    });
  }
  return plans.map((p) => p.row);
}

// ---------------------------------------------------------------- report

const fmt = (s) => (s === undefined ? 'n/a' : s < 10 ? `${s.toFixed(3)} s` : `${s.toFixed(1)} s`);
const fmtX = (x) =>
  x === undefined || !Number.isFinite(x) ? 'n/a' : x < 10 ? `${x.toFixed(2)}×` : `${x.toFixed(0)}×`;
const sizeName = (n) => `${n.toLocaleString('en-US')} tasks`;

function cell(row) {
  if (!row) return 'n/a';
  if (row.na) return `n/a (${row.na.replace(/\|/g, '\\|').slice(0, 90)})`;
  return `${fmt(row.median)}${row.runs < RUNS ? ` (${row.runs} runs)` : ''}`;
}

/** Absolute targets for `cxo tasks next` / `show`, by size. */
const ABSOLUTE_TARGET = { 1000: 0.15, 10000: 0.5 };
/** The guard evaluates freshness on a fixed day, so results do not move with the calendar. */
const GUARD_DAY = '2026-11-21';

function targets(results) {
  const get = (size, key) => results[size]?.find((r) => r.key === key);
  const med = (size, key) => {
    const r = get(size, key);
    return r && !r.na ? r.median : undefined;
  };
  const rows = [];
  const judge = (values, ok) => {
    const known = values.filter((v) => v !== undefined);
    if (known.length === 0) return 'n/a';
    return known.every(ok) ? 'PASS' : 'FAIL';
  };
  // startup
  {
    const values = SIZES.map((s) =>
      med(s, 'cxo.version') && med(s, 'floor.node')
        ? med(s, 'cxo.version') / med(s, 'floor.node')
        : undefined,
    );
    rows.push({
      comparison: '`cxo --version` ÷ `node -e 0`',
      target: '≤ 1.5×',
      values: values.map(fmtX),
      raw: values,
      result: judge(values, (v) => v <= 1.5),
    });
  }
  for (const [key, name] of [
    ['cxo.next', 'next'],
    ['cxo.show', 'show'],
  ]) {
    const values = SIZES.map((s) => med(s, key));
    const limits = SIZES.map((s) => ABSOLUTE_TARGET[s]);
    const checked = values.map((v, i) => (limits[i] === undefined ? undefined : v));
    rows.push({
      comparison: `\`cxo tasks ${name}\` wall time`,
      target:
        SIZES.map((s) =>
          ABSOLUTE_TARGET[s] ? `≤ ${ABSOLUTE_TARGET[s]} s at ${s.toLocaleString('en-US')}` : undefined,
        )
          .filter(Boolean)
          .join(', ') || '—',
      values: values.map(fmt),
      raw: values,
      result: judge(
        checked.map((v, i) => (v === undefined ? undefined : v <= limits[i])),
        (ok) => ok,
      ),
    });
  }
  for (const [key, floor, factor, name] of [
    ['cxo.guard.cold', 'floor.yaml', 1.5, '`cxo guard` cold ÷ floor: parse every front matter with `yaml`'],
    ['cxo.guard.warm', 'floor.read', 2, '`cxo guard` warm ÷ floor: node reads every file'],
  ]) {
    const values = SIZES.map((s) => (med(s, key) && med(s, floor) ? med(s, key) / med(s, floor) : undefined));
    rows.push({
      comparison: name,
      target: `≤ ${factor}×`,
      values: values.map(fmtX),
      raw: values,
      result: judge(values, (v) => v <= factor),
    });
  }
  for (const [peer, factor, keys] of [
    [
      'tm',
      15,
      [
        ['list', 'tm.list'],
        ['next', 'tm.next'],
        ['show', 'tm.show'],
      ],
    ],
    [
      'bl',
      5,
      [
        ['list', 'bl.list'],
        ['next', 'bl.next'],
        ['show', 'bl.show'],
      ],
    ],
  ]) {
    for (const [name, key] of keys) {
      const values = SIZES.map((s) =>
        med(s, key) && med(s, `cxo.${name}`) ? med(s, key) / med(s, `cxo.${name}`) : undefined,
      );
      const peerLabel = peer === 'tm' ? 'task-master' : 'Backlog.md';
      const approx = key === 'bl.next' ? ' (nearest equivalent: `task list --ready …`)' : '';
      rows.push({
        comparison: `${peerLabel} ${name} ÷ \`cxo tasks ${name}\`${approx}`,
        target: `≥ ${factor}× (faster)`,
        values: values.map(fmtX),
        raw: values,
        result: judge(values, (v) => v >= factor),
      });
    }
  }
  return rows;
}

function markdown(results, targetRows, statusWrites, meta) {
  const lines = [];
  lines.push(
    `Median wall time of ${RUNS} runs after 1 warm-up (commands whose warm-up took over ${SLOW_AFTER} s: ${SLOW_RUNS} runs, marked).`,
  );
  lines.push(
    `Machine: ${meta.machine}. Node ${process.version}. task-master-ai ${PEERS.taskmaster.version}, backlog.md ${PEERS.backlog.version}.`,
  );
  const busy =
    meta.loadAtStart[0] > 0.5
      ? ' The machine was not idle when the bench started; numbers may be inflated.'
      : '';
  lines.push(
    `Load average (1/5/15 min) at start ${meta.loadAtStart.join(' / ')}, at end ${meta.loadAtEnd.join(' / ')} (the bench itself adds about 1).${busy}`,
  );
  lines.push('');
  lines.push(`| command | ${SIZES.map(sizeName).join(' | ')} |`);
  lines.push(`|---|${SIZES.map(() => '---:').join('|')}|`);
  const keys = [];
  for (const size of SIZES)
    for (const r of results[size] ?? []) if (!keys.some((k) => k.key === r.key)) keys.push(r);
  let group;
  for (const { key, label, group: g } of keys) {
    if (g !== group) {
      group = g;
      const title = {
        floor: 'floors',
        cxo: 'codex-orchestrator (`node dist/bin/cxo.js`)',
        taskmaster: `task-master-ai ${PEERS.taskmaster.version}`,
        backlog: `Backlog.md ${PEERS.backlog.version}`,
      }[g];
      lines.push(`| **${title}** | ${SIZES.map(() => '').join(' | ')} |`);
    }
    lines.push(
      `| ${label} | ${SIZES.map((s) => cell(results[s]?.find((r) => r.key === key))).join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push(`| comparison | target | ${SIZES.map(sizeName).join(' | ')} | result |`);
  lines.push(`|---|---|${SIZES.map(() => '---:').join('|')}|---|`);
  for (const t of targetRows)
    lines.push(`| ${t.comparison} | ${t.target} | ${t.values.join(' | ')} | **${t.result}** |`);
  lines.push('');
  lines.push(`| one status change: \`git diff --numstat\` | ${SIZES.map(sizeName).join(' | ')} |`);
  lines.push(`|---|${SIZES.map(() => '---:').join('|')}|`);
  for (const w of statusWrites) lines.push(`| ${w.label} | ${w.values.join(' | ')} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

const unavailable = ensurePeers();
const cpuList = cpus();
const meta = {
  machine: `${platform()} ${release()}, ${cpuList.length} × ${cpuList[0]?.model?.trim() ?? 'cpu'}`,
  node: process.version,
  cxoVersion: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
  cliBuilt: existsSync(CLI),
  loadAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};
if (!meta.cliBuilt) log(`note: ${CLI} does not exist yet (run \`npm run build\`); cxo rows will be n/a`);

const results = {};
const notes = [];
const writeBack = {};
const WITH_WRITE_BACK = meta.cliBuilt && (!ONLY || ONLY.test('write-back'));
const watch = {};
const WITH_WATCH = meta.cliBuilt && (!ONLY || ONLY.test('watch'));
const statusWrites = [
  { label: '`cxo` status write (setTaskStatus, whole process)', values: [], raw: [] },
  { label: '`task-master set-status`', values: [], raw: [] },
  { label: '`backlog task edit -s`', values: [], raw: [] },
];
for (const [i, size] of SIZES.entries()) {
  const model = buildModel(size, 20261101 + size);
  const roots = {};
  for (const kind of ['cxo', 'taskmaster', 'backlog']) {
    if (kind !== 'cxo' && unavailable[kind]) continue;
    const t0 = process.hrtime.bigint();
    const { root, generated } = ensureDataSet(CACHE, kind, size);
    roots[kind] = root;
    if (generated)
      log(
        `[${size}] generated ${kind} data set in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`,
      );
  }
  const plans = [];
  for (const cmd of commandsFor(size, model)) {
    if (ONLY && !ONLY.test(cmd.key)) continue;
    if (unavailable[cmd.group]) {
      plans.push({
        row: { key: cmd.key, group: cmd.group, label: cmd.label, na: unavailable[cmd.group], notes: [] },
      });
      continue;
    }
    // network behaviour does not depend on size: check it once, at the first size
    const netCheck = NET_CHECK && i === 0 && cmd.group !== 'floor';
    const plan = verify(cmd, roots[cmd.repo], { netCheck });
    plans.push(plan);
    const row = plan.row;
    const extra = [row.network?.length ? `NETWORK: ${row.network.join(', ')}` : '', ...row.notes]
      .filter(Boolean)
      .join('; ');
    log(
      `[${size}] verified ${cmd.key.padEnd(13)} ${row.na ? `n/a (${row.na})` : `ok, warm-up ${fmt(row.warmup)}, ${plan.runs} runs to go`}${extra ? `  (${extra})` : ''}`,
    );
  }
  results[size] = timeInRounds(plans, size);
  for (const row of results[size]) {
    if (!row.na) log(`[${size}] ${row.key.padEnd(13)} ${fmt(row.median)} median of ${row.runs}`);
  }
  // status-write diff sizes
  const target = targetTask(model);
  const writes = meta.cliBuilt
    ? Array.from({ length: RUNS }, () =>
        measureStatusWrite({ root: roots.cxo, size, cli: CLI, taskId: cxoId(target.n), env: ENV }),
      )
    : [];
  const ours = writes.length ? { ...writes[0], seconds: median(writes.map((w) => w.seconds)) } : undefined;
  statusWrites[0].raw.push(ours ?? null);
  statusWrites[0].values.push(
    ours
      ? `+${ours.added} −${ours.removed} lines, ${fmt(ours.seconds)}${ours.exit ? ` (exit ${ours.exit})` : ''}`
      : 'n/a',
  );
  for (const [w, key] of [
    [statusWrites[1], 'tm.write'],
    [statusWrites[2], 'bl.write'],
  ]) {
    const row = results[size].find((r) => r.key === key);
    w.raw.push(row?.diff ?? null);
    w.values.push(row?.diff ? `+${row.diff.added} −${row.diff.removed} lines` : 'n/a');
  }
  if (WITH_WRITE_BACK) {
    const t0 = process.hrtime.bigint();
    writeBack[size] = measureWriteBack({
      cache: CACHE,
      size,
      model,
      roots,
      env: ENV,
      bins: { taskmaster: peerBin('taskmaster'), backlog: peerBin('backlog') },
      unavailable,
      runs: WRITE_BACK_RUNS,
      peerRuns: RUNS,
      slowRuns: SLOW_RUNS,
      slowAfter: SLOW_AFTER,
      log,
    });
    log(`[${size}] write-back section took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  }
  if (WITH_WATCH) {
    const t0 = process.hrtime.bigint();
    watch[size] = await measureWatch({
      cache: CACHE,
      cli: CLI,
      size,
      root: roots.cxo,
      env: ENV,
      edits: WATCH_EDITS,
      idleSeconds: WATCH_IDLE_SECONDS,
      log,
    });
    if (watch[size].error) log(`[${size}] watch: failed: ${watch[size].error}`);
    log(`[${size}] watch section took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  }
}
const watchFloor = WITH_WATCH ? await nodeRssFloor(ENV) : undefined;
const WITH_IMPORT = meta.cliBuilt && (!ONLY || ONLY.test('import'));
const importResult = WITH_IMPORT
  ? measureImport({
      cache: CACHE,
      cli: CLI,
      env: ENV,
      runs: RUNS,
      taskmasterBin: peerBin('taskmaster'),
      taskmasterUnavailable: unavailable.taskmaster,
      log,
    })
  : undefined;

if (results[SIZES[0]]?.some((r) => r.key === 'bl.next'))
  notes.push(
    'Backlog.md 1.52 has no `next` command; its row uses the nearest equivalent, `task list --ready -s "To Do" --sort priority --limit 1 --plain`.',
  );
notes.push(
  'task-master runs with TASKMASTER_SKIP_AUTO_UPDATE=1: without it every command first asks registry.npmjs.org for a newer version (cached for an hour in the OS temp dir).',
);
for (const size of SIZES) {
  for (const r of results[size]) {
    if (r.network?.length)
      notes.push(`${r.label} connected to ${r.network.join(', ')} (strace, at ${sizeName(size)}).`);
    for (const n of r.notes) notes.push(`${r.label} at ${sizeName(size)}: ${n}.`);
  }
}
const netChecked = SIZES.length && NET_CHECK && results[SIZES[0]].some((r) => r.network);
if (netChecked && !results[SIZES[0]].some((r) => r.network?.length))
  notes.push(
    `No measured command opened a network connection (strace -e trace=connect, at ${sizeName(SIZES[0])}).`,
  );

meta.loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
const targetRows = targets(results);
const runOverhead =
  meta.cliBuilt && (!ONLY || ONLY.test('cxo.run'))
    ? measureRunOverhead({ cache: CACHE, cli: CLI, env: ENV, runs: RUNS })
    : undefined;
const WITH_STATE = meta.cliBuilt && (!ONLY || ONLY.test('state'));
let stateResult;
if (WITH_STATE) {
  const t0 = process.hrtime.bigint();
  stateResult = measureStateRef({
    cache: CACHE,
    cli: CLI,
    env: ENV,
    runs: RUNS,
    growthRuns: STATE_RUNS,
    tasks: STATE_TASKS,
    log,
  });
  log(`[state] section took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
}
let table = markdown(results, targetRows, statusWrites, meta);
const writeBackRows = WITH_WRITE_BACK ? writeBackTargets(writeBack, SIZES, { fmt, fmtX }) : [];
if (WITH_WRITE_BACK)
  table += `\n\n${writeBackMarkdown(writeBack, SIZES, writeBackRows, { fmt, fmtX, sizeName })}`;
const watchRows = WITH_WATCH ? watchTargets(watch, SIZES, { fmt }) : [];
if (WITH_WATCH) table += `\n\n${watchMarkdown(watch, SIZES, watchRows, watchFloor, { fmt, sizeName })}`;
if (importResult) table += `\n\n${importMarkdown(importResult, { fmt, fmtX })}`;
const stateRows = stateResult ? stateTargets(stateResult, { fmt, fmtX }) : [];
if (stateResult) table += `\n\n${stateMarkdown(stateResult, stateRows, { fmt, fmtX })}`;
if (runOverhead) {
  table += runOverhead.error
    ? `\n\nrun overhead: n/a (${runOverhead.error})`
    : `\n\n| one run: no-op builder, one trivial acceptance command | median of ${runOverhead.runs} | target | result |\n|---|---:|---|---|\n| floor: \`git worktree add\` + \`git worktree remove\` | ${fmt(runOverhead.floor)} | | |\n| \`cxo run\` (worktree, manifest, hashing, commit, cleanup) | ${fmt(runOverhead.ours)} | ≤ 0.5 s | **${runOverhead.ours <= 0.5 ? 'PASS' : 'FAIL'}** |`;
}
const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`\n${table}\n`);
for (const n of notes) console.log(`- ${n}`);
console.log(
  `\nbench took ${(totalSeconds / 60).toFixed(1)} min; results in ${RESULTS_FILE.replace(`${ROOT}/`, '')}`,
);

const json = {
  generatedAt: new Date().toISOString(),
  generatorVersion: GENERATOR_VERSION,
  meta,
  peers: Object.fromEntries(
    Object.entries(PEERS).map(([k, p]) => [
      k,
      { package: p.pkg, version: p.version, unavailable: unavailable[k] },
    ]),
  ),
  settings: {
    sizes: SIZES,
    runs: RUNS,
    slowRuns: SLOW_RUNS,
    slowAfterSeconds: SLOW_AFTER,
    netCheck: NET_CHECK,
  },
  table: {
    columns: ['command', ...SIZES.map(sizeName)],
    rows: [...new Map(SIZES.flatMap((s) => results[s]).map((r) => [r.key, r])).values()].map((r) => ({
      key: r.key,
      group: r.group,
      command: r.label,
      ...Object.fromEntries(SIZES.map((s) => [sizeName(s), cell(results[s]?.find((x) => x.key === r.key))])),
    })),
  },
  targets: targetRows.map((t) => ({ ...t, sizes: SIZES })),
  statusWrites: statusWrites.map((w) => ({ label: w.label, sizes: SIZES, values: w.values, raw: w.raw })),
  results,
  notes,
  runOverhead: runOverhead ?? null,
  writeBack: WITH_WRITE_BACK ? { sizes: writeBack, targets: writeBackRows } : null,
  watch: WITH_WATCH ? { sizes: watch, targets: watchRows, nodeRssFloor: watchFloor ?? null } : null,
  import: importResult ?? null,
  state: stateResult ? { ...stateResult, targets: stateRows } : null,
  markdown: table,
  totalSeconds,
};
writeFileSync(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
