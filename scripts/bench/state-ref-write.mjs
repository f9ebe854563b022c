// The in-process half of the state ref bench, run as its own process by state-ref.mjs so it gets
// the bench's isolated environment. Times one status write on the state ref through the library
// (`writeStatus` on `StateRef.open`, the compare-and-swap update `cxo run` makes at each phase
// change in ref mode), local (no remote, so no fetch or push), on an empty state ref and on the
// bench's 100,000-run one, in rounds; then counts and times the git processes of a few more writes.
// Prints JSON on stdout.
//
// Usage: node scripts/bench/state-ref-write.mjs '{"dirs":{"empty":…,"full":…},"taskId":"task-05000",
//          "runs":15,"warmups":3,"breakdownRuns":5}'

import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { defaultConfig, StateRef, writeStatus } from '../../dist/index.js';
import { median } from './measure.mjs';

/** Every write flips between these, so each one is a real change. */
const PHASES = ['running', 'review'];

const { dirs, taskId, runs, warmups, breakdownRuns } = JSON.parse(process.argv[2]);
const defaults = defaultConfig();
const config = { ...defaults, gitops: { ...defaults.gitops, state: 'ref' } };
const notes = [];
let inWrite = false;

const elapsed = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples,
    runs: samples.length,
    median: median(samples),
    p90: sorted[Math.ceil(0.9 * sorted.length) - 1],
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** One status write, timed alone (opening the state ref included); anything but one clean swap is a note. */
async function timedWrite(name, k) {
  const root = dirs[name];
  const status = { phase: PHASES[k % 2], updatedAt: new Date().toISOString() };
  inWrite = true;
  const t0 = process.hrtime.bigint();
  const state = StateRef.open(root, config);
  const update = await writeStatus(state, taskId, status);
  const seconds = elapsed(t0);
  inWrite = false;
  if (state.shared) notes.push(`${name}: the state ref is shared (a remote exists): the write pushed`);
  if (!update.changed) notes.push(`${name} write ${k}: nothing was committed`);
  if (update.attempts !== 1) notes.push(`${name} write ${k}: ${update.attempts} compare-and-swap attempts`);
  return seconds;
}

const series = { empty: [], full: [] };
for (let k = 0; k < warmups + runs; k++) {
  for (const name of Object.keys(series)) {
    const s = await timedWrite(name, k);
    if (k >= warmups) series[name].push(s);
  }
}

/** Which git command an argv runs, past any `-c name=value`. */
function gitCommand(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return '?';
}

/** Times every git process the library starts during `count` more writes (spawnSync wrapped). */
async function gitPieces(name, count) {
  const original = childProcess.spawnSync;
  let spawned = [];
  childProcess.spawnSync = (cmd, args, options) => {
    const t0 = process.hrtime.bigint();
    const r = original(cmd, args, options);
    if (inWrite && cmd === 'git') spawned.push([gitCommand(args), elapsed(t0)]);
    return r;
  };
  syncBuiltinESMExports();
  const calls = [];
  try {
    for (let k = 0; k < count; k++) {
      spawned = [];
      const total = await timedWrite(name, warmups + runs + k);
      calls.push({ total, spawned });
    }
  } finally {
    childProcess.spawnSync = original;
    syncBuiltinESMExports();
  }
  if (calls.some((c) => c.spawned.length === 0)) return { error: 'the wrapper saw no git process' };
  const byCommand = {};
  for (const cmd of new Set(calls.flatMap((c) => c.spawned.map(([n]) => n)))) {
    const per = calls.map((c) => c.spawned.filter(([n]) => n === cmd));
    byCommand[cmd] = {
      count: median(per.map((p) => p.length)),
      seconds: median(per.map((p) => p.reduce((s, [, t]) => s + t, 0))),
    };
  }
  return {
    runs: count,
    total: median(calls.map((c) => c.total)),
    git: median(calls.map((c) => c.spawned.reduce((s, [, t]) => s + t, 0))),
    gitProcesses: median(calls.map((c) => c.spawned.length)),
    byCommand,
  };
}

const breakdown =
  breakdownRuns > 0
    ? { empty: await gitPieces('empty', breakdownRuns), full: await gitPieces('full', breakdownRuns) }
    : undefined;
process.stdout.write(
  `${JSON.stringify({
    empty: stats(series.empty),
    full: stats(series.full),
    breakdown,
    notes: [...new Set(notes)],
  })}\n`,
);
