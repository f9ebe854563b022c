// The in-process half of the state ref bench, run as its own process by state-ref.mjs so it gets
// the bench's isolated environment. Times one status write on the state ref through the library
// (`writeStatus` on `StateRef.open`, the compare-and-swap update `cxo run` makes at each phase
// change in ref mode), local (no remote, so no fetch or push), on an empty state ref and on the
// bench's 100,000-run one, in rounds; then counts and times the git processes of a few more writes.
// Prints JSON on stdout.
//
// Usage: node scripts/bench/state-ref-write.mjs '{"dirs":{"empty":…,"full":…},"taskId":"task-05000",
//          "runs":15,"warmups":3,"breakdownRuns":5}'

import { defaultConfig, StateRef, writeStatus } from '../../dist/index.js';
import { gitPieces, stats, timedCall } from './library-timing.mjs';

/** Every write flips between these, so each one is a real change. */
const PHASES = ['running', 'review'];

const { dirs, taskId, runs, warmups, breakdownRuns } = JSON.parse(process.argv[2]);
const defaults = defaultConfig();
const config = { ...defaults, gitops: { ...defaults.gitops, state: 'ref' } };
const notes = [];
/** One status write, timed alone (opening the state ref included); anything but one clean swap is a note. */
async function timedWrite(name, k) {
  const root = dirs[name];
  const status = { phase: PHASES[k % 2], updatedAt: new Date().toISOString() };
  const {
    value: { state, update },
    seconds,
  } = await timedCall(async () => {
    const state = StateRef.open(root, config);
    return { state, update: await writeStatus(state, taskId, status) };
  });
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

const breakdown =
  breakdownRuns > 0
    ? {
        empty: await gitPieces(breakdownRuns, (k) => timedWrite('empty', warmups + runs + k)),
        full: await gitPieces(breakdownRuns, (k) => timedWrite('full', warmups + runs + k)),
      }
    : undefined;
process.stdout.write(
  `${JSON.stringify({
    empty: stats(series.empty),
    full: stats(series.full),
    breakdown,
    notes: [...new Set(notes)],
  })}\n`,
);
