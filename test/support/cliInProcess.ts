// The CLI's main() in this process, from a directory of the test's choosing,
// with what it writes captured: for the many bad-input cases that end before
// any network (a child process per case would cost a second each).
import { main } from '../../cli/main.js';

export async function edgecheckIn(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => ((out[stream] += String(chunk)), true)) as typeof process.stdout.write;
  const was = process.cwd();
  process.chdir(cwd);
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const code = await main(args);
    return { code, ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(was);
  }
}
