// Runs a load tool as a child process without blocking this one (whose probe
// origin must keep answering), and measures the CPU time it used once it
// has exited and been reaped.
import { execFile } from 'node:child_process';
import { reapedChildrenCpuSeconds } from './cpuTime.js';

export interface ToolRun {
  stdout: string;
  stderr: string;
  /** undefined where there is no /proc */
  cpuSeconds?: number;
}

export function runTool(file: string, args: string[]): Promise<ToolRun> {
  const before = reapedChildrenCpuSeconds();
  return new Promise((resolve) =>
    execFile(file, args, { maxBuffer: 16 << 20 }, (_err, stdout, stderr) => {
      const after = reapedChildrenCpuSeconds();
      resolve({
        stdout,
        stderr,
        ...(before !== undefined && after !== undefined ? { cpuSeconds: after - before } : {}),
      });
    }),
  );
}
