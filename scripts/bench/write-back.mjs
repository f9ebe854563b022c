// Status write-back latency at one size: cxo's in-process `commitTaskStatus` and git's own commit
// of the same change (write-back-cxo.mjs, in its own process), and the peers' status changes as
// whole processes, each in a scratch copy of the generated repository so the cache stays as
// generated. Also renders the section's tables and judges its targets.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backlogFile, backlogId, cxoId } from './generate.mjs';
import { errorLine, firstLine, git, median, runOnce, runWorker, scratchCopy } from './measure.mjs';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'write-back-cxo.mjs');
const WARMUPS = 3;
const BREAKDOWN_RUNS = 5;
/** Targets from the issue: at most this much beyond git's own commit, and this ratio across sizes. */
export const WRITE_BACK_TARGET = { overhead: 0.1, ratio: 1.5 };

/** The task every tool changes: the middle of the list (a done task, so it has a status block). */
export const writeBackTask = (model) => model.tasks[Math.floor((model.tasks.length - 1) / 2)];

function measureCxo({ root, scratch, taskId, otherTaskId, env, runs }) {
  const dirs = Object.fromEntries(
    ['status', 'evidence', 'cold', 'floor'].map((name) => [
      name,
      scratchCopy(root, join(scratch, `cxo-${name}`), env),
    ]),
  );
  const args = { dirs, taskId, otherTaskId, runs, warmups: WARMUPS, breakdownRuns: BREAKDOWN_RUNS };
  return runWorker(WORKER, args, env);
}

// ---------------------------------------------------------------- peers

/** Each call flips the task between two statuses, so every one is a real change. */
function peerWrites(bins, t) {
  const tmStatus = (root) => {
    const data = JSON.parse(readFileSync(join(root, '.taskmaster/tasks/tasks.json'), 'utf8'));
    return data.master.tasks.find((x) => String(x.id) === String(t.n))?.status;
  };
  const blHas = (root, status) =>
    readFileSync(join(root, backlogFile(t)), 'utf8').includes(`\nstatus: ${status}\n`);
  const backlog = {
    peer: 'backlog',
    statuses: ['In Progress', 'To Do'],
    argv: (status) => [bins.backlog, 'task', 'edit', backlogId(t.n).toLowerCase(), '-s', status],
    check: (root, status) => (blHas(root, status) ? undefined : `task file does not say status: ${status}`),
  };
  return [
    {
      key: 'tm',
      peer: 'taskmaster',
      label: '`task-master set-status --id=<id> --status=…`',
      statuses: ['in-progress', 'review'],
      argv: (status) => [bins.taskmaster, 'set-status', `--id=${t.n}`, `--status=${status}`],
      check: (root, status) =>
        tmStatus(root) === status ? undefined : `task ${t.n} status is ${tmStatus(root)} afterwards`,
    },
    { key: 'bl', label: '`backlog task edit <id> -s …`', ...backlog },
    {
      key: 'bl.commit',
      label: '`backlog task edit <id> -s …`, `auto_commit: true`',
      autoCommit: true,
      ...backlog,
    },
  ];
}

/** Reads `auto_commit` from the generated Backlog.md config. */
function backlogAutoCommit(root) {
  const m = /^auto_commit:\s*(\S+)/m.exec(readFileSync(join(root, 'backlog/config.yml'), 'utf8'));
  return m?.[1] ?? 'unset';
}

function measurePeers({ roots, scratch, t, env, bins, unavailable, runs, slowRuns, slowAfter }) {
  const plans = [];
  for (const w of peerWrites(bins, t)) {
    const row = { key: w.key, label: w.label };
    plans.push({ row, w });
    if (unavailable[w.peer] || !roots[w.peer]) {
      row.na = unavailable[w.peer] ?? 'no data set';
      continue;
    }
    const root = scratchCopy(roots[w.peer], join(scratch, w.key), env);
    if (w.autoCommit) {
      const config = join(root, 'backlog/config.yml');
      writeFileSync(config, readFileSync(config, 'utf8').replace(/^auto_commit:.*$/m, 'auto_commit: true'));
      git(root, ['commit', '-qm', 'bench: auto_commit', '--', 'backlog/config.yml'], env);
    }
    // the warm-up is also the check: exit 0, the new status on disk, and whether it committed
    const before = git(root, ['rev-parse', 'HEAD'], env).trim();
    const first = runOnce(w.argv(w.statuses[0]), { cwd: root, env, keepOutput: true });
    const problem =
      first.exit !== 0
        ? `exit ${first.exit ?? first.signal}, ${first.error ?? (errorLine(first.stderr) || firstLine(first.stdout))}`
        : w.check(root, w.statuses[0]);
    if (problem) {
      row.na = problem;
      continue;
    }
    row.commits = git(root, ['rev-parse', 'HEAD'], env).trim() !== before;
    row.warmup = first.seconds;
    Object.assign(plans.at(-1), { root, runs: first.seconds > slowAfter ? slowRuns : runs, samples: [] });
  }
  const timed = plans.filter((p) => !p.row.na);
  for (let round = 0; round < Math.max(0, ...timed.map((p) => p.runs)); round++) {
    for (const p of timed) {
      if (round >= p.runs) continue;
      const r = runOnce(p.w.argv(p.w.statuses[(round + 1) % 2]), { cwd: p.root, env });
      if (r.exit === 0) p.samples.push(r.seconds);
    }
  }
  for (const p of timed) {
    if (p.samples.length === 0) p.row.na = 'every timed run failed';
    else Object.assign(p.row, { samples: p.samples, runs: p.samples.length, median: median(p.samples) });
  }
  return Object.fromEntries(plans.map((p) => [p.row.key, p.row]));
}

// ---------------------------------------------------------------- one size

/**
 * Everything the section measures at one size. `roots` are the generated repositories,
 * `unavailable` the peers that could not be installed (as run.mjs reports them).
 */
export function measureWriteBack({
  cache,
  size,
  model,
  roots,
  env,
  bins,
  unavailable,
  runs,
  peerRuns,
  slowRuns,
  slowAfter,
  log = () => {},
}) {
  const t = writeBackTask(model);
  const scratch = mkdtempSync(join(cache, `write-back-${size}-`));
  let t0 = process.hrtime.bigint();
  const took = () => {
    const s = (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
    t0 = process.hrtime.bigint();
    return `${s} s`;
  };
  try {
    const ids = { taskId: cxoId(t.n), otherTaskId: cxoId(t.n + 1) };
    const cxo = measureCxo({ root: roots.cxo, scratch, ...ids, env, runs });
    log(
      `[${size}] write-back: cxo and git commit floor ${cxo.error ? `failed (${cxo.error})` : 'done'}, ${took()}`,
    );
    const peers = measurePeers({
      roots,
      scratch,
      t,
      env,
      bins,
      unavailable,
      runs: peerRuns,
      slowRuns,
      slowAfter,
    });
    log(`[${size}] write-back: peers done, ${took()}`);
    return {
      size,
      taskId: cxoId(t.n),
      task: t.n,
      backlogAutoCommit: roots.backlog ? backlogAutoCommit(roots.backlog) : undefined,
      peerRuns,
      slowRuns,
      slowAfter,
      cxo,
      peers,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    log(`[${size}] write-back: scratch copies removed, ${took()}`);
  }
}

// ---------------------------------------------------------------- report

/** The cxo series, as labelled in the tables. */
const SERIES = [
  ['status', 'status only'],
  ['evidence', 'with evidence'],
  ['cold', "first after a person's commit of the index"],
];

const overheadOf = (r, series) =>
  r?.cxo?.[series] && r.cxo.floor ? r.cxo[series].median - r.cxo.floor.median : undefined;
const sizeLabel = (n) => n.toLocaleString('en-US');

/** PASS/FAIL rows: overhead beyond git's commit at each size, and the latency ratio across sizes. */
export function writeBackTargets(bySize, sizes, { fmt, fmtX }) {
  const rows = [];
  const judge = (values, ok) => {
    const known = values.filter((v) => v !== undefined);
    if (known.length === 0) return 'n/a';
    return known.every(ok) ? 'PASS' : 'FAIL';
  };
  const [small, large] = [sizes[0], sizes.at(-1)];
  for (const [series, name] of SERIES) {
    const overheads = sizes.map((s) => overheadOf(bySize[s], series));
    rows.push({
      comparison: `cxo write-back (${name}) − \`git commit\``,
      target: `≤ ${WRITE_BACK_TARGET.overhead} s`,
      values: overheads.map(fmt),
      raw: overheads,
      result: judge(overheads, (v) => v <= WRITE_BACK_TARGET.overhead),
    });
    if (sizes.length < 2) continue;
    const a = bySize[small]?.cxo?.[series]?.median;
    const b = bySize[large]?.cxo?.[series]?.median;
    const ratio = a && b ? b / a : undefined;
    const last = (v) => sizes.map((_, i) => (i === sizes.length - 1 ? v : undefined));
    rows.push({
      comparison: `cxo write-back (${name}), ${sizeLabel(large)} ÷ ${sizeLabel(small)} tasks`,
      target: `≤ ${WRITE_BACK_TARGET.ratio}×`,
      values: last(fmtX(ratio)).map((v) => v ?? '—'),
      raw: last(ratio),
      result: judge([ratio], (v) => v <= WRITE_BACK_TARGET.ratio),
    });
  }
  return rows;
}

/** The section's tables and notes, in the style of run.mjs's report. */
export function writeBackMarkdown(bySize, sizes, targetRows, { fmt, fmtX, sizeName }) {
  const first = bySize[sizes[0]];
  const [small, large] = [sizes[0], sizes.at(-1)];
  const both = sizes.length > 1;
  const lines = [];
  const row = (label, cellOf, valueOf) => {
    const a = valueOf(bySize[small]);
    const b = valueOf(bySize[large]);
    const ratio = both ? ` ${a > 0 && b !== undefined ? fmtX(b / a) : 'n/a'} |` : '';
    lines.push(`| ${label} | ${sizes.map((s) => cellOf(bySize[s])).join(' | ')} |${ratio}`);
  };
  const cxoCell = (r, series) => {
    if (r?.cxo?.error) return `n/a (${r.cxo.error.replace(/\|/g, '\\|').slice(0, 90)})`;
    const t = r?.cxo?.[series];
    return t ? `${fmt(t.median)} (p90 ${fmt(t.p90)})` : 'n/a';
  };
  const peerCell = (r, key) => {
    const p = r?.peers?.[key];
    if (!p) return 'n/a';
    if (p.na) return `n/a (${p.na.replace(/\|/g, '\\|').slice(0, 90)})`;
    const cxo = r.cxo?.status?.median;
    return `${fmt(p.median)}${p.runs < r.peerRuns ? ` (${p.runs} runs)` : ''}${cxo ? `, ${fmtX(p.median / cxo)} cxo` : ''}`;
  };
  const commits = (key) => {
    const known = sizes.map((s) => bySize[s]?.peers?.[key]?.commits).filter((c) => c !== undefined);
    if (known.length === 0) return '';
    return known.every(Boolean)
      ? '; commits'
      : known.some(Boolean)
        ? '; commits at some sizes'
        : '; no commit';
  };

  lines.push(
    `| status write-back: one phase change of the middle task, median of ${first?.cxo?.status?.runs ?? '?'} after ${WARMUPS} warm-ups | ${sizes.map(sizeName).join(' | ')} |${both ? ` ${sizeLabel(large)} ÷ ${sizeLabel(small)} |` : ''}`,
  );
  lines.push(`|---|${sizes.map(() => '---:').join('|')}|${both ? '---:|' : ''}`);
  row(
    'floor: edit the phase, then `git commit -q -m x codex.tasks.json`',
    (r) => cxoCell(r, 'floor'),
    (r) => r?.cxo?.floor?.median,
  );
  const labels = {
    status: 'cxo `commitTaskStatus`, status only (in-process)',
    evidence: 'cxo `commitTaskStatus` + evidence dir, 5 files (in-process)',
    cold: "cxo `commitTaskStatus`, first after a person's commit of the index (in-process)",
  };
  for (const [series] of SERIES)
    row(
      labels[series],
      (r) => cxoCell(r, series),
      (r) => r?.cxo?.[series]?.median,
    );
  for (const [series, name] of SERIES)
    row(
      `cxo − floor, ${name}`,
      (r) => fmt(overheadOf(r, series)),
      (r) => overheadOf(r, series),
    );
  for (const [key, label] of [
    ['tm', '`task-master set-status` (whole process'],
    ['bl', `\`backlog task edit -s\` (whole process, generated \`auto_commit: ${first?.backlogAutoCommit}\``],
    ['bl.commit', '`backlog task edit -s` with `auto_commit: true` (whole process'],
  ])
    row(
      `${label}${commits(key)})`,
      (r) => peerCell(r, key),
      (r) => r?.peers?.[key]?.median,
    );
  lines.push('');
  lines.push(`| write-back target | target | ${sizes.map(sizeName).join(' | ')} | result |`);
  lines.push(`|---|---|${sizes.map(() => '---:').join('|')}|---|`);
  for (const t of targetRows)
    lines.push(`| ${t.comparison} | ${t.target} | ${t.values.join(' | ')} | **${t.result}** |`);
  lines.push('');
  lines.push(
    `- Write-back: the cxo rows call \`commitTaskStatus\` from dist/index.js inside one Node process (no start-up), as \`cxo run\` does at each phase change, flipping the task (${sizes.map((s) => bySize[s]?.taskId).join(', ')}) between running and review. With evidence: a fresh \`.runs/<task>/<run>/\` (manifest.json, runner.log, diff.patch, 2 command logs) committed too, the manifest named in the trailers. First after a person's commit: before each write, a person commits a phase edit of the next task, so the index blob is one the library has not written or checked. The floor is git's own commit of the same one-line edit, a whole \`git\` process, the edit not timed. All go in rounds, each in its own scratch copy (\`cp -r\`, index refreshed, \`git status\` clean).`,
  );
  lines.push(
    `- Write-back peers: whole processes (Node or Bun start-up included, which the in-process cxo rows do not pay), flipping the same task between two statuses, median of ${first?.peerRuns} after 1 warm-up (${first?.slowRuns} when the warm-up took over ${first?.slowAfter} s, marked); ratios are peer ÷ cxo status only. task-master rewrites tasks.json and never commits. Backlog.md commits the task file only with \`auto_commit: true\` in backlog/config.yml; the generated data set has \`auto_commit: ${first?.backlogAutoCommit}\` (as \`backlog init --defaults\` writes it), so its main row writes the file only; the \`auto_commit: true\` row shows it committing.`,
  );
  for (const s of sizes) {
    const b = bySize[s]?.cxo?.breakdown;
    if (!b) continue;
    const parts = [];
    for (const [series, name] of [
      ['status', 'status only'],
      ['evidence', 'with evidence'],
    ]) {
      const p = b[series];
      if (!p || p.error) {
        parts.push(`${name}: n/a (${p?.error ?? 'not measured'})`);
        continue;
      }
      const top = Object.entries(p.byCommand)
        .sort(([, x], [, y]) => y.seconds - x.seconds)
        .map(([cmd, c]) => `${cmd}${c.count > 1 ? ` ×${c.count}` : ''} ${fmt(c.seconds)}`)
        .join(', ');
      parts.push(
        `${name} ${fmt(p.total)}: ${p.gitProcesses} git processes ${fmt(p.git)} (${top}), everything else (JS, file I/O) ${fmt(p.total - p.git)}`,
      );
    }
    lines.push(
      `- Where one write goes at ${sizeName(s)} (${(bySize[s].cxo.indexBytes / 1e6).toFixed(1)} MB index; median of ${b.status?.runs} more writes each): ${parts.join('; ')}. For scale, one full \`parseTaskIndex\` of this index takes ${fmt(b.parse)}.`,
    );
  }
  for (const s of sizes)
    for (const n of bySize[s]?.cxo?.notes ?? []) lines.push(`- Write-back at ${sizeName(s)}: ${n}.`);
  return lines.join('\n');
}
