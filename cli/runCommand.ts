// `edgecheck run`: load targets and suites, open the target, run, report.
import { parseArgs } from 'node:util';
import { DURATION_HELP, parseDuration } from '../harness/config/duration.js';
import { listSuiteNames, loadSuite, loadTargets, resolveSuiteFile, selectTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { runFailed } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { createReporter, reporterNames, type ReporterName } from '../reports/index.js';
import { multiplex } from '../reports/reporter.js';
import { defaultSuitesDir, defaultTargetsFile } from './paths.js';
import { labEdges } from '../lab/labs.js';

export const RUN_HELP = `Usage: edgecheck run [options]

Runs suites against one target and writes a run record.

Options:
  --target NAME        target from targets.yaml (default: its 'default')
  --targets FILE       targets file (default: ./targets.yaml)
  --suite NAME|FILE    a suite from suites/ or a YAML file; repeatable or
                       comma-separated (default: every suite in suites/)
  --suites-dir DIR     where suite names are looked up (default: ./suites)
  --reporter LIST      ${reporterNames.join(', ')} (default: list on a terminal,
                       dot in CI; json is always written)
  --out DIR            where run.json, junit.xml, report.tap go
                       (default: ./edgecheck-results)
  --concurrency N      checks in flight at once (default: 32)
  --timeout DURATION   per-request timeout when a step sets none (default: 10s)
  -h, --help           this help
`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      targets: { type: 'string' },
      suite: { type: 'string', multiple: true },
      'suites-dir': { type: 'string' },
      reporter: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const suitesDir = values['suites-dir'] ?? defaultSuitesDir();
  const suiteArgs = (values.suite ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const suiteFiles = (suiteArgs.length ? suiteArgs : listSuiteNames(suitesDir)).map((s) =>
    resolveSuiteFile(s, suitesDir),
  );
  if (suiteFiles.length === 0) throw new ConfigError(`no suites found in ${suitesDir}; pass --suite`);
  const targets = loadTargets(values.targets ?? defaultTargetsFile(), labEdges);
  const named = selectTarget(targets, values.target);
  const suites = suiteFiles.map((f) => loadSuite(f));
  const reporters = parseReporters(values.reporter);
  const concurrency = parsePositiveInt('--concurrency', values.concurrency, 32);
  const timeoutMs = parseTimeout(values.timeout);

  const outDir = values.out ?? 'edgecheck-results';
  const color = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const events = multiplex(reporters.map((name) => createReporter(name, { outDir, stream: process.stdout, color })));

  const target = await openTarget(named, labEdges);
  const onSignal = () => {
    process.stderr.write('\nedgecheck: interrupted, stopping the target\n');
    void target.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const record = await runSuites(target, suites, { concurrency, defaultTimeoutMs: timeoutMs, events });
    return runFailed(record) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.close();
  }
}

function parseReporters(value: string | undefined): ReporterName[] {
  const isCi = Boolean(process.env['CI']) || !process.stdout.isTTY;
  const names = value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [isCi ? 'dot' : 'list'];
  for (const n of names) {
    if (!(reporterNames as readonly string[]).includes(n)) {
      throw new ConfigError([{ message: `--reporter: unknown reporter '${n}'`, allowed: reporterNames.join(', ') }]);
    }
  }
  // every run writes a run record
  if (!names.includes('json')) names.push('json');
  return names as ReporterName[];
}

function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError([{ message: `${flag}: expected a positive whole number, found '${value}'` }]);
  return n;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const ms = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0)
    throw new ConfigError([{ message: `--timeout: expected ${DURATION_HELP}, found '${value}'` }]);
  return ms;
}
