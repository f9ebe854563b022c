/**
 * The memory and process limits of one sandboxed command. bubblewrap has no resource limits, so
 * they come from a cgroup of the command's own (v2 at the root of /sys/fs/cgroup, else the v1
 * `memory` and `pids` hierarchies) where the orchestrator may create one, else from rlimits
 * (`prlimit`): RLIMIT_AS bounds each process's address space, RLIMIT_NPROC the processes of the
 * sandbox's user namespace, but the kernel exempts root from RLIMIT_NPROC, so as root without a
 * writable cgroup no process limit applies. What was applied is what the manifest records.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

export type LimitVia = 'cgroup-v2' | 'cgroup-v1' | 'rlimit';

export interface AppliedLimits {
  memory_mb: number | null;
  memory_via: LimitVia | null;
  pids: number | null;
  pids_via: LimitVia | null;
}

export interface LimitedCommand {
  /** Put in front of the command: joins the cgroups, or sets the rlimits, then execs it. */
  prefix: string[];
  applied: AppliedLimits;
  /** Removes the cgroups once the command and everything it started are gone. */
  release(): void;
}

let method: LimitVia | null | undefined;

/**
 * How this process can limit commands, found once by creating (and removing) a cgroup: the
 * manifest records the limits a step's commands get before they start.
 */
function limitMethod(env: NodeJS.ProcessEnv): LimitVia | null {
  if (method !== undefined) return method;
  for (const [via, make] of [
    ['cgroup-v2', cgroupV2],
    ['cgroup-v1', cgroupV1],
  ] as const) {
    const made = make(1024 * 1024 * 1024, 1024);
    if (made) {
      made.dirs.forEach(removeCgroup);
      return (method = via);
    }
  }
  return (method = onPath('prlimit', env) ? 'rlimit' : null);
}

/** The limits a command will get (see limitCommand). */
export function plannedLimits(
  limits: { memory_mb: number; pids: number },
  env: NodeJS.ProcessEnv,
): AppliedLimits {
  const via = limitMethod(env);
  if (via === null) return none();
  // the kernel does not apply RLIMIT_NPROC to root
  const pids = via !== 'rlimit' || process.getuid?.() !== 0;
  return {
    memory_mb: limits.memory_mb,
    memory_via: via,
    pids: pids ? limits.pids : null,
    pids_via: pids ? via : null,
  };
}

/** Limits for one command: its own cgroups when possible, else rlimits, else none. */
export function limitCommand(
  limits: { memory_mb: number; pids: number },
  env: NodeJS.ProcessEnv,
): LimitedCommand {
  const applied = plannedLimits(limits, env);
  const bytes = limits.memory_mb * 1024 * 1024;
  if (applied.memory_via === 'cgroup-v2' || applied.memory_via === 'cgroup-v1') {
    const cgroups = (applied.memory_via === 'cgroup-v2' ? cgroupV2 : cgroupV1)(bytes, limits.pids);
    if (!cgroups) throw new Error(`cannot create the ${applied.memory_via} cgroup of the sandbox`);
    // `sh -c` joins each cgroup with its own pid, then execs the command: nothing runs outside them
    const joins = cgroups.procs.map((_, i) => `echo $$ > "$${i + 1}" || exit 125`).join('; ');
    return {
      prefix: ['/bin/sh', '-c', `${joins}; shift ${cgroups.procs.length}; exec "$@"`, 'sh', ...cgroups.procs],
      applied,
      release: () => cgroups.dirs.forEach(removeCgroup),
    };
  }
  if (applied.memory_via === 'rlimit') {
    const prefix = [onPath('prlimit', env)!, `--as=${bytes}`];
    if (applied.pids !== null) prefix.push(`--nproc=${applied.pids}`);
    return { prefix: [...prefix, '--'], applied, release: () => {} };
  }
  return { prefix: [], applied, release: () => {} };
}

function none(): AppliedLimits {
  return { memory_mb: null, memory_via: null, pids: null, pids_via: null };
}

interface Cgroups {
  via: LimitVia;
  dirs: string[];
  procs: string[];
}

function cgroupName(): string {
  return `cxo-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A child of the v2 root with memory and pids enabled; undefined where that is not possible. */
function cgroupV2(bytes: number, pids: number): Cgroups | undefined {
  try {
    const controllers = readFileSync(join(CGROUP_ROOT, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
    if (!controllers.includes('memory') || !controllers.includes('pids')) return undefined;
    const dir = join(CGROUP_ROOT, cgroupName());
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, 'memory.max'), String(bytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      writeFileSync(join(dir, 'pids.max'), String(pids));
    } catch (e) {
      removeCgroup(dir);
      throw e;
    }
    return { via: 'cgroup-v2', dirs: [dir], procs: [join(dir, 'cgroup.procs')] };
  } catch {
    return undefined;
  }
}

/** One cgroup in each of the v1 `memory` and `pids` hierarchies; undefined where that is not possible. */
function cgroupV1(bytes: number, pids: number): Cgroups | undefined {
  const name = cgroupName();
  const memory = join(CGROUP_ROOT, 'memory', name);
  const tasks = join(CGROUP_ROOT, 'pids', name);
  const made: string[] = [];
  try {
    mkdirSync(memory);
    made.push(memory);
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(bytes));
    // where swap accounting exists, swapping does not get past the limit either
    const memsw = join(memory, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) writeFileSync(memsw, String(bytes));
    mkdirSync(tasks);
    made.push(tasks);
    writeFileSync(join(tasks, 'pids.max'), String(pids));
    return { via: 'cgroup-v1', dirs: made, procs: made.map((d) => join(d, 'cgroup.procs')) };
  } catch {
    made.forEach(removeCgroup);
    return undefined;
  }
}

/** A cgroup is removed once empty; its last processes may take a moment to be reaped. */
function removeCgroup(dir: string): void {
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || Date.now() > deadline) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** The absolute path of a program on the environment's PATH. */
export function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}
