// Reading the tools' answers and writing the bench's verdict line: wrk's
// "Requests/sec:", autocannon's --json, and the last line a script can parse.

/** requests per second from wrk's report */
export function wrkRps(output: string): number | undefined {
  const m = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** requests per second from `autocannon --json`: completed requests over the run's duration */
export function autocannonRps(output: string): number | undefined {
  const line = output.split('\n').find((l) => l.trim().startsWith('{'));
  if (!line) return undefined;
  const result = JSON.parse(line) as { requests?: { total?: number }; duration?: number };
  const total = result.requests?.total;
  return total !== undefined && result.duration ? total / result.duration : undefined;
}

export interface BenchNumbers {
  wrk?: number;
  autocannon?: number;
  surge: number;
  rssMb: number;
}

/** `ratio_vs_wrk=<x> ratio_vs_autocannon=<y> rss_mb=<z>`; n/a where a tool did not run */
export function summaryLine(n: BenchNumbers): string {
  const ratio = (base: number | undefined) => (base ? (n.surge / base).toFixed(2) : 'n/a');
  return `ratio_vs_wrk=${ratio(n.wrk)} ratio_vs_autocannon=${ratio(n.autocannon)} rss_mb=${n.rssMb.toFixed(1)}`;
}

/**
 * `on 0.74 cores, 101.2k req per CPU-second` for a tool that used `cpuSeconds`
 * over a `seconds`-long run at `rps`; empty where its CPU time is unknown.
 */
export function cpuNote(rps: number, cpuSeconds: number | undefined, seconds: number): string {
  if (cpuSeconds === undefined || cpuSeconds <= 0 || seconds <= 0) return '';
  const perCpuSecond = (rps * seconds) / cpuSeconds / 1000;
  return `on ${(cpuSeconds / seconds).toFixed(2)} cores, ${perCpuSecond.toFixed(1)}k req per CPU-second`;
}
