// The in-process half of the status write-back bench, run as its own process by write-back.mjs so
// it gets the bench's isolated environment. In scratch copies of a generated cxo repository it
// times `commitTaskStatus` (what `cxo run` calls at each phase change), with and without a run's
// evidence directory, and right after a person committed the index, beside git's own commit of
// the same one-line change, in rounds; then times the pieces of one write. Prints JSON on stdout.
//
// Usage: node scripts/bench/write-back-cxo.mjs '{"dirs":{"status":…,"evidence":…,"cold":…,"floor":…},
//          "taskId":"task-00500","otherTaskId":"task-00501","runs":15,"warmups":3,"breakdownRuns":5}'

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commitTaskStatus, decodeSource, parseTaskIndex } from '../../dist/index.js';
import { elapsed, gitPieces, stats, timedCall } from './library-timing.mjs';
import { git, median, runOnce } from './measure.mjs';

const INDEX = 'codex.tasks.json';
/** Every call flips between these, so each one is a real change. */
const PHASES = ['running', 'review'];

const { dirs, taskId, otherTaskId, runs, warmups, breakdownRuns } = JSON.parse(process.argv[2]);
const notes = [];
const head = (root) => git(root, ['rev-parse', 'HEAD']).trim();
const isClean = (root) => git(root, ['status', '--porcelain', '--untracked-files=all']).trim() === '';

/** One commitTaskStatus call, timed alone; anything but a clean first-attempt commit is a note. */
async function timedWrite(root, options) {
  const before = head(root);
  const { value: result, seconds } = await timedCall(() =>
    commitTaskStatus({ root, indexFile: INDEX, taskId, ...options }),
  );
  if (result.commit === before) notes.push(`${options.runId}: nothing was committed`);
  if (result.attempts !== 1) notes.push(`${options.runId}: ${result.attempts} compare-and-swap attempts`);
  if (result.conflict) notes.push(`${options.runId}: conflict on ${result.conflict.field}`);
  return seconds;
}

function statusOnly(k) {
  const status = { phase: PHASES[k % 2], updatedAt: new Date().toISOString() };
  return timedWrite(dirs.status, { status, runId: `bench-${k}` });
}

/** The files a finished run leaves in `.runs/<task>/<run>/`, small and unique to the run. */
function writeEvidence(root, dir, runId) {
  const files = {
    'manifest.json': `${JSON.stringify(
      {
        version: 1,
        run: { id: runId, startedAt: new Date().toISOString() },
        task: { id: taskId },
        roles: { builder: 'command:true', manager: 'none' },
        commands: [{ name: 'acceptance-1', argv: ['npm', 'test'], exit: 0 }],
        diff: { artifact: 'diff.patch', files: 1, added: 3, removed: 1 },
        result: { status: 'succeeded' },
      },
      null,
      2,
    )}\n`,
    'runner.log': Array.from(
      { length: 12 },
      (_, i) => `${JSON.stringify({ at: new Date().toISOString(), run: runId, event: `step-${i}` })}\n`,
    ).join(''),
    'diff.patch': `diff --git a/src/auth/index.ts b/src/auth/index.ts\n--- a/src/auth/index.ts\n+++ b/src/auth/index.ts\n@@ -1 +1,3 @@\n-export const area = 'auth';\n+// ${runId}\n+export const area = 'auth';\n+export const retries = 3;\n`,
    'commands/acceptance-1.stdout.log': `> bench-project@ test\n> true\n\n${runId}: 1 passed\n`,
    'commands/acceptance-1.stderr.log': '',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, dir, name)), { recursive: true });
    writeFileSync(join(root, dir, name), text);
  }
}

/** The real end-of-run write: status with lastRun, the manifest named in the trailers, the run dir committed. */
function withEvidence(k) {
  const runId = `bench-${k}`;
  const dir = `.runs/${taskId}/${runId}`;
  writeEvidence(dirs.evidence, dir, runId);
  const manifest = `${dir}/manifest.json`;
  const status = {
    phase: PHASES[k % 2],
    lastRun: { id: runId, manifest, result: 'succeeded' },
    updatedAt: new Date().toISOString(),
  };
  return timedWrite(dirs.evidence, { status, runId, manifest, extraFiles: [dir] });
}

/** A person's edit of a task's phase value, in the text (not timed). */
function editPhase(root, id, phase) {
  const path = join(root, INDEX);
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`"id": "${id}"`);
  const end = text.indexOf('\n    }', start);
  const at = start < 0 ? -1 : text.indexOf('"phase": "', start);
  if (at < 0 || at > end) throw new Error(`${id} has no status phase in ${INDEX}`);
  const from = at + '"phase": "'.length;
  const to = text.indexOf('"', from);
  writeFileSync(path, `${text.slice(0, from)}${phase}${text.slice(to)}`);
}

/** A person's commit of a phase edit, as they would type it; returns its wall time. */
function personCommit(root, id, phase) {
  editPhase(root, id, phase);
  const r = runOnce(['git', 'commit', '-q', '-m', 'x', INDEX], { cwd: root, env: process.env });
  if (r.exit !== 0) throw new Error(`git commit exited ${r.exit ?? r.signal} in ${root}`);
  return r.seconds;
}

/** The floor: git's own commit of the same one-line change (only the commit is timed). */
const gitCommit = (k) => personCommit(dirs.floor, taskId, PHASES[k % 2]);

/**
 * The first write-back after a person committed the index (here: another task's phase), so the
 * library meets a blob it has not seen and must check the whole file before editing it.
 */
function afterPersonCommit(k) {
  personCommit(dirs.cold, otherTaskId, PHASES[k % 2]);
  const status = { phase: PHASES[k % 2], updatedAt: new Date().toISOString() };
  return timedWrite(dirs.cold, { status, runId: `bench-${k}` });
}

// ---------------------------------------------------------------- timed rounds

const series = { status: [], evidence: [], cold: [], floor: [] };
for (let k = 0; k < warmups + runs; k++) {
  // one of each per round, so load on the machine hits them alike
  const s = await statusOnly(k);
  const e = await withEvidence(k);
  const c = await afterPersonCommit(k);
  const f = gitCommit(k);
  if (k === warmups - 1 || k === warmups + runs - 1) {
    for (const [name, root] of Object.entries(dirs))
      if (!isClean(root)) notes.push(`${name} copy: git status not clean after round ${k + 1}`);
  }
  if (k < warmups) continue;
  series.status.push(s);
  series.evidence.push(e);
  series.cold.push(c);
  series.floor.push(f);
}

// ---------------------------------------------------------------- where the time goes

/** For scale: one full parse of the index, the check a blob the library has not seen needs. */
function fullParse(count) {
  const bytes = readFileSync(join(dirs.status, INDEX));
  const parse = [];
  for (let k = 0; k < count; k++) {
    const t0 = process.hrtime.bigint();
    parseTaskIndex(decodeSource(INDEX, bytes).source, 'full');
    parse.push(elapsed(t0));
  }
  return median(parse);
}

const pieces =
  breakdownRuns > 0
    ? {
        status: await gitPieces(breakdownRuns, (k) => statusOnly(warmups + runs + k)),
        evidence: await gitPieces(breakdownRuns, (k) => withEvidence(warmups + runs + k)),
        parse: fullParse(breakdownRuns),
      }
    : undefined;
process.stdout.write(
  `${JSON.stringify({
    status: stats(series.status),
    evidence: stats(series.evidence),
    cold: stats(series.cold),
    floor: stats(series.floor),
    breakdown: pieces,
    indexBytes: readFileSync(join(dirs.status, INDEX)).length,
    notes: [...new Set(notes)],
  })}\n`,
);
