// How much CPU each load tool spent, so the bench can say whether the tool or
// the edge was the limit: on a small machine the load generator and the edge
// share the cores, and a tool that needs more CPU per request leaves the edge
// less of it.
import { readFileSync } from 'node:fs';

/** Linux reports /proc times in USER_HZ, which is 100 on every architecture it supports. */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) of this process's children that have exited and
 * been waited for: fields 16 and 17 (cutime, cstime) of /proc/self/stat.
 * Undefined where there is no /proc.
 */
export function reapedChildrenCpuSeconds(): number | undefined {
  try {
    return childrenCpuSeconds(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

export function childrenCpuSeconds(stat: string): number {
  // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(fields[16 - 3]);
  const cstime = Number(fields[17 - 3]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime))
    throw new Error(`unexpected /proc stat: ${stat.slice(0, 80)}`);
  return (cutime + cstime) / USER_HZ;
}

/** CPU seconds (user + system) this process, all its threads, has spent so far. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
