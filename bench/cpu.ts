// CPU accounting around a measurement, in % of one core: the server child, this load generator, and
// everything else on the machine. These machines are shared, so a figure taken while other processes were
// busy is flagged rather than silently reported low.
import { readFileSync } from 'node:fs';

/** /proc/stat and /proc/<pid>/stat count in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;
/** Other processes using more than this share of a core make a throughput figure suspect. */
export const BACKGROUND_WARNING_PERCENT = 20;

export interface CpuShares {
  readonly serverPercent: number;
  readonly loadGeneratorPercent: number;
  /** Busy time of the whole machine not accounted for by the two processes above. */
  readonly otherPercent: number;
}

/** User plus system CPU seconds a process has used so far, from /proc/<pid>/stat (fields 14 and 15). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Count fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy (non-idle, non-iowait) CPU seconds of the whole machine since boot. */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, ticks) => sum + ticks, 0);
  const idle = fields[3] + fields[4];
  return (total - idle) / TICKS_PER_SECOND;
}

/** Runs `work` (which reports its own wall time) and measures who used the CPU meanwhile. */
export async function withCpuShares<T extends { readonly seconds: number }>(serverCpuSeconds: () => number, work: () => Promise<T>): Promise<T & { readonly cpu: CpuShares }> {
  const server0 = serverCpuSeconds();
  const machine0 = machineBusySeconds();
  const client0 = process.cpuUsage();
  const result = await work();
  const clientUsage = process.cpuUsage(client0);
  const server = serverCpuSeconds() - server0;
  const client = (clientUsage.user + clientUsage.system) / 1e6;
  const machine = machineBusySeconds() - machine0;
  const percent = (seconds: number): number => Math.round((seconds / result.seconds) * 100);
  return { ...result, cpu: { serverPercent: percent(server), loadGeneratorPercent: percent(client), otherPercent: Math.max(0, percent(machine - server - client)) } };
}

/**
 * Returns a function that waits, in one-second samples, until the machine is quiet (less than
 * BACKGROUND_WARNING_PERCENT of a core busy while nothing of ours runs). All calls share `budgetMs` of
 * waiting, so a machine that stays busy delays the whole suite by at most that much.
 */
export function quietWaiter(budgetMs: number): () => Promise<void> {
  let left = budgetMs;
  return async () => {
    while (left > 0) {
      const before = machineBusySeconds();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      left -= 1000;
      if ((machineBusySeconds() - before) * 100 < BACKGROUND_WARNING_PERCENT) return;
    }
  };
}
