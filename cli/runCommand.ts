// `edgecheck run`: load targets and suites, open the target, run, report; with
// several targets, each in turn and then the comparison; with a baseline, judged against it.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  listSuiteNames,
  loadSuite,
  loadTargets,
  resolveSuiteFile,
  selectTarget,
  type LoadedSuite,
  type NamedTarget,
} from '../harness/config/load.js';
import { ConfigError, HarnessError } from '../harness/errors.js';
import { redact } from '../harness/secrets.js';
import { runFailed, type RunRecord } from '../harness/record.js';
import { runSuites } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import type { CompareInput, FailOn } from '../reports/compare/compare.js';
import { renderComparisonJson } from '../reports/compare/json.js';
import { renderComparisonHtml } from '../reports/compare/html.js';
import { renderComparisonMarkdown } from '../reports/compare/markdown.js';
import { renderRegressionsTerminal } from '../reports/compare/terminal.js';
import { readRunRecord } from '../reports/compare/readRecord.js';
import { createReporter, reporterNames, type ReporterName } from '../reports/index.js';
import { RUN_RECORD_FILE } from '../reports/json.js';
import { multiplex } from '../reports/reporter.js';
import { writeReportFile } from '../reports/reportFile.js';
import { compareInputs, parseFailOn, renderComparison } from './compareCommand.js';
import { parsePositiveInt, parseTimeout } from './flags.js';
import { defaultSuitesDir, defaultTargetsFile } from './paths.js';
import { labEdges } from '../lab/labs.js';

export const RUN_HELP = `Usage: edgecheck run [options]

Runs suites against a target and writes a run record; against several, one
after another, each record in its own folder, then the comparison.

Options:
  --target NAME[,NAME] target from targets.yaml (default: its 'default'); with
                       several, DIR/<target>/run.json each, then the comparison
                       printed and written to DIR/comparison.md, .json and .html
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
  --baseline FILE      a run record to judge this run against: exit 1 when a
                       required check that passed there fails now (the others
                       are reported, not fatal)
  --fail-on WHAT       regression (default with --baseline) or any-failure
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
      baseline: { type: 'string' },
      'fail-on': { type: 'string' },
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
  const names = (values.target ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ConfigError(`--target: '${duplicate}' is named twice`);
  const chosen = names.length === 0 ? [selectTarget(targets, undefined)] : names.map((n) => selectTarget(targets, n));
  const suites = suiteFiles.map((f) => loadSuite(f));
  const reporters = parseReporters(values.reporter);
  const concurrency = parsePositiveInt('--concurrency', values.concurrency, 32);
  const timeoutMs = parseTimeout('--timeout', values.timeout, 10_000);
  const failOn = parseFailOn(values['fail-on']);
  if (failOn !== undefined && values.baseline === undefined && chosen.length === 1)
    throw new ConfigError('--fail-on judges against a --baseline (or, with several targets, the first)');
  const baseline = values.baseline === undefined ? undefined : readRunRecord(values.baseline);

  const outDir = values.out ?? 'edgecheck-results';
  const color = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const settings = { suites, reporters, concurrency, timeoutMs, color };
  if (chosen.length === 1) {
    const record = await runOne(chosen[0]!, { ...settings, outDir });
    if (record.partial) return interruptedExit(record);
    if (!baseline) return runFailed(record) ? 1 : 0;
    return judged([baseline, { record, file: join(outDir, RUN_RECORD_FILE) }], failOn, true, undefined, color);
  }
  const inputs: CompareInput[] = [];
  const couldNotRun: string[] = [];
  let worst = 0;
  for (const named of chosen) {
    const dir = join(outDir, named.name);
    let record: RunRecord;
    try {
      record = await runOne(named, { ...settings, outDir: dir });
    } catch (err) {
      // a night's comparison of several CDNs should not be lost to one that could not be reached: say so, go on
      if (!(err instanceof HarnessError)) throw err;
      process.stderr.write(`edgecheck: target ${named.name} could not run: ${redact(err.message)}
`);
      couldNotRun.push(named.name);
      continue;
    }
    // an interrupt ends the whole command: the targets after this one are not run
    if (record.partial) return interruptedExit(record);
    inputs.push({ record, file: join(dir, RUN_RECORD_FILE) });
    worst = Math.max(worst, runFailed(record) ? 1 : 0);
  }
  // without a baseline a comparison of targets only informs: the runs' own verdicts decide
  const compared = baseline ? [baseline, ...inputs] : inputs;
  let exit = worst;
  if (compared.length >= 2) {
    const judgement = judged(compared, failOn, baseline !== undefined, outDir, color);
    if (baseline || failOn) exit = judgement;
  }
  if (couldNotRun.length === 0) return exit;
  process.stderr.write(
    `edgecheck: ${couldNotRun.length} of ${chosen.length} targets could not run (${couldNotRun.join(', ')}): ` +
      `${compared.length >= 2 ? 'the comparison holds the others' : 'nothing to compare'}; exit 3\n`,
  );
  return 3;
}

/** 128 + the signal's number, as a shell reports a process the signal ended */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

function interruptedExit(record: RunRecord): number {
  const signal = record.partial?.reason as NodeJS.Signals | undefined;
  const code = (signal && SIGNAL_EXIT[signal]) ?? 130;
  process.stderr.write(
    `edgecheck: interrupted: ${record.checks.length} checks finished and are in the record, ` +
      `${record.partial?.checks_not_run ?? 0} were not run or were cut short; exit ${code}\n`,
  );
  return code;
}

interface RunSettings {
  suites: LoadedSuite[];
  reporters: ReporterName[];
  concurrency: number;
  timeoutMs: number;
  color: boolean;
  outDir: string;
}

async function runOne(named: NamedTarget, s: RunSettings): Promise<RunRecord> {
  const events = multiplex(
    s.reporters.map((name) => createReporter(name, { outDir: s.outDir, stream: process.stdout, color: s.color })),
  );
  const target = await openTarget(named, labEdges);
  // the first signal stops the checks, writes the record of those that finished and stops the target;
  // a second one ends at once
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(SIGNAL_EXIT[signal] ?? 130);
    process.stderr.write(`\nedgecheck: ${signal}: stopping the checks and the target (again to quit at once)\n`);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runSuites(target, s.suites, {
      concurrency: s.concurrency,
      defaultTimeoutMs: s.timeoutMs,
      events,
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.close();
  }
}

/**
 * The exit code the comparison asks for. Given a folder (several targets), the
 * comparison is printed and written beside the runs; else only the verdict
 * against the baseline is printed, after the run's own report.
 */
function judged(
  inputs: CompareInput[],
  failOn: FailOn | undefined,
  baseline: boolean,
  outDir: string | undefined,
  color: boolean,
): number {
  const { comparison, exit } = compareInputs(inputs, { baseline, failOn });
  const shown =
    outDir === undefined
      ? renderRegressionsTerminal(comparison, color)
      : renderComparison(comparison, 'terminal', color);
  process.stdout.write('\n' + shown);
  if (outDir !== undefined) {
    writeReportFile(outDir, 'comparison.md', renderComparisonMarkdown(comparison));
    writeReportFile(outDir, 'comparison.json', renderComparisonJson(comparison));
    writeReportFile(outDir, 'comparison.html', renderComparisonHtml(comparison, inputs.at(-1)!.record));
  }
  return exit;
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
