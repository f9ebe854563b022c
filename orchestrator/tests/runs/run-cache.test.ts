import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FULL_SCAN_MS, RunCache } from '../../src/runs/run-cache.js';
import { listRuns, type RunEntry } from '../../src/runs/run-index.js';
import { seededRandom } from '../helpers/seeded-random.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cxo-run-cache-'));
  roots.push(root);
  return root;
}

/** Just the fields a reconcile pass reads; the cache and listRuns read manifests the same way. */
function manifest(task: string, run: string, status: string, request = 'r1'): string {
  return JSON.stringify({
    task: { id: task },
    run: { id: run, createdAt: new Date().toISOString(), pid: process.pid },
    trigger: { request },
    result: { status, reason: null },
    resumes: [],
  });
}

/** As the recorder writes it: a temp file renamed over the old one. */
function writeManifest(root: string, dir: string, text: string): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'manifest.tmp'), text);
  renameSync(join(root, dir, 'manifest.tmp'), join(root, dir, 'manifest.json'));
}

/**
 * Moves the mtime of every directory changed since the last call into the past, each to a time of
 * its own, as if the pass came seconds later: the cache then trusts its listings (none is racy)
 * and must tell a changed directory by its mtime alone.
 */
function ageChangedDirs(root: string, clock: { t: number }): void {
  const base = join(root, '.runs');
  const dirs = [base, ...readdirSync(base).map((d) => join(base, d))];
  for (const dir of dirs) {
    if (Date.now() - statSync(dir).mtimeMs < 60_000) {
      clock.t -= 1000;
      utimesSync(dir, clock.t / 1000, clock.t / 1000);
    }
  }
}

const view = (runs: RunEntry[]) =>
  runs.map((r) => [r.dir, r.manifest.result.status, r.manifest.trigger.request, r.stalled]);

describe('RunCache', () => {
  it('lists what listRuns lists, through 400 random changes between passes', () => {
    const seed = Number(process.env.CXO_FUZZ_SEED) || Math.floor(Math.random() * 1e6);
    const rand = seededRandom(seed);
    const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
    const root = tempRoot();
    mkdirSync(join(root, '.runs'));
    const cache = new RunCache(root);
    const runs = new Map<string, { task: string; run: string; status: string }>();
    const clock = { t: Date.now() - 120_000 };
    let n = 0;
    for (let step = 0; step < 400; step++) {
      const roll = rand();
      const existing = [...runs.keys()];
      if (roll < 0.3 || existing.length === 0) {
        // a new run, of a known task or a new one; sometimes its directory comes before its manifest
        const task = existing.length && rand() < 0.5 ? runs.get(pick(existing))!.task : `t${n % 23}`;
        const run = `20261121-${String(100000 + n++).padStart(6, '0')}-abcd`;
        const dir = `.runs/${task}/${run}`;
        if (rand() < 0.2) mkdirSync(join(root, dir), { recursive: true });
        else {
          const status = rand() < 0.5 ? 'running' : 'failed';
          writeManifest(root, dir, manifest(task, run, status));
          runs.set(dir, { task, run, status });
        }
      } else if (roll < 0.55) {
        // a run ends, or its manifest arrives
        const dir = pick(existing);
        const r = runs.get(dir)!;
        if (r.status === 'running') {
          r.status = pick(['review', 'failed', 'cancelled']);
          writeManifest(root, dir, manifest(r.task, r.run, r.status));
        }
      } else if (roll < 0.65) {
        const dir = pick(existing);
        rmSync(join(root, dir), { recursive: true });
        runs.delete(dir);
      } else if (roll < 0.7) {
        const task = runs.get(pick(existing))!.task;
        rmSync(join(root, '.runs', task), { recursive: true });
        for (const [dir, r] of runs) if (r.task === task) runs.delete(dir);
      } else if (roll < 0.75) {
        // a running run's heartbeat or a new request in its manifest
        const dir = pick(existing);
        const r = runs.get(dir)!;
        if (r.status === 'running') writeManifest(root, dir, manifest(r.task, r.run, 'running', `r${step}`));
      }
      ageChangedDirs(root, clock);
      // several changes may come between two passes
      if (rand() < 0.6)
        expect(view(cache.list()), `seed ${seed}, step ${step}`).toEqual(view(listRuns(root)));
    }
    expect(view(cache.list())).toEqual(view(listRuns(root)));
  });

  it('lists again a directory it listed within the same clock tick as a change', () => {
    const root = tempRoot();
    writeManifest(root, '.runs/a/20261121-000001-aaaa', manifest('a', '20261121-000001-aaaa', 'review'));
    const cache = new RunCache(root);
    const taskDir = join(root, '.runs/a');
    // a whole second, so that utimes can set it again exactly; less than a second ago
    const tick = Math.floor(Date.now() / 1000);
    utimesSync(taskDir, tick, tick);
    expect(cache.list()).toHaveLength(1);
    // in the same tick, one run goes and another comes: neither mtime nor link count moves
    rmSync(join(taskDir, '20261121-000001-aaaa'), { recursive: true });
    writeManifest(root, '.runs/a/20261121-000002-bbbb', manifest('a', '20261121-000002-bbbb', 'running'));
    utimesSync(taskDir, tick, tick);
    expect(cache.list().map((r) => r.manifest.run.id)).toEqual(['20261121-000002-bbbb']);
  });

  it('with a focus, looks again at the focused tasks at once and at the others within FULL_SCAN_MS', () => {
    const root = tempRoot();
    writeManifest(root, '.runs/a/20261121-000001-aaaa', manifest('a', '20261121-000001-aaaa', 'review'));
    writeManifest(root, '.runs/b/20261121-000002-bbbb', manifest('b', '20261121-000002-bbbb', 'review'));
    const cache = new RunCache(root);
    const t0 = Date.now();
    expect(cache.list(new Set(['a']), t0)).toHaveLength(2);
    writeManifest(root, '.runs/a/20261121-000003-cccc', manifest('a', '20261121-000003-cccc', 'running'));
    writeManifest(root, '.runs/b/20261121-000004-dddd', manifest('b', '20261121-000004-dddd', 'running'));
    // a new task directory is seen at once: .runs/ itself is always looked at
    writeManifest(root, '.runs/c/20261121-000005-eeee', manifest('c', '20261121-000005-eeee', 'review'));
    const ids = (runs: RunEntry[]) => runs.map((r) => r.manifest.run.id);
    expect(ids(cache.list(new Set(['a']), t0 + 1))).toEqual([
      '20261121-000005-eeee',
      '20261121-000003-cccc',
      '20261121-000002-bbbb',
      '20261121-000001-aaaa',
    ]);
    expect(ids(cache.list(new Set(['a']), t0 + FULL_SCAN_MS))).toEqual(ids(listRuns(root)));
  });

  it('reads a finished run once, and a running one at every pass', () => {
    const root = tempRoot();
    writeManifest(root, '.runs/a/20261121-000001-aaaa', manifest('a', '20261121-000001-aaaa', 'review'));
    writeManifest(root, '.runs/b/20261121-000002-bbbb', manifest('b', '20261121-000002-bbbb', 'running'));
    const cache = new RunCache(root);
    const first = cache.list();
    // a rewrite of the finished run's manifest in place (a sign-off) is not read again
    writeFileSync(
      join(root, '.runs/a/20261121-000001-aaaa/manifest.json'),
      manifest('a', '20261121-000001-aaaa', 'review', 'changed'),
    );
    writeFileSync(
      join(root, '.runs/b/20261121-000002-bbbb/manifest.json'),
      manifest('b', '20261121-000002-bbbb', 'failed'),
    );
    const second = cache.list();
    expect(second.find((r) => r.manifest.task.id === 'a')!.manifest).toBe(
      first.find((r) => r.manifest.task.id === 'a')!.manifest,
    );
    expect(second.find((r) => r.manifest.task.id === 'b')!.manifest.result.status).toBe('failed');
  });
});
