import { spawnSync } from 'node:child_process';
import { bwrapIdentityArgs } from './bwrap-args.js';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

let cached: ProbeResult | undefined;

/**
 * Whether bubblewrap can build our sandbox on this machine: the binary exists and the kernel lets
 * it create the namespaces (unprivileged user namespaces can be disabled, or restricted by
 * AppArmor). Tried once per process with the flags every sandbox uses.
 */
export function probeBwrap(): ProbeResult {
  if (cached) return cached;
  const r = spawnSync(
    'bwrap',
    [
      '--ro-bind',
      '/',
      '/',
      '--unshare-all',
      '--cap-drop',
      'ALL',
      ...bwrapIdentityArgs(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--die-with-parent',
      'true',
    ],
    { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    cached = { ok: false, reason: missing ? 'bwrap is not installed' : `bwrap: ${r.error.message}` };
  } else if (r.status !== 0) {
    const said = r.stderr.trim().split('\n').at(-1) || `exit ${r.status ?? r.signal}`;
    cached = { ok: false, reason: `bwrap cannot create its namespaces here: ${said}` };
  } else {
    cached = { ok: true };
  }
  return cached;
}
