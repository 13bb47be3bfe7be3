// `edgecheck surge`: fire a surge plan at a target (live progress, mission
// assessment, run.json); `surge export k6` writes the plan as a k6 script and
// a k6-operator TestRun; `surge import-k6` reads a k6 summary back.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTargets, selectTarget, type NamedTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { newRunId } from '../harness/runner/runSuites.js';
import { openTarget } from '../harness/target/openTarget.js';
import { importK6Summary } from '../load/k6/importSummary.js';
import { k6Script } from '../load/k6/k6Script.js';
import { testRunManifest } from '../load/k6/testRun.js';
import { surgeLimits } from '../load/limits.js';
import { loadPlan } from '../load/loadPlan.js';
import type { SurgePlan } from '../load/plan.js';
import { resolvePlanFile } from '../load/planFiles.js';
import { runSurge } from '../load/runSurge.js';
import { surgeExitCode, surgeRunRecord } from '../load/surgeRunRecord.js';
import HtmlReporter from '../reports/html/index.js';
import JsonReporter from '../reports/json.js';
import MissionReporter from '../reports/mission.js';
import { multiplex, type Reporter, type ReporterOptions } from '../reports/reporter.js';
import { writeReportFile } from '../reports/reportFile.js';
import SurgeProgressReporter from '../reports/surgeProgress.js';
import { defaultSuitesDir, defaultTargetsFile } from './paths.js';
import { labEdges } from '../lab/labs.js';

export const SURGE_HELP = `Usage: edgecheck surge [options]
       edgecheck surge export k6 --plan PLAN --out DIR [--target NAME]
       edgecheck surge import-k6 SUMMARY.json [SUMMARY.json ...] [--plan PLAN] [--out DIR]

Fires a surge plan at a target: bees (worker threads) ramp the load through
the plan's phases while edgecheck watches latency, errors, the cache-hit
ratio and what reaches the origin; then the mission assessment. The target
must allow it in targets.yaml: surge: { allowed: true, max_rps, max_duration,
max_requests }.

Options:
  --plan NAME|FILE     a plan in suites/ (file name or its surge: name) or a
                       YAML file (default: surge)
  --target NAME        target from targets.yaml (default: its 'default')
  --targets FILE       targets file (default: ./targets.yaml)
  --suites-dir DIR     where plan names are looked up (default: ./suites)
  --out DIR            where run.json (and the k6 export) go
                       (default: ./edgecheck-results)
  --reporter html      also write report.html, the surge's curves in one
                       self-contained page (run.json is always written)
  --bees N             worker threads, instead of the plan's
  --quiet              no live progress (the default in CI and off a terminal)
  -h, --help           this help

Exit codes: 0 every threshold held; 1 a threshold was breached; 2 bad plan,
or the target does not allow the surge; 3 the harness could not run;
4 inconclusive: the load generator was the bottleneck (every breach was in a
phase where the bees were saturated); 130 interrupted (the partial run.json
is written).
`;

export async function surgeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      plan: { type: 'string' },
      target: { type: 'string' },
      targets: { type: 'string' },
      'suites-dir': { type: 'string' },
      out: { type: 'string' },
      reporter: { type: 'string' },
      bees: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(SURGE_HELP);
    return 0;
  }
  const outDir = values.out ?? 'edgecheck-results';
  const html = wantsHtml(values.reporter);
  const planFile = () => resolvePlanFile(values.plan ?? 'surge', values['suites-dir'] ?? defaultSuitesDir());
  const plan = () => withBees(loadPlan(planFile()), values.bees);
  const named = () => selectTarget(loadTargets(values.targets ?? defaultTargetsFile(), labEdges), values.target);
  const [sub, ...rest] = positionals;
  if (sub === 'export') {
    if (rest[0] !== 'k6' || rest.length > 1) {
      throw new ConfigError(
        'surge export: the one export format is k6 (edgecheck surge export k6 --plan PLAN --out DIR)',
      );
    }
    if (values.out === undefined) throw new ConfigError('surge export k6: --out DIR is required');
    return exportK6(plan(), values.target !== undefined ? named() : undefined, outDir);
  }
  if (sub === 'import-k6') {
    if (rest.length === 0) {
      throw new ConfigError(
        'surge import-k6: give a k6 summary file, or one per pod (edgecheck surge import-k6 summary.json ...)',
      );
    }
    return importK6(rest, plan(), outDir, html);
  }
  if (sub !== undefined) throw new ConfigError(`surge: unknown subcommand '${sub}' (export k6, import-k6)`);
  return fly(plan(), named(), outDir, Boolean(values.quiet), html);
}

/** The surge always writes run.json and the mission assessment; html is the one reporter it adds. */
function wantsHtml(value: string | undefined): boolean {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (n !== 'html' && n !== 'json') {
      throw new ConfigError([
        {
          message: `--reporter: the surge does not take reporter '${n}' (run.json is always written)`,
          allowed: 'html',
        },
      ]);
    }
  }
  return names.includes('html');
}

async function fly(
  plan: SurgePlan,
  named: NamedTarget,
  outDir: string,
  quiet: boolean,
  html: boolean,
): Promise<number> {
  // refuse before a lab starts or a connection opens
  surgeLimits(plan, named);
  const live = !quiet && Boolean(process.stdout.isTTY) && !process.env['CI'];
  const reporters = multiplex(surgeReporters(outDir, live, html));
  const runId = newRunId();
  const target = await openTarget(named, labEdges);
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nedgecheck: ${signal}: stopping the bees (again to quit at once)\n`);
    controller.abort(`interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = new Date();
    const surge = await runSurge({
      plan,
      named,
      target,
      runId,
      signal: controller.signal,
      onStart: () =>
        process.stderr.write(
          `edgecheck: surge ${plan.name} against ${target.name}: ${plan.bees} bee${plan.bees === 1 ? '' : 's'}, ` +
            `${plan.durationMs / 1000}s planned (Ctrl-C stops it with a partial report)\n`,
        ),
      onTick: reporters.onSurgeTick,
    });
    const lab = named.config.lab ? { lab: named.config.lab } : {};
    const where = { name: target.name, url: target.url.href, ...lab };
    const record = surgeRunRecord(runId, where, started, new Date(), surge);
    await reporters.onRunEnd(record);
    return surgeExitCode(surge, interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.close();
  }
}

function exportK6(plan: SurgePlan, named: NamedTarget | undefined, outDir: string): number {
  if (named) surgeLimits(plan, named);
  const url = named?.config.url;
  const edges = Array.isArray(named?.config.edges) ? named.config.edges : [];
  const script = k6Script(plan, {
    ...(url ? { url } : {}),
    ...(edges[0] ? { address: edges[0], otherAddresses: edges.slice(1) } : {}),
    dialect: named?.config.cache_status ?? 'auto',
    routePath: routePathOf(named, plan.route),
  });
  const scriptFile = `${plan.name}.ts`;
  const scriptPath = writeReportFile(outDir, scriptFile, script);
  const testRunPath = writeReportFile(outDir, `${plan.name}.testrun.yaml`, testRunManifest(plan, scriptFile, url));
  process.stdout.write(
    `wrote ${scriptPath} (k6 script) and ${testRunPath} (k6-operator TestRun, parallelism ${plan.bees})\n` +
      `  run:    k6 run --summary-export=summary.json ${scriptPath}\n` +
      `  report: edgecheck surge import-k6 summary.json --plan ${plan.name}\n`,
  );
  return 0;
}

async function importK6(files: string[], plan: SurgePlan, outDir: string, html: boolean): Promise<number> {
  const summaries = files.map((file) => {
    try {
      return { file, json: JSON.parse(readFileSync(file, 'utf8')) as unknown };
    } catch (err) {
      throw new ConfigError(`${file}: cannot read a k6 summary: ${(err as Error).message}`);
    }
  });
  const surge = importK6Summary(summaries, plan);
  const now = new Date();
  const started = new Date(now.getTime() - surge.duration_ms);
  const record = surgeRunRecord(newRunId(), { name: 'k6', url: 'k6 summary' }, started, now, surge);
  await multiplex(surgeReporters(outDir, false, html)).onRunEnd(record);
  return surgeExitCode(surge, false);
}

function surgeReporters(outDir: string, live: boolean, html: boolean): Reporter[] {
  const color = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const opts: ReporterOptions = { outDir, stream: process.stdout, color };
  return [
    ...(live ? [new SurgeProgressReporter(opts)] : []),
    new MissionReporter(opts),
    new JsonReporter(opts),
    ...(html ? [new HtmlReporter(opts)] : []),
  ];
}

function withBees(plan: SurgePlan, bees: string | undefined): SurgePlan {
  if (bees === undefined) return plan;
  const n = Number(bees);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new ConfigError(`--bees: expected a whole number from 1 to 64, found '${bees}'`);
  }
  if (n > plan.connections) {
    throw new ConfigError(`--bees ${n}: the plan has ${plan.connections} connections; give each bee at least one`);
  }
  return { ...plan, bees: n };
}

function routePathOf(named: NamedTarget | undefined, route: string): string {
  const r = named?.config.routes?.[route];
  if (r === undefined) return '/';
  return typeof r === 'string' ? r : r.path;
}
