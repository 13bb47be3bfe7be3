// The version of a real edge program as it reports it (`nginx -v` ...), for
// the README's matrix, which says which versions gave its verdicts.
import { spawnSync } from 'node:child_process';

export interface VersionProbe {
  /** the program and the flag that prints its version */
  command: [string, ...string[]];
  /** the version in its output (stdout or stderr), as the first group */
  pattern: RegExp;
}

export function programVersion(probe: VersionProbe): string | undefined {
  const [program, ...args] = probe.command;
  const run = spawnSync(program, args, { encoding: 'utf8', timeout: 5000 });
  return probe.pattern.exec(`${run.stdout ?? ''}\n${run.stderr ?? ''}`)?.[1];
}
