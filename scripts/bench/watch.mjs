// The long-running watcher at one size: `cxo watch --json` as a child process in a scratch copy of
// the generated repository, cheap no-model agents, write-back on. Measures the latency from saving
// an edit of a task's `request` to the watcher's `dispatch` event (one edit at a time), the
// watcher's CPU time while nothing changes, and its memory. Also renders the section's tables.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyEdits, modify } from 'jsonc-parser';
import { dirtyFiles, errorLine, git, median, scratchCopy } from './measure.mjs';

/** Targets from the issue: p95 from save to dispatch (debounce included), idle CPU "about zero". */
export const WATCH_TARGET = { p95: 0.25, idleCpuPercent: 1 };
/** The watcher counts as settled once no event came for this long and none of its runs is in flight. */
const QUIET_MS = 1000;
const EVENT_TIMEOUT_MS = 120_000;
const INDEX = 'codex.tasks.json';
const LOCK = '.git/codex-orchestrator/watch.lock';
const JSONC_FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/**
 * The generated config (its wide freshness window keeps the fixed review dates fresh) plus agents
 * that need no model: the builder is `true`, no manager, tester or reviewer; write-back stays on,
 * since committing statuses is what the watcher really does.
 */
const CONFIG = `version: 1
freshness:
  days: { low: 36500, medium: 36500, high: 36500 }
guard: { require_spec: false }
agents: { manager: none, builder: "command:true", tester: none, reviewer: none }
gitops: { write_back: true }
`;

/**
 * The tasks the edits request: pending ones nobody has requested yet (no `status`, approved spec)
 * whose only acceptance command is `npm test` (`true` in the generated package.json), so their
 * runs end in review. Their `dependsOn` is cleared, as a person would, so that none waits.
 */
function prepare(root, count, env) {
  writeFileSync(join(root, 'codex.config.yaml'), CONFIG);
  git(root, ['commit', '-qm', 'bench: agents that need no model', '--', 'codex.config.yaml'], env);
  let text = readFileSync(join(root, INDEX), 'utf8');
  const tasks = JSON.parse(text).tasks;
  const picked = [];
  for (const [i, t] of tasks.entries()) {
    if (picked.length === count) break;
    if (t.status || t.request !== undefined || t.acceptance?.join() !== 'npm test') continue;
    picked.push({ i, id: t.id });
  }
  if (picked.length < count) throw new Error(`only ${picked.length} unrequested tasks, ${count} wanted`);
  for (const p of picked)
    if (tasks[p.i].dependsOn)
      text = applyEdits(text, modify(text, ['tasks', p.i, 'dependsOn'], undefined, JSONC_FORMAT));
  writeFileSync(join(root, INDEX), text);
  git(root, ['commit', '-qm', 'bench: the requested tasks depend on nothing', '--', INDEX], env);
  return picked;
}

// ---------------------------------------------------------------- /proc

const clockTicks = () => Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time of a process and of its reaped children, in clock ticks (`/proc/<pid>/stat`). */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17
  return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** VmRSS and VmHWM (peak RSS) in bytes, from `/proc/<pid>/status`. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** RSS of an idle Node process (a timer keeps it alive): what any watcher written in Node pays. */
export async function nodeRssFloor(env) {
  if (!existsSync('/proc/self/status')) return undefined;
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env, stdio: 'ignore' });
  await sleep(1000);
  try {
    return memory(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------- the watcher as a child process

/** `cxo watch --json`, its NDJSON events collected with the time they were received. */
function startWatcher(cli, root, env) {
  const child = spawn(process.execPath, [cli, 'watch', '--json'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w = {
    child,
    events: [],
    stderr: '',
    lastEventAt: performance.now(),
    inFlight: 0,
    waiters: new Set(),
  };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    const received = performance.now();
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      if (!line.trim()) continue;
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        e = { type: 'unparsed', line };
      }
      e.received = received;
      w.events.push(e);
      w.lastEventAt = received;
      if (e.type === 'dispatch' || e.type === 'resume') w.inFlight++;
      if (e.type === 'run-ended') w.inFlight--;
    }
    for (const wake of [...w.waiters]) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (w.stderr += d));
  w.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  w.exited.then(() => {
    for (const wake of [...w.waiters]) wake();
  });
  return w;
}

/** The first event from index `from` on that matches, waiting for it up to `ms`. */
async function waitEvent(w, from, match, what, ms = EVENT_TIMEOUT_MS) {
  const deadline = performance.now() + ms;
  for (;;) {
    const e = w.events.slice(from).find(match);
    if (e) return e;
    if (w.child.exitCode !== null || w.child.signalCode !== null)
      throw new Error(
        `watcher exited (${w.child.exitCode ?? w.child.signalCode}) before ${what}; ${errorLine(w.stderr)}`,
      );
    const left = deadline - performance.now();
    if (left <= 0)
      throw new Error(`no ${what} within ${ms / 1000} s; ${errorLine(w.stderr) || 'nothing on stderr'}`);
    await new Promise((resolve) => {
      const t = setTimeout(done, left);
      function done() {
        clearTimeout(t);
        w.waiters.delete(done);
        resolve();
      }
      w.waiters.add(done);
    });
  }
}

/** Waits until none of the watcher's runs is in flight and no event came for QUIET_MS. */
async function settle(w, what, ms = EVENT_TIMEOUT_MS) {
  const deadline = performance.now() + ms;
  while (w.inFlight > 0 || performance.now() - w.lastEventAt < QUIET_MS) {
    if (performance.now() > deadline)
      throw new Error(`the watcher did not settle within ${ms / 1000} s (${what})`);
    if (w.child.exitCode !== null || w.child.signalCode !== null)
      throw new Error(
        `watcher exited (${w.child.exitCode ?? w.child.signalCode}) ${what}; ${errorLine(w.stderr)}`,
      );
    await sleep(50);
  }
}

/** A person's `git commit` of the index, retried while the watcher's write-back holds git's index lock. */
async function commitIndex(root, env, message) {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const r = await new Promise((resolve) => {
      const c = spawn('git', ['commit', '-qm', message, '--', INDEX], {
        cwd: root,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      c.on('exit', (code) => resolve({ code, stderr }));
    });
    if (r.code === 0) return { seconds: (performance.now() - started) / 1000, attempts: attempt };
    if (attempt === 10) throw new Error(`git commit failed ${attempt} times: ${errorLine(r.stderr)}`);
    await sleep(100);
  }
}

/** Nearest-rank percentile. */
const percentile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
};

// ---------------------------------------------------------------- one size

/**
 * Everything the section measures at one size: `edits` requests, one at a time, then
 * `idleSeconds` of nothing. `root` is the generated cxo repository; it is copied, never changed.
 */
export async function measureWatch({
  cache,
  cli,
  size,
  root: source,
  env,
  edits,
  idleSeconds,
  log = () => {},
}) {
  if (!existsSync('/proc/self/stat')) return { size, error: 'needs /proc (Linux) for CPU time and memory' };
  const scratch = mkdtempSync(join(cache, `watch-${size}-`));
  const root = join(scratch, 'cxo');
  // the default debounce, grace and retry: the test-only knobs must not leak in from the caller
  const watchEnv = { ...env, NO_COLOR: '1' };
  for (const name of Object.keys(watchEnv)) if (name.startsWith('CXO_WATCH_')) delete watchEnv[name];
  // the runs' worktrees (a failed run keeps its own) go in the scratch directory, removed with it
  watchEnv.CXO_WORKTREES_DIR = join(scratch, 'worktrees');
  let w;
  let t0 = performance.now();
  const took = () => {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    t0 = performance.now();
    return `${s} s`;
  };
  const load = () => loadavg().map((l) => Number(l.toFixed(2)));
  const result = { size, edits, idleSeconds, loadAtStart: load(), notes: [] };
  try {
    scratchCopy(source, root, env);
    const tasks = prepare(root, edits, env);
    const ticks = clockTicks();
    log(`[${size}] watch: scratch copy ready, ${took()}`);

    const startedAt = performance.now();
    w = startWatcher(cli, root, watchEnv);
    const first = await waitEvent(w, 0, (e) => e.type === 'summary', 'first summary');
    result.firstSummary = (first.received - startedAt) / 1000;
    result.firstDispatched = first.dispatched?.length ?? 0;
    result.debounceMs = w.events.find((e) => e.type === 'watching')?.debounceMs;
    await settle(w, 'after the first pass');
    result.memoryAfterFirstPass = memory(w.child.pid);
    log(
      `[${size}] watch: first summary after ${result.firstSummary.toFixed(2)} s (${result.firstDispatched} dispatched), settled, ${took()}`,
    );

    const samples = [];
    for (const [k, t] of tasks.entries()) {
      const value = `watch-${k + 1}`;
      const file = join(root, INDEX);
      const text = readFileSync(file, 'utf8');
      const edited = applyEdits(text, modify(text, ['tasks', t.i, 'request'], value, JSONC_FORMAT));
      const from = w.events.length;
      writeFileSync(file, edited);
      const written = performance.now();
      const writtenWall = Date.now();
      const commit = commitIndex(root, env, `request ${value} for ${t.id}`);
      const dispatch = await waitEvent(
        w,
        from,
        (e) => e.type === 'dispatch' && e.taskId === t.id && e.request === value,
        `dispatch of ${t.id} ${value}`,
      );
      const ended = await waitEvent(
        w,
        from,
        (e) => e.type === 'run-ended' && e.runId === dispatch.runId,
        `end of run ${dispatch.runId}`,
      );
      const committed = await commit;
      await settle(w, `after run ${dispatch.runId}`);
      const mine = w.events.slice(from);
      samples.push({
        taskId: t.id,
        latency: (dispatch.received - written) / 1000,
        latencyByStamp: (Date.parse(dispatch.at) - writtenWall) / 1000,
        commit: committed.seconds,
        commitAttempts: committed.attempts,
        passes: mine.filter((e) => e.type === 'pass').length,
        status: ended.status,
        problems: mine
          .filter((e) => /error/.test(e.type) || (e.type === 'blocked' && e.taskId === t.id) || e.warning)
          .map((e) => `${e.type}: ${e.message ?? e.warning ?? e.taskId}`),
      });
      if ((k + 1) % 10 === 0)
        log(
          `[${size}] watch: ${k + 1}/${tasks.length} edits, last save → dispatch ${samples.at(-1).latency.toFixed(3)} s`,
        );
    }
    const latencies = samples.map((s) => s.latency);
    Object.assign(result, {
      samples,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: Math.max(...latencies),
      min: Math.min(...latencies),
      commitMedian: median(samples.map((s) => s.commit)),
      commitRetries: samples.reduce((n, s) => n + s.commitAttempts - 1, 0),
      passesPerEdit: samples.reduce((n, s) => n + s.passes, 0) / samples.length,
      runStatuses: samples.reduce((m, s) => ({ ...m, [s.status]: (m[s.status] ?? 0) + 1 }), {}),
      problems: samples.flatMap((s) => s.problems),
    });
    log(
      `[${size}] watch: ${samples.length} edits done, p50 ${result.p50.toFixed(3)} s, p95 ${result.p95.toFixed(3)} s, ${took()}`,
    );

    // idle: nothing changes; the process's own CPU time over the window
    const before = cpuTicks(w.child.pid);
    const idleFrom = w.events.length;
    const idleStart = performance.now();
    await sleep(idleSeconds * 1000);
    const after = cpuTicks(w.child.pid);
    const elapsed = (performance.now() - idleStart) / 1000;
    result.idle = {
      seconds: elapsed,
      cpuSeconds: (after.self - before.self) / ticks,
      childCpuSeconds: (after.children - before.children) / ticks,
      events: w.events.slice(idleFrom).map((e) => e.type),
      clockTicks: ticks,
    };
    result.idle.percent = (result.idle.cpuSeconds / elapsed) * 100;
    result.memoryAtEnd = memory(w.child.pid);
    result.loadAtEnd = load();
    log(
      `[${size}] watch: idle ${elapsed.toFixed(1)} s, ${result.idle.cpuSeconds.toFixed(2)} s CPU (${result.idle.percent.toFixed(2)} %), ${result.idle.events.length} events, ${took()}`,
    );

    // stop: exit 0, the lock released
    const eventsBeforeStop = w.events.length;
    w.child.kill('SIGTERM');
    const code = await Promise.race([w.exited, sleep(30_000).then(() => 'timeout')]);
    result.stop = {
      exit: code,
      lockReleased: !existsSync(join(root, LOCK)),
      lastEvent: w.events.at(-1)?.type,
      events: w.events.slice(eventsBeforeStop).map((e) => e.type),
    };
    if (code !== 0) result.notes.push(`watcher exited ${code} after SIGTERM`);
    if (!result.stop.lockReleased) result.notes.push(`${LOCK} still there after the watcher stopped`);

    // what the watcher committed: every requested task observed, the working copy clean
    const committed = JSON.parse(git(root, ['show', `HEAD:${INDEX}`], env)).tasks;
    result.observed = tasks.filter(
      (t, k) => committed[t.i].status?.observedRequest === `watch-${k + 1}`,
    ).length;
    if (result.observed !== tasks.length)
      result.notes.push(`${tasks.length - result.observed} requests not recorded as observed in HEAD`);
    const dirty = dirtyFiles(root, env);
    if (dirty.length) result.notes.push(`working copy not clean afterwards: ${dirty.slice(0, 3).join(', ')}`);
    return result;
  } catch (e) {
    result.error = e.message;
    return result;
  } finally {
    if (w && w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    rmSync(scratch, { recursive: true, force: true });
    log(`[${size}] watch: stopped, scratch copy and the runs' worktrees removed, ${took()}`);
  }
}

// ---------------------------------------------------------------- report

const mb = (m) => (m === undefined || Number.isNaN(m) ? 'n/a' : `${(m / 1024 / 1024).toFixed(0)} MB`);
const pct = (p) => (p === undefined ? 'n/a' : `${p.toFixed(2)} %`);

/** PASS/FAIL rows: p95 from save to dispatch, and idle CPU, at each size. */
export function watchTargets(bySize, sizes, { fmt }) {
  const judge = (values, ok) => {
    const known = values.filter((v) => v !== undefined);
    if (known.length === 0) return 'n/a';
    return known.every(ok) ? 'PASS' : 'FAIL';
  };
  const p95 = sizes.map((s) => bySize[s]?.p95);
  const idle = sizes.map((s) => bySize[s]?.idle?.percent);
  return [
    {
      comparison: 'save → `dispatch` event, p95 (debounce included)',
      target: `≤ ${WATCH_TARGET.p95} s`,
      values: p95.map(fmt),
      raw: p95,
      result: judge(p95, (v) => v <= WATCH_TARGET.p95),
    },
    {
      comparison: `idle CPU of the watcher over ${bySize[sizes[0]]?.idleSeconds ?? '?'} s, % of one core`,
      target: `≤ ${WATCH_TARGET.idleCpuPercent} %`,
      values: idle.map(pct),
      raw: idle,
      result: judge(idle, (v) => v <= WATCH_TARGET.idleCpuPercent),
    },
  ];
}

/** The section's tables and notes, in the style of run.mjs's report. */
export function watchMarkdown(bySize, sizes, targetRows, floor, { fmt, sizeName }) {
  const lines = [];
  const row = (label, cellOf) =>
    lines.push(
      `| ${label} | ${sizes.map((s) => (bySize[s]?.error ? `n/a (${bySize[s].error.replace(/\|/g, '\\|').slice(0, 90)})` : cellOf(bySize[s]))).join(' | ')} |`,
    );
  const first = bySize[sizes[0]];
  lines.push(
    `| \`cxo watch --json\`: ${first?.edits ?? '?'} edits of a task's \`request\`, one at a time | ${sizes.map(sizeName).join(' | ')} |`,
  );
  lines.push(`|---|${sizes.map(() => '---:').join('|')}|`);
  row('start → first `summary` (first pass)', (r) => fmt(r?.firstSummary));
  row('save → `dispatch` event, p50', (r) => fmt(r?.p50));
  row('save → `dispatch` event, p95', (r) => fmt(r?.p95));
  row('save → `dispatch` event, min / max', (r) => `${fmt(r?.min)} / ${fmt(r?.max)}`);
  row("the person's `git commit` of the edit (concurrent), median", (r) => fmt(r?.commitMedian));
  row(
    'passes per edit (the edit, the run ending, its status commits)',
    (r) => r?.passesPerEdit?.toFixed(1) ?? 'n/a',
  );
  row(`idle ${first?.idleSeconds ?? '?'} s: CPU time of the watcher (% of one core)`, (r) =>
    r?.idle ? `${r.idle.cpuSeconds.toFixed(2)} s (${pct(r.idle.percent)})` : 'n/a',
  );
  row('RSS after the first pass (peak so far)', (r) =>
    r?.memoryAfterFirstPass ? `${mb(r.memoryAfterFirstPass.rss)} (${mb(r.memoryAfterFirstPass.hwm)})` : 'n/a',
  );
  row('RSS at the end (peak)', (r) =>
    r?.memoryAtEnd ? `${mb(r.memoryAtEnd.rss)} (${mb(r.memoryAtEnd.hwm)})` : 'n/a',
  );
  lines.push(
    `| floor: RSS of an idle \`node -e "setInterval(()=>{},1000)"\` | ${sizes.map(() => (floor ? mb(floor.rss) : 'n/a')).join(' | ')} |`,
  );
  lines.push('');
  lines.push(`| watch target | target | ${sizes.map(sizeName).join(' | ')} | result |`);
  lines.push(`|---|---|${sizes.map(() => '---:').join('|')}|---|`);
  for (const t of targetRows)
    lines.push(`| ${t.comparison} | ${t.target} | ${t.values.join(' | ')} | **${t.result}** |`);
  lines.push('');
  lines.push(
    `- Watch: \`node dist/bin/cxo.js watch --json\` in a scratch copy of each data set, default debounce (${first?.debounceMs ?? '?'} ms), builder \`command:true\`, no manager, tester or reviewer, write-back on. Each edit rewrites ${INDEX} with one \`request\` changed (jsonc-parser), then \`git commit\`s it at once; latency runs from the return of the write to the receipt of the task's \`dispatch\` line; the next edit waits for the run's \`run-ended\` and ${QUIET_MS / 1000} s without events. Percentiles are nearest-rank. Idle CPU is utime + stime of the watcher in /proc/<pid>/stat over the idle window.`,
  );
  for (const s of sizes) {
    const r = bySize[s];
    if (!r || r.error) continue;
    const statuses = Object.entries(r.runStatuses ?? {})
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    const extra = [
      `load average (1/5/15 min) ${r.loadAtStart.join(' / ')} at the start, ${r.loadAtEnd?.join(' / ') ?? '?'} after the idle window`,
      `runs: ${statuses}`,
      `${r.observed}/${r.edits} requests observed in HEAD`,
      `stop: exit ${r.stop?.exit}, lock ${r.stop?.lockReleased ? 'released' : 'NOT released'}`,
      r.idle?.events.length
        ? `${r.idle.events.length} events while idle (${[...new Set(r.idle.events)].join(', ')})`
        : 'no events while idle',
      r.commitRetries ? `${r.commitRetries} commit retries (git's index lock)` : '',
      r.problems?.length
        ? `${r.problems.length} problems: ${[...new Set(r.problems)].slice(0, 3).join('; ')}`
        : '',
      ...r.notes,
    ].filter(Boolean);
    lines.push(`- Watch at ${sizeName(s)}: ${extra.join('; ')}.`);
  }
  return lines.join('\n');
}
