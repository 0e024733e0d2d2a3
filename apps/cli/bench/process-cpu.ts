import { readFileSync } from 'node:fs';

// Linux reports a process's times in clock ticks of 1/100 s (USER_HZ, fixed at 100 for user space).
const MS_PER_TICK = 10;

/**
 * CPU time (user + system, all threads) another process has used so far, from `/proc/<pid>/stat`; undefined where
 * there is no procfs (macOS) or the process is gone.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return Number.isFinite(user) && Number.isFinite(system) ? (user + system) * MS_PER_TICK : undefined;
  } catch {
    return undefined;
  }
}
