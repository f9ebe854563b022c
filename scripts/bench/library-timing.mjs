// Timing helpers of the in-process bench workers (write-back-cxo.mjs, state-ref-write.mjs): a
// library call timed alone, sample statistics, and the git processes a library call starts.

import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { median } from './measure.mjs';

/** Seconds since `t0` (a `process.hrtime.bigint()`). */
export const elapsed = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

export function stats(samples) {
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

/** Set only around the library call, so the breakdown sees the library's git processes alone. */
let inCall = false;

/** Runs the library call `fn`, timed alone: `{ value, seconds }`. */
export async function timedCall(fn) {
  inCall = true;
  const t0 = process.hrtime.bigint();
  try {
    const value = await fn();
    return { value, seconds: elapsed(t0) };
  } finally {
    inCall = false;
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

/**
 * Times every git process the library spawns inside `timedCall` during `count` calls of `write`
 * (k = 0…count-1, returning its seconds), by wrapping child_process.spawnSync
 * (syncBuiltinESMExports carries the wrapper into the library's `import { spawnSync }`).
 */
export async function gitPieces(count, write) {
  const original = childProcess.spawnSync;
  let spawned = [];
  childProcess.spawnSync = (cmd, args, options) => {
    const t0 = process.hrtime.bigint();
    const r = original(cmd, args, options);
    if (inCall && cmd === 'git') spawned.push([gitCommand(args), elapsed(t0)]);
    return r;
  };
  syncBuiltinESMExports();
  const calls = [];
  try {
    for (let k = 0; k < count; k++) {
      spawned = [];
      const total = await write(k);
      calls.push({ total, spawned });
    }
  } finally {
    childProcess.spawnSync = original;
    syncBuiltinESMExports();
  }
  if (calls.some((c) => c.spawned.length === 0)) return { error: 'the wrapper saw no git process' };
  const byCommand = {};
  for (const name of new Set(calls.flatMap((c) => c.spawned.map(([n]) => n)))) {
    const per = calls.map((c) => c.spawned.filter(([n]) => n === name));
    byCommand[name] = {
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
