// Which processes of a process group are still running, read from /proc
// (Linux, like the Debian packages the real edges come from). Zombies are
// left out: they run nothing and init reaps them once their parent is gone.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  command: string;
  state: string;
  ppid: number;
  pgrp: number;
}

export function livingMembers(pgid: number): ProcessEntry[] {
  return processes().filter((p) => p.pgrp === pgid && p.state !== 'Z');
}

/** Process groups led by children of `ppid`: what a supervisor there has started. */
export function childGroupLeaders(ppid: number): number[] {
  return processes()
    .filter((p) => p.ppid === ppid && p.pgrp === p.pid && p.state !== 'Z')
    .map((p) => p.pid);
}

function processes(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const [state = '', ppid, pgrp] = stat.slice(close + 2).split(' ');
    out.push({
      pid: Number(entry),
      command: stat.slice(stat.indexOf('(') + 1, close),
      state,
      ppid: Number(ppid),
      pgrp: Number(pgrp),
    });
  }
  return out;
}

function readStat(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // the process ended while we looked
    return '';
  }
}
