import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DispatchLedger, ledgerPath } from '../../src/reconcile/dedupe.js';
import { acquireWatchLock, type LockInfo, watchLockPath } from '../../src/reconcile/watch-lock.js';
import { makeRepo } from '../helpers/temp-repo.js';

const repo = () => makeRepo({ 'README.md': 'x\n' }, { git: true });

/** Writes a lock file as another watcher would have left it. */
function plant(dir: string, info: Partial<LockInfo>): void {
  const now = new Date().toISOString();
  const path = watchLockPath(dir);
  mkdirSync(dirname(path), { recursive: true });
  const lock = {
    pid: process.pid,
    host: hostname(),
    token: 'planted',
    startedAt: now,
    heartbeatAt: now,
    ...info,
  };
  writeFileSync(path, `${JSON.stringify(lock)}\n`);
}

describe('watch lock', () => {
  it('lives in the git dir; a second acquire is refused naming the holder, release frees it', async () => {
    const dir = repo();
    const first = await acquireWatchLock(dir);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.lock.path).toBe(`${dir}/.git/codex-orchestrator/watch.lock`);
    const held = JSON.parse(readFileSync(first.lock.path, 'utf8')) as LockInfo;
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });

    const second = await acquireWatchLock(dir);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.holder?.pid).toBe(process.pid);
    expect(second.message).toContain(`pid ${process.pid}`);

    const before = held.heartbeatAt;
    await new Promise((r) => setTimeout(r, 5));
    expect(first.lock.refresh()).toBe(true);
    expect(JSON.parse(readFileSync(first.lock.path, 'utf8')).heartbeatAt > before).toBe(true);

    first.lock.release();
    expect(existsSync(first.lock.path)).toBe(false);
    const third = await acquireWatchLock(dir);
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
  });

  it('takes over a lock whose process is dead', async () => {
    const dir = repo();
    const dead = spawnSync('true').pid!;
    plant(dir, { pid: dead });
    const r = await acquireWatchLock(dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tookOver?.why).toBe(`its process ${dead} is gone`);
    expect(JSON.parse(readFileSync(r.lock.path, 'utf8')).token).toBe(r.lock.info.token);
    r.lock.release();
  });

  it('takes over a lock whose heartbeat is old even if its pid lives; the old holder then knows it lost it', async () => {
    const dir = repo();
    const old = new Date(Date.now() - 120_000).toISOString();
    const first = await acquireWatchLock(dir, { now: () => new Date(old) });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    // the same live pid (this process), but no heartbeat for two minutes
    const r = await acquireWatchLock(dir, { staleMs: 60_000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tookOver?.why).toMatch(/^its last heartbeat is 1\d\d s old$/);
    expect(first.lock.refresh()).toBe(false);
    first.lock.release(); // not ours any more: left in place
    expect(JSON.parse(readFileSync(r.lock.path, 'utf8')).token).toBe(r.lock.info.token);
    r.lock.release();
  });

  it('leaves a lock with a live pid and a fresh heartbeat alone, even from another host', async () => {
    const dir = repo();
    plant(dir, { pid: 1, host: 'elsewhere' });
    const r = await acquireWatchLock(dir);
    expect(r).toMatchObject({ ok: false, holder: { pid: 1, host: 'elsewhere' } });
  });
});

describe('dispatch ledger', () => {
  it('claims a (task, request) once, across instances, and survives a torn last line', () => {
    const dir = repo();
    const ledger = new DispatchLedger(dir);
    expect(ledger.claim('a', 'r1', 'run-1')).toBe(true);
    expect(ledger.claim('a', 'r1', 'run-2')).toBe(false);
    expect(ledger.claim('a', 'r2', 'run-3')).toBe(true);
    expect(ledger.claim('b', 'r1', 'run-4')).toBe(true);
    writeFileSync(ledgerPath(dir), `${readFileSync(ledgerPath(dir), 'utf8')}{"task":"c","req`);
    const again = new DispatchLedger(dir);
    expect(again.find('a', 'r1')?.runId).toBe('run-1');
    expect(again.claim('a', 'r2', 'run-5')).toBe(false);
    expect(again.claim('c', 'r1', 'run-6')).toBe(true);
    const lines = readFileSync(ledgerPath(dir), 'utf8').split('\n');
    expect(lines.at(-2)).toMatch(/^\{"task":"c","request":"r1","runId":"run-6",/);
    expect(new DispatchLedger(dir).find('c', 'r1')?.runId).toBe('run-6');
  });
});
