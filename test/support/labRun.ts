// Runs suites against a lab target from a throwaway targets file, through the
// same API the CLI uses, for tests that need a run record.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSuite, loadTargets, selectTarget, type LoadedSuite } from '../../harness/config/load.js';
import type { CheckRecord, RunRecord } from '../../harness/record.js';
import { runSuites } from '../../harness/runner/runSuites.js';
import { openTarget } from '../../harness/target/openTarget.js';
import { labEdges } from '../../lab/labs.js';

export const suitesDir = resolve(import.meta.dirname, '..', '..', 'suites');

export function suite(name: string): LoadedSuite {
  return loadSuite(join(suitesDir, `${name}.yaml`));
}

/** A targets file holding one target, written to a temp dir; returns its path. */
export function targetsFile(yamlBody: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-test-'));
  const file = join(dir, 'targets.yaml');
  writeFileSync(file, yamlBody);
  return file;
}

export async function runOnLab(suites: LoadedSuite[], targetYaml: string): Promise<RunRecord> {
  const file = targetsFile(`targets:\n  t:\n${targetYaml.replace(/^/gm, '    ')}\n`);
  const target = await openTarget(selectTarget(loadTargets(file, labEdges), 't'), labEdges);
  try {
    return await runSuites(target, suites);
  } finally {
    await target.close();
  }
}

export function byId(record: RunRecord): Record<string, CheckRecord> {
  return Object.fromEntries(record.checks.map((c) => [c.id, c]));
}
