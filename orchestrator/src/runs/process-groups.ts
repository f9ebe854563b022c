import { readdirSync, readFileSync } from 'node:fs';

export interface GroupMember {
  pid: number;
  /** Linux process state letter: R, S, D, Z (zombie), X (dead), ... */
  state: string;
  /** Start time, ms since the epoch. */
  startMs: number;
}

/**
 * The processes of a process group, from /proc; undefined where there is no /proc (not Linux).
 * Zombies are listed (with state Z): callers decide whether a dead, unreaped member counts.
 */
export function groupMembers(pgid: number): GroupMember[] | undefined {
  let entries: string[];
  let bootMs: number;
  try {
    entries = readdirSync('/proc');
    bootMs = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]) * 1000;
  } catch {
    return undefined;
  }
  const members: GroupMember[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited while we looked
    }
    // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice num_threads itrealvalue starttime ..."; comm may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    // starttime is in clock ticks since boot; USER_HZ is 100 on every Linux architecture in use
    members.push({ pid: Number(entry), state: fields[0], startMs: bootMs + Number(fields[19]) * 10 });
  }
  return members;
}

/** Whether any live (not zombie) process is left in a group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const members = groupMembers(pgid);
  if (!members) return true;
  return members.some((p) => p.state !== 'Z' && p.state !== 'X');
}
