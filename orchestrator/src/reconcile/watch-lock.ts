/**
 * The single-instance lock of `cxo watch`: `<git dir>/codex-orchestrator/watch.lock`, holding
 * {pid, host, token, startedAt, heartbeatAt}. Only the holder dispatches runs, which is what makes
 * the dispatch ledger's read-then-append safe.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { requireGitDir } from '../repo/git-dir.js';
import { isAlive } from '../runs/run-index.js';

export interface LockInfo {
  pid: number;
  host: string;
  /** Tells two holders with the same pid (a restarted container) apart. */
  token: string;
  startedAt: string;
  heartbeatAt: string;
}

export interface WatchLock {
  path: string;
  info: LockInfo;
  /** Writes a new heartbeat; false when the lock is no longer ours (taken over): stop dispatching. */
  refresh(): boolean;
  /** Removes the lock if it is still ours. */
  release(): void;
}

export type AcquireResult =
  | { ok: true; lock: WatchLock; tookOver?: { holder: LockInfo | null; why: string } }
  | { ok: false; path: string; holder: LockInfo | null; message: string };

/** How often a holder should call refresh(), and how old a heartbeat must be before the lock is stale. */
export const WATCH_HEARTBEAT_MS = 5_000;
export const WATCH_STALE_MS = 60_000;
/** After a take-over, how long to wait before checking nobody else took it over at the same moment. */
const SETTLE_MS = 50;

export function watchLockPath(root: string): string {
  return join(requireGitDir(root), 'codex-orchestrator', 'watch.lock');
}

/**
 * Takes the lock: creates it exclusively, or takes over a stale one (its pid is dead on this host,
 * or its heartbeat is older than `staleMs`). A live holder is reported, never displaced.
 */
export async function acquireWatchLock(
  root: string,
  options: { staleMs?: number; now?: () => Date } = {},
): Promise<AcquireResult> {
  const path = watchLockPath(root);
  const staleMs = options.staleMs ?? WATCH_STALE_MS;
  const now = options.now ?? (() => new Date());
  mkdirSync(join(path, '..'), { recursive: true });
  const at = now().toISOString();
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    startedAt: at,
    heartbeatAt: at,
  };
  const text = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(path, text)) return { ok: true, lock: handle(path, info, now) };
    const seen = readText(path);
    if (seen === undefined) continue; // released meanwhile: create again
    const holder = parse(seen);
    const why = staleness(path, holder, staleMs, now());
    if (!why) return held(path, holder);
    /*
     * Take-over race: two watchers may find the same stale lock. Each writes its own lock to a temp
     * file and renames it over the lock only if the lock still holds the exact stale text it judged
     * (a fresh lock written meanwhile, by a take-over or a new create, is left alone). Two takers
     * can still both pass that check before either renames; the later rename wins, so each waits a
     * moment and reads the lock back: only the one whose token is in it goes on, the other reports
     * it as held. refresh() checks the token again before every dispatch.
     */
    const temp = `${path}.${info.token}.tmp`;
    writeDurable(temp, text);
    if (readText(path) !== seen) {
      rmSync(temp, { force: true });
      continue;
    }
    renameSync(temp, path);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const after = readText(path);
    if (after !== text) return held(path, after === undefined ? null : parse(after));
    return { ok: true, lock: handle(path, info, now), tookOver: { holder, why } };
  }
  const last = readText(path);
  return held(path, last === undefined ? null : parse(last));
}

/** Why the lock is stale, or undefined while its holder lives. */
function staleness(path: string, holder: LockInfo | null, staleMs: number, now: Date): string | undefined {
  if (!holder) {
    // unreadable: a holder killed between the exclusive create and the write, or one writing right now
    const age = now.getTime() - mtime(path);
    return age > staleMs ? `the lock file is unreadable and ${Math.round(age / 1000)} s old` : undefined;
  }
  // a pid only means something on the host that wrote it (the git dir may be on a shared disk)
  if (holder.host === hostname() && !isAlive(holder.pid)) return `its process ${holder.pid} is gone`;
  const age = now.getTime() - Date.parse(holder.heartbeatAt);
  if (!(age <= staleMs)) return `its last heartbeat is ${Math.round(age / 1000)} s old`;
  return undefined;
}

function held(path: string, holder: LockInfo | null): AcquireResult {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, last heartbeat ${holder.heartbeatAt}`
    : 'a holder that is writing it now';
  return { ok: false, path, holder, message: `another cxo watch holds ${path}: ${who}` };
}

function handle(path: string, info: LockInfo, now: () => Date): WatchLock {
  const ours = () => parse(readText(path) ?? '')?.token === info.token;
  return {
    path,
    info,
    refresh() {
      if (!ours()) return false;
      info.heartbeatAt = now().toISOString();
      // temp + rename so a reader never sees a half-written heartbeat
      const temp = `${path}.${info.token}.tmp`;
      writeDurable(temp, `${JSON.stringify(info)}\n`);
      renameSync(temp, path);
      return true;
    },
    release() {
      // a lock taken over from us (we looked dead) is the new holder's: leave it
      if (ours()) rmSync(path, { force: true });
    },
  };
}

/** O_CREAT|O_EXCL: exactly one creator wins; false when the file exists. */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function writeDurable(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parse(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as LockInfo;
    return typeof v.pid === 'number' && typeof v.heartbeatAt === 'string' && typeof v.token === 'string'
      ? v
      : null;
  } catch {
    return null;
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
