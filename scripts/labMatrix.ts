// `npm run lab:matrix`: runs every suite against the reference lab and each
// real edge, keeps each run record, and rewrites the README's lab matrix
// between its markers (nothing else in README.md). With --from DIR it only
// re-renders from run records saved earlier. Exits 1 when a real edge's
// verdicts disagree with lab/realEdges/expectedVerdicts.yaml (what the tests hold).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listSuiteNames, loadSuite } from '../harness/config/load.js';
import type { RunRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { redact } from '../harness/secrets.js';
import { openTarget } from '../harness/target/openTarget.js';
import { ExpectedVerdicts } from '../lab/realEdges/expectedVerdicts.js';
import { aptGetLine, missingBinaries, programVersion, REAL_EDGE_NAMES, realEdges } from '../lab/realEdges/index.js';
import { disagreements, renderMatrix, replaceBetweenMarkers, type MatrixColumn } from './labMatrixTable.js';
import { LAB_NAMES, labEdges, type LabName } from '../lab/labs.js';

const HEADINGS: Record<LabName, string> = {
  reference: 'reference',
  nginx: 'nginx',
  varnish: 'Varnish',
  trafficserver: 'ATS',
  squid: 'Squid',
};
/** where the versions that gave the records are kept beside them */
const VERSIONS_FILE = 'versions.json';

export async function labMatrix(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      out: { type: 'string', default: join('edgecheck-results', 'lab-matrix') },
      readme: { type: 'string', default: 'README.md' },
      'suites-dir': { type: 'string', default: 'suites' },
    },
  });
  const dir = resolve(values.from ?? values.out);
  if (values.from === undefined) {
    const missing = REAL_EDGE_NAMES.filter((name) => missingBinaries(realEdges[name]).length > 0);
    if (missing.length > 0) {
      process.stderr.write(`lab:matrix needs every real edge installed; missing: ${missing.join(', ')}\n`);
      for (const name of missing) process.stderr.write(`  ${aptGetLine(realEdges[name])}\n`);
      return 1;
    }
    await runAll(dir, resolve(values['suites-dir']));
  }
  const versions = JSON.parse(readFileSync(join(dir, VERSIONS_FILE), 'utf8')) as Record<string, string>;
  const columns: MatrixColumn[] = LAB_NAMES.map((lab) => ({
    lab,
    heading: versions[lab] ? `${HEADINGS[lab]} ${versions[lab]}` : HEADINGS[lab],
    record: JSON.parse(readFileSync(join(dir, `${lab}.json`), 'utf8')) as RunRecord,
  }));
  const expected = ExpectedVerdicts.load();
  const readmeFile = resolve(values.readme);
  const readme = readFileSync(readmeFile, 'utf8');
  const updated = replaceBetweenMarkers(readme, renderMatrix(columns, expected));
  if (updated !== readme) writeFileSync(readmeFile, updated);
  process.stdout.write(
    `lab:matrix: ${updated === readme ? 'unchanged' : 'rewrote'} the matrix in ${readmeFile} (run records in ${dir})\n`,
  );
  const differ = disagreements(columns, expected);
  if (differ.length === 0) return 0;
  process.stderr.write(
    `lab:matrix: these verdicts differ from ${expected.file}; fix the edge or the table, then run again:\n`,
  );
  for (const line of differ) process.stderr.write(`  ${line}\n`);
  return 1;
}

async function runAll(dir: string, suitesDir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const suites = listSuiteNames(suitesDir).map((name) => loadSuite(join(suitesDir, `${name}.yaml`)));
  const versions: Record<string, string> = {};
  for (const lab of LAB_NAMES) {
    process.stdout.write(`lab:matrix: every suite against ${lab}\n`);
    const target = await openTarget({ name: lab, config: { lab }, file: resolve('targets.yaml') }, labEdges);
    let record: RunRecord;
    try {
      record = await runSuites(target, suites);
    } finally {
      await target.close();
    }
    writeFileSync(join(dir, `${lab}.json`), redact(JSON.stringify(record, null, 2)) + '\n');
    const version = lab === 'reference' ? undefined : programVersion(realEdges[lab].version);
    if (version) versions[lab] = version;
  }
  writeFileSync(join(dir, VERSIONS_FILE), JSON.stringify(versions, null, 2) + '\n');
}

// run as a program (npm run lab:matrix), not when a test imports it
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await labMatrix(process.argv.slice(2));
}
