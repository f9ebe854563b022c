import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { worktreeDirOf } from '../../src/runs/run-layout.js';
import { validateRunManifest } from '../../src/generated/validators.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import {
  cxoAsync,
  groupAlive,
  makeRunRepo,
  readManifest,
  runArgs,
  runDirs,
  sleep,
  SLOW_BUILDER,
  worktreePaths,
} from '../helpers/run-repo.js';
import { CLI, gitIn } from '../helpers/temp-repo.js';
import { seededRandom } from '../helpers/seeded-random.js';

// The crash test: `cxo run` killed with SIGKILL at a random moment, its children left orphaned,
// as when the machine's OOM killer or a person's `kill -9` ends it. Whatever the moment, the
// evidence must be whole (the manifest parses and validates, every hashed artifact matches) and
// the run must be either finished or stalled; a stalled run is then resumed (even ones) or
// cleaned (odd ones). Every trial has its own repository; a few run at once.

const TRIALS = Number(process.env.CXO_KILL_TRIALS ?? 50);
const PARALLEL = 4;
const MAX_KILL_MS = 1500;
const STALL_MS = 300;
const ENV = { CXO_STALL_MS: String(STALL_MS) };
/** The tester's command takes a moment too, so kills land in every step. */
const ACCEPTANCE = 'sleep 0.1 && grep -q y a.txt';
const SEED = Number(process.env.CXO_KILL_SEED ?? Date.now() % 1_000_000);

type Outcome = 'killed before manifest' | 'finished' | 'stalled, resumed' | 'stalled, cleaned';

const repos: string[] = [];
afterAll(() => {
  for (const repo of repos) rmSync(repo, { recursive: true, force: true });
});

/** Every .lock file and `locked` marker under .git/worktrees. */
function worktreeLocks(repo: string): string[] {
  const base = join(repo, '.git', 'worktrees');
  if (!existsSync(base)) return [];
  return (readdirSync(base, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.lock') || f.endsWith('locked'),
  );
}

/** Live (not zombie) processes whose working directory is inside one of `dirs`. */
function processesIn(dirs: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (!dirs.some((d) => cwd === d || cwd.startsWith(`${d}/`))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push(
        `${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')} in ${cwd}`,
      );
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

function finishedSteps(m: RunManifest): Record<string, string | null> {
  return Object.fromEntries(
    m.steps
      .filter((s) => s.status === 'succeeded' || s.status === 'skipped')
      .map((s) => [s.role, s.startedAt]),
  );
}

describe('kill -9 at a random moment', () => {
  it(
    `leaves whole evidence and a finished or resumable run (${TRIALS} trials)`,
    { timeout: 240_000 },
    async () => {
      const next = seededRandom(SEED);
      const delays = Array.from({ length: TRIALS }, () => Math.round(next() * MAX_KILL_MS));
      const groups = new Set<number>();
      const runPids: number[] = [];
      let stalledSeen = 0;
      const counts: Record<Outcome, number> = {
        'killed before manifest': 0,
        finished: 0,
        'stalled, resumed': 0,
        'stalled, cleaned': 0,
      };
      const stalledIn: Record<string, number> = {};
      const noteGroups = (m: RunManifest) => (m.run.children ?? []).forEach((g) => groups.add(g));

      async function trial(i: number): Promise<void> {
        const label = `trial ${i} (seed ${SEED}, kill at ${delays[i]} ms)`;
        const repo = makeRunRepo([ACCEPTANCE]);
        repos.push(repo);
        const run = spawn(process.execPath, [CLI, ...runArgs(SLOW_BUILDER)], {
          cwd: repo,
          env: { ...process.env, NO_COLOR: '1', ...ENV },
          stdio: 'ignore',
          detached: true,
        });
        runPids.push(run.pid!);
        const exited = new Promise<number | null>((r) => run.once('exit', (code) => r(code)));
        const timer = sleep(delays[i]).then(() => {
          if (run.exitCode === null && run.signalCode === null) process.kill(run.pid!, 'SIGKILL');
        });
        const code = await exited;
        await timer;
        const killed = run.signalCode === 'SIGKILL';

        const dir = runDirs(repo).find((d) => existsSync(join(repo, d, 'manifest.json')));
        if (!dir) {
          expect(killed, `${label}: a run that was not killed has a manifest`).toBe(true);
          expect(worktreePaths(repo), `${label}: worktree without a manifest`).toHaveLength(1);
          expect(
            gitIn(repo, 'branch', '--list', 'codex/*').trim(),
            `${label}: branch without a manifest`,
          ).toBe('');
          counts['killed before manifest']++;
          return;
        }

        // the evidence is whole at the instant of the crash
        const raw = readFileSync(join(repo, dir, 'manifest.json'), 'utf8');
        let m: RunManifest;
        try {
          m = JSON.parse(raw) as RunManifest;
        } catch (e) {
          throw new Error(`${label}: the manifest does not parse: ${(e as Error).message}\n${raw}`, {
            cause: e,
          });
        }
        expect(validateRunManifest(m), `${label}: ${JSON.stringify(validateRunManifest.errors)}`).toBe(true);
        noteGroups(m);
        const verified = await cxoAsync(repo, ['verify'], ENV);
        expect(verified.code, `${label}: ${verified.stdout}${verified.stderr}`).toBe(0);

        if (m.result.status !== 'running') {
          expect(m.result.status, `${label}: ${JSON.stringify(m.result)}`).toBe('review');
          if (!killed) expect(code, label).toBe(0);
          counts.finished++;
        } else {
          expect(killed, `${label}: a run that was not killed is still running`).toBe(true);
          const step = m.steps.find((s) => s.status === 'running')?.role ?? 'between steps';
          stalledIn[step] = (stalledIn[step] ?? 0) + 1;
          // its process is gone: once its last heartbeat is older than the threshold, it is stalled
          const last = Math.max(Date.parse(m.heartbeat!.at), Date.parse(m.run.createdAt));
          await sleep(Math.max(0, last + STALL_MS + 50 - Date.now()));
          const list = await cxoAsync(repo, ['runs', 'list', '--json'], ENV);
          const listed = (JSON.parse(list.stdout) as { runs: { id: string; stalled: boolean }[] }).runs;
          expect(listed, label).toEqual([expect.objectContaining({ id: m.run.id, stalled: true })]);

          if (stalledSeen++ % 2 === 0) {
            const before = finishedSteps(m);
            const resumed = await cxoAsync(repo, ['resume', m.run.id], ENV);
            expect(resumed.code, `${label}: ${resumed.stdout}${resumed.stderr}`).toBe(0);
            const after = readManifest(repo, dir);
            noteGroups(after);
            expect(after.result, label).toEqual({ status: 'review', reason: null, error: null });
            expect(after.resumes, label).toHaveLength(1);
            // finished steps were not redone
            for (const [role, startedAt] of Object.entries(before)) {
              expect(after.steps.find((s) => s.role === role)!.startedAt, `${label}: ${role} redone`).toBe(
                startedAt,
              );
            }
            expect(
              after.steps.map((s) => s.status),
              label,
            ).toEqual(['skipped', 'succeeded', 'succeeded', 'succeeded']);
            expect(gitIn(repo, 'show', `${after.run.branch}:a.txt`), label).toBe('x\ny\n');
            counts['stalled, resumed']++;
          } else {
            const cleaned = await cxoAsync(repo, ['runs', 'clean'], ENV);
            expect(cleaned.code, `${label}: ${cleaned.stdout}${cleaned.stderr}`).toBe(0);
            const after = readManifest(repo, dir);
            expect(after.result, label).toMatchObject({
              status: 'failed',
              reason: 'Stalled',
              error: { code: 'Stalled' },
            });
            const artifact = `${dir}/errors/stalled.txt`;
            expect(after.result.error!.artifact, label).toBe(artifact);
            expect(
              after.artifacts.map((a) => a.path),
              label,
            ).toContain(artifact);
            expect(existsSync(join(repo, artifact)), label).toBe(true);
            expect(existsSync(worktreeDirOf(repo, after.run.id)), label).toBe(false);
            counts['stalled, cleaned']++;
          }
          const again = await cxoAsync(repo, ['verify'], ENV);
          expect(again.code, `${label}: ${again.stdout}${again.stderr}`).toBe(0);
        }

        // afterwards: nothing left behind in this repository, and no run running without a process
        const clean = await cxoAsync(repo, ['runs', 'clean'], ENV);
        expect(clean.code, `${label}: ${clean.stdout}${clean.stderr}`).toBe(0);
        expect(worktreePaths(repo), label).toHaveLength(1);
        expect(worktreeLocks(repo), label).toEqual([]);
        expect(readManifest(repo, dir).result.status, label).not.toBe('running');
      }

      const started = Date.now();
      let nextTrial = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (nextTrial < TRIALS) await trial(nextTrial++);
        }),
      );

      // no process of any trial survives: run processes, the groups the manifests listed, anything
      // working in a trial's repository (PID 1 here reaps orphans only every few seconds)
      const deadline = Date.now() + 5000;
      const survivors = () => [
        ...runPids.filter(groupAlive).map((p) => `run process group ${p}`),
        ...[...groups].filter(groupAlive).map((g) => `process group ${g}`),
        ...processesIn(repos),
      ];
      while (survivors().length > 0 && Date.now() < deadline) await sleep(100);
      expect(survivors()).toEqual([]);

      console.log(
        `kill -9 fault test, seed ${SEED}: ${TRIALS} trials in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          Object.entries(counts)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') +
          `; stalled in ${JSON.stringify(stalledIn)}; ${groups.size} child process group(s) tracked`,
      );
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(TRIALS);
    },
  );
});
