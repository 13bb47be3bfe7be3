// A surge plan written to a file, and a surge flown from it against a named
// target of a targets file, the target closed after: what the surge tests share.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTargets, selectTarget } from '../../harness/config/load.js';
import type { SurgeRecord } from '../../harness/surgeRecord.js';
import { openTarget } from '../../harness/target/openTarget.js';
import { labEdges } from '../../lab/labs.js';
import { loadPlan } from '../../load/loadPlan.js';
import { runSurge } from '../../load/runSurge.js';

export function planFile(dir: string, name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

export async function surgeOn(targets: string, targetName: string, plan: string, runId: string): Promise<SurgeRecord> {
  const named = selectTarget(loadTargets(targets, labEdges), targetName);
  const target = await openTarget(named, labEdges);
  try {
    return await runSurge({ plan: loadPlan(plan), named, target, runId });
  } finally {
    await target.close();
  }
}
