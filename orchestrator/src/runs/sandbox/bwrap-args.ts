/**
 * The bubblewrap command line of one sandbox: the host's root read-only, a fresh /dev, /proc of a
 * new pid namespace (so no process of the orchestrator is visible), empty tmpfs over the host's
 * /tmp and the home directory, then the paths the command may read or write bound back at the
 * same place, no capabilities, and a network namespace of its own with loopback only unless the
 * network is allowed.
 */
import { existsSync, statSync } from 'node:fs';
import { sep } from 'node:path';

export interface BwrapMounts {
  /** Host paths visible read-only at the same place (under a masked directory, say). */
  readable: string[];
  /** Host paths the command may write. */
  writable: string[];
  /** Directories hidden behind an empty, writable tmpfs (thrown away with the sandbox). */
  masked: string[];
  network: 'deny' | 'allow';
  cwd: string;
}

/**
 * The identity inside: the caller's own uid, except for root, which is mapped to an ordinary uid
 * because mapping uid 0 into a user namespace needs CAP_SETFCAP, which a sandbox nested in ours
 * (Codex runs its commands in a bubblewrap of its own) does not have. Files keep their owners on
 * the host either way.
 */
export function bwrapIdentityArgs(): string[] {
  return process.getuid?.() === 0 ? ['--uid', '1000', '--gid', '1000'] : [];
}

export function bwrapArgs(m: BwrapMounts): string[] {
  const args = [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--tmpfs',
    '/dev/shm',
    '--unshare-all',
    ...(m.network === 'allow' ? ['--share-net'] : []),
    '--cap-drop',
    'ALL',
    ...bwrapIdentityArgs(),
    '--proc',
    '/proc',
    '--die-with-parent',
  ];
  for (const dir of byDepth(m.masked.filter(isDirectory))) args.push('--tmpfs', dir);
  const writable = new Set(m.writable);
  const binds = [
    ...[...new Set(m.readable)].filter((p) => !writable.has(p)).map((p) => ({ path: p, rw: false })),
    ...[...writable].map((p) => ({ path: p, rw: true })),
  ];
  // parents before children, so a writable directory inside a read-only one stays writable
  binds.sort((a, b) => depth(a.path) - depth(b.path) || Number(a.rw) - Number(b.rw));
  for (const b of binds) args.push(b.rw ? '--bind-try' : '--ro-bind-try', b.path, b.path);
  args.push('--chdir', m.cwd);
  return args;
}

function byDepth(paths: string[]): string[] {
  return [...new Set(paths)].sort((a, b) => depth(a) - depth(b));
}

function depth(path: string): number {
  return path.split(sep).filter(Boolean).length;
}

function isDirectory(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
