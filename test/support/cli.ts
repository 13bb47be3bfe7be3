// Runs the built edgecheck CLI as a user would, in a directory of the test's choosing.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const binPath = resolve(import.meta.dirname, '..', '..', 'bin', 'edgecheck.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function edgecheck(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CliResult {
  const res = spawnSync(process.execPath, [binPath, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
