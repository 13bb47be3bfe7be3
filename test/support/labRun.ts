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

/**
 * Runs each target's suites, a few labs at a time: labs share this process's
 * event loop, and a dozen at once (each with its checks in flight) would make
 * checks slow enough to fail for the test's sake rather than the edge's.
 */
export async function runOnLabs(
  jobs: Array<{ suites: LoadedSuite[]; target: string }>,
  atOnce = LABS_AT_ONCE,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (let i = 0; i < jobs.length; i += atOnce) {
    const batch = jobs.slice(i, i + atOnce);
    records.push(...(await Promise.all(batch.map((job) => runOnLab(job.suites, job.target)))));
  }
  return records;
}
const LABS_AT_ONCE = 3;

/** The suite with only these checks: a fault's own checks, when the others would only add load. */
export function onlyChecks(suite: LoadedSuite, ids: string[]): LoadedSuite {
  return { ...suite, checks: suite.checks.filter((c) => ids.includes(c.id)) };
}

export function byId(record: RunRecord): Record<string, CheckRecord> {
  return Object.fromEntries(record.checks.map((c) => [c.id, c]));
}
