import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux's /proc says about a process, where signal 0 is not enough. A killed process whose parent died too stays
 * a zombie until init reaps it (about a second under some inits, never under a container's PID 1 that does not reap):
 * it still answers kill(pid, 0), and kill(-pid, 0) for its group, but it is dead. And a pid names a process only
 * until it is reused (after a kill, or a reboot): the boot id and the process's start time tell them apart.
 */
interface ProcStat {
  state: string;
  pgrp: number;
  /** Clock ticks after boot. */
  startTicks: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name in parentheses, may hold spaces and parentheses itself.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]), startTicks: fields[19] ?? '' };
  } catch {
    return null;
  }
}

function dead(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

export function isZombie(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && dead(stat);
}

let bootId: string | null = null;
function currentBootId(): string {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

/**
 * Names this very process (`<boot id>/<start ticks>`): a later process given the same pid has another. Null when
 * the pid is gone or a zombie (or there is no /proc).
 */
export function processIdentity(pid: number): string | null {
  const stat = readStat(pid);
  return stat && !dead(stat) ? `${currentBootId()}/${stat.startTicks}` : null;
}

/** True while a process of the group is alive; zombies do not count. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: the group exists, with processes of another user in it.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const leader = readStat(pgid);
  if (leader && leader.pgrp === pgid && !dead(leader)) return true;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc: signal 0 is all there is to go by
  }
  return pids.some((name) => {
    const stat = readStat(Number(name));
    return stat !== null && stat.pgrp === pgid && !dead(stat);
  });
}
